/**
 * `lmcache-connector run <url>`: the local-cache harness (ours), in the runner child process.
 * Under a debugger (the F5 launch, `node --inspect … run <url>`) js-debug attaches to the runner
 * too and the watchdog is off, so breakpoints in the connector's TypeScript still bind (the loader
 * compiles it with inline source maps).
 */
import { integerFlag, numberFlag } from "../argv";
import type { CliCommand } from "../command";
import { ENGINE_CONFIG_HELP, ENGINE_CONFIG_SYNOPSIS } from "../engine-config-options";
import { DEFAULT_RUN_LIMIT_MS, runWorkloadCommand } from "../workload-command";
import { EXIT_CODES_HELP } from "../../runner/verdict";
import { parseSingleUrlCommand } from "../single-url-command";
import { checkCpuBuffer, FLAG_LIMITS } from "../flag-limits";

/** `--max-local-cpu-size` GB (LMCache's GB: GiB), refused when the machine could not allocate it. */
function cpuSizeFlag(gb: number | undefined): number | undefined {
  if (gb !== undefined) checkCpuBuffer(gb * 1024 ** 3, `--max-local-cpu-size ${gb}`);
  return gb;
}

const USAGE = `Usage: lmcache-connector run <url> [--cwd DIR] [--requests N] [--seed N] [--max-local-cpu-size GB] [--chunk-size N] [--max-run-ms N] [--format text|json]
       ${ENGINE_CONFIG_SYNOPSIS}

Drives the connector like LMCache's RemoteBackend in front of a LocalCPUBackend, with a serving-shaped
workload (shared system prompts, multi-turn conversations), and reports hit rates, latency
percentiles, bytes moved, evictions and reference leaks. The workload's chunk size is --chunk-size,
else the config's chunk_size (LMCache's default 256); the CPU cache is --max-local-cpu-size GB
(default 0.05, small so that eviction happens), never the config's max_local_cpu_size. An
extra_config ping_interval the config does not set defaults to 0.2 s here (LMCache's 30 s would
never fire in a short run). Exit code 1 when leaks, stray references, double frees, corrupt chunks, hung calls
or an exception RemoteBackend raised (batched_get_blocking's AssertionError) are found, 2 for bad usage,
an LMCache config that could not be loaded or a connector that could not be loaded.

The connector runs in a child process; every call is bounded by blocking_timeout_secs (LMCache
bounds get; the kit also bounds put, exists and close, which LMCache leaves unbounded), and the
whole run by --max-run-ms (default 600000). What the connector prints is shown after a failure.
A call that misses its deadline is reported under "Hung calls" (exit 1) and stops the workload.
Health: LMCache's newer HealthMonitor (extra_config fallback_policy recompute|local_cpu,
remote_failed_threshold, waiting_time_for_recovery); --extra harness_health_model=remote_monitor
runs the older ping-only RemoteMonitor with its blackhole fallback instead.

${ENGINE_CONFIG_HELP}
${EXIT_CODES_HELP}`;

const command: CliCommand = {
  summary: "run a connector behind a local CPU cache with an LLM-serving workload",
  async run(args, io) {
    const line = parseSingleUrlCommand(args, io, {
      name: "run",
      usage: USAGE,
      formats: ["text", "json"],
      values: ["requests", "seed", "max-local-cpu-size", "chunk-size", "max-run-ms"],
      options: (parsed) => ({
        requests: integerFlag(parsed, "requests", 1, ...FLAG_LIMITS.requests),
        seed: integerFlag(parsed, "seed", 0, ...FLAG_LIMITS["run-seed"]),
        maxLocalCpuSize: cpuSizeFlag(numberFlag(parsed, "max-local-cpu-size", (n) => n > 0, "a positive number of GB")),
        chunkSize: integerFlag(parsed, "chunk-size", 1, ...FLAG_LIMITS["chunk-size"]),
        maxRunMs: integerFlag(parsed, "max-run-ms", 1, ...FLAG_LIMITS["max-run-ms"]),
      }),
    });
    if (typeof line === "number") return line;
    const { url, cwd, format, engineArgs, options: opts } = line;
    const { maxRunMs, ...harness } = opts;
    const { formatHarnessReport, harnessReportJson } = await import("../../harness/format-report.js");
    return runWorkloadCommand(io, {
      name: "run",
      unit: "requests",
      url,
      cwd,
      engineArgs,
      runLimitMs: maxRunMs ?? DEFAULT_RUN_LIMIT_MS,
      options: ({ config }) => ({ ...harness, chunkSize: harness.chunkSize ?? config.chunkSize }),
      render: (report: Parameters<typeof formatHarnessReport>[0]) => (format === "json" ? harnessReportJson(report) + "\n" : formatHarnessReport(report) + "\n"),
    });
  },
};

export default command;
