/** `lmcache-connector bench <url>`: store/lookup/load rounds like LMCache's `lmcache bench l2` (ours). */
import { integerFlag, numberFlag } from "../argv";
import type { CliCommand } from "../command";
import { ENGINE_CONFIG_HELP, ENGINE_CONFIG_SYNOPSIS } from "../engine-config-options";
import { DEFAULT_RUN_LIMIT_MS, runWorkloadCommand } from "../workload-command";
import { EXIT_CODES_HELP } from "../../runner/verdict";
import { parseSingleUrlCommand } from "../single-url-command";
import { benchCpuBufferBytes, checkCpuBuffer, FLAG_LIMITS } from "../flag-limits";

const USAGE = `Usage: lmcache-connector bench <url> [--cwd DIR] [--rounds N] [--warmup N] [--keys N] [--payload-bytes N] [--hit-rate F] [--inflight N] [--steady-state] [--max-run-ms N] [--format text|json]
       ${ENGINE_CONFIG_SYNOPSIS}

Store, lookup and load rounds after warm-up; p50/p99 latency, ops/s and MB/s per phase, the plain
memory-copy bandwidth of the same payload measured in the same run, and byte verification in the
last round. The bench sizes the CPU cache for its payloads, so the config's max_local_cpu_size is
not used; every other key reaches the connector. Exit code 1 when verification fails, 2 for bad
usage, an LMCache config that could not be loaded or a connector that could not be loaded.

The connector runs in a child process; every call is bounded by blocking_timeout_secs (LMCache
bounds get; the kit also bounds put, exists and close, which LMCache leaves unbounded), and the
whole run by --max-run-ms (default 600000). What the connector prints is shown after a failure.

${ENGINE_CONFIG_HELP}
${EXIT_CODES_HELP}`;

const command: CliCommand = {
  summary: "benchmark store/lookup/load of a connector (like lmcache bench l2)",
  async run(args, io) {
    const line = parseSingleUrlCommand(args, io, {
      name: "bench",
      usage: USAGE,
      formats: ["text", "json"],
      values: ["rounds", "warmup", "keys", "payload-bytes", "hit-rate", "inflight", "max-run-ms"],
      booleans: ["steady-state"], // every round stores the same keys, so measured puts overwrite
      options: (parsed) => {
        const o = {
          rounds: integerFlag(parsed, "rounds", 1, ...FLAG_LIMITS.rounds),
          warmupRounds: integerFlag(parsed, "warmup", 0, ...FLAG_LIMITS.warmup),
          keys: integerFlag(parsed, "keys", 1, ...FLAG_LIMITS.keys),
          payloadBytes: integerFlag(parsed, "payload-bytes", 1, ...FLAG_LIMITS["payload-bytes"]),
          hitRate: numberFlag(parsed, "hit-rate", (n) => n >= 0 && n <= 1, "a fraction between 0 and 1"),
          inflight: integerFlag(parsed, "inflight", 1, ...FLAG_LIMITS.inflight),
          maxRunMs: integerFlag(parsed, "max-run-ms", 1, ...FLAG_LIMITS["max-run-ms"]),
          steadyState: parsed.flags.has("steady-state"),
        };
        // runBench's defaults: 1 MiB payloads, 8 in flight
        const payload = o.payloadBytes ?? 1 << 20;
        const inflight = o.inflight ?? 8;
        checkCpuBuffer(benchCpuBufferBytes(payload, inflight), `--payload-bytes ${payload} with --inflight ${inflight}`);
        return o;
      },
    });
    if (typeof line === "number") return line;
    const { url, cwd, format, engineArgs, options: opts } = line;
    const { maxRunMs, ...bench } = opts;
    const { formatBenchReport, benchReportJson } = await import("../../bench/format-bench.js");
    return runWorkloadCommand(io, {
      name: "bench",
      unit: "rounds",
      url,
      cwd,
      engineArgs,
      runLimitMs: maxRunMs ?? DEFAULT_RUN_LIMIT_MS,
      options: () => bench,
      render: (report: Parameters<typeof formatBenchReport>[0]) => (format === "json" ? benchReportJson(report) + "\n" : formatBenchReport(report) + "\n"),
    });
  },
};

export default command;
