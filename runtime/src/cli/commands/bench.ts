/** `lmcache-connector bench <url>`: store/lookup/load rounds like LMCache's `lmcache bench l2` (ours). */
import * as path from "node:path";
import { formatBenchReport } from "../../bench/format-bench";
import { runBench } from "../../bench/run-bench";
import { isNonNegativeInt, isPositiveInt, numberFlag, parseArgs, UsageError } from "../../harness/argv";
import type { CliCommand } from "../command";
import { ENGINE_CONFIG_HELP, ENGINE_CONFIG_SYNOPSIS, runEngineWithSettings, takeEngineConfigArgsOrUsage } from "../engine-config-options";

const USAGE = `Usage: lmcache-connector bench <url> [--cwd DIR] [--rounds N] [--warmup N] [--keys N] [--payload-bytes N] [--hit-rate F] [--inflight N] [--format text|json]
       ${ENGINE_CONFIG_SYNOPSIS}

Store, lookup and load rounds after warm-up; p50/p99 latency, ops/s and MB/s per phase, the plain
memory-copy bandwidth of the same payload measured in the same run, and byte verification in the
last round. The bench sizes the CPU cache for its payloads, so the config's max_local_cpu_size is
not used; every other key reaches the connector. Exit code 1 when verification fails, 2 for bad
usage, an LMCache config that could not be loaded or a connector that could not be loaded.

${ENGINE_CONFIG_HELP}`;

const command: CliCommand = {
  summary: "benchmark store/lookup/load of a connector (like lmcache bench l2)",
  async run(args, io) {
    const engineArgs = takeEngineConfigArgsOrUsage(args, io, "bench");
    if (typeof engineArgs === "number") return engineArgs;
    let opts;
    let format: string;
    try {
      const parsed = parseArgs(engineArgs.rest, {
        values: ["cwd", "rounds", "warmup", "keys", "payload-bytes", "hit-rate", "inflight", "format"],
        booleans: ["help"],
      });
      if (parsed.flags.has("help")) {
        io.stdout(USAGE);
        return 0;
      }
      if (parsed.positionals.length !== 1) throw new UsageError("expected exactly one connector URL");
      format = String(parsed.flags.get("format") ?? "text");
      if (format !== "text" && format !== "json") throw new UsageError(`--format must be text or json, got '${format}'`);
      opts = {
        url: parsed.positionals[0]!,
        cwd: path.resolve(io.cwd, String(parsed.flags.get("cwd") ?? ".")),
        rounds: numberFlag(parsed, "rounds", isPositiveInt, "a positive integer"),
        warmupRounds: numberFlag(parsed, "warmup", isNonNegativeInt, "a non-negative integer"),
        keys: numberFlag(parsed, "keys", isPositiveInt, "a positive integer"),
        payloadBytes: numberFlag(parsed, "payload-bytes", isPositiveInt, "a positive integer"),
        hitRate: numberFlag(parsed, "hit-rate", (n) => n >= 0 && n <= 1, "a fraction between 0 and 1"),
        inflight: numberFlag(parsed, "inflight", isPositiveInt, "a positive integer"),
      };
    } catch (err) {
      io.stderr(`lmcache-connector bench: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    const report = await runEngineWithSettings(engineArgs, io, "bench", "rounds", ({ config, searchPaths, onProgress }) =>
      runBench({ ...opts, config, searchPaths, onProgress }),
    );
    if (typeof report === "number") return report;
    io.stdout(format === "json" ? JSON.stringify(report, null, 2) + "\n" : formatBenchReport(report) + "\n");
    return report.verification.passed ? 0 : 1;
  },
};

export default command;
