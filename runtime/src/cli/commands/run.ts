/**
 * `lmcache-connector run <url>`: the local-cache harness (ours). Runs in THIS process, so
 * `node --inspect runtime/bin/lmcache-connector.js run <url>` (the F5 launch) stops on breakpoints
 * in the connector's TypeScript (the loader compiles it with inline source maps).
 */
import { formatHarnessReport } from "../../harness/format-report";
import { harnessRunClean, runHarness } from "../../harness/run-harness";
import { integerFlag, numberFlag } from "../argv";
import type { CliCommand } from "../command";
import { ENGINE_CONFIG_HELP, ENGINE_CONFIG_SYNOPSIS, runEngineWithSettings } from "../engine-config-options";
import { parseSingleUrlCommand } from "../single-url-command";

const USAGE = `Usage: lmcache-connector run <url> [--cwd DIR] [--requests N] [--seed N] [--max-local-cpu-size GB] [--chunk-size N] [--format text|json]
       ${ENGINE_CONFIG_SYNOPSIS}

Drives the connector like LMCache's RemoteBackend in front of a LocalCPUBackend, with a serving-shaped
workload (shared system prompts, multi-turn conversations), and reports hit rates, latency
percentiles, bytes moved, evictions and reference leaks. The workload's chunk size is --chunk-size,
else the config's chunk_size (LMCache's default 256); the CPU cache is --max-local-cpu-size GB
(default 0.05, small so that eviction happens), never the config's max_local_cpu_size. An
extra_config ping_interval the config does not set defaults to 0.2 s here (LMCache's 30 s would
never fire in a short run). Exit code 1 when leaks, stray references, double frees or corrupt chunks are found, 2 for bad usage,
an LMCache config that could not be loaded or a connector that could not be loaded.

${ENGINE_CONFIG_HELP}`;

const command: CliCommand = {
  summary: "run a connector behind a local CPU cache with an LLM-serving workload",
  async run(args, io) {
    const line = parseSingleUrlCommand(args, io, {
      name: "run",
      usage: USAGE,
      formats: ["text", "json"],
      values: ["requests", "seed", "max-local-cpu-size", "chunk-size"],
      options: (parsed) => ({
        requests: integerFlag(parsed, "requests", 1),
        seed: integerFlag(parsed, "seed", 0),
        maxLocalCpuSize: numberFlag(parsed, "max-local-cpu-size", (n) => n > 0, "a positive number of GB"),
        chunkSize: integerFlag(parsed, "chunk-size", 1),
      }),
    });
    if (typeof line === "number") return line;
    const { url, cwd, format, engineArgs, options: opts } = line;
    const report = await runEngineWithSettings(engineArgs, io, "run", "requests", ({ config, searchPaths, onProgress }) =>
      runHarness({ ...opts, url, cwd, chunkSize: opts.chunkSize ?? config.chunkSize, config, searchPaths, onProgress }),
    );
    if (typeof report === "number") return report;
    io.stdout(format === "json" ? JSON.stringify(report, null, 2) + "\n" : formatHarnessReport(report) + "\n");
    return harnessRunClean(report) ? 0 : 1;
  },
};

export default command;
