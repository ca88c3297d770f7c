/**
 * `lmcache-connector run <url>`: the local-cache harness (ours). Runs in THIS process, so
 * `node --inspect runtime/bin/lmcache-connector.js run <url>` (the F5 launch) stops on breakpoints
 * in the connector's TypeScript (the loader compiles it with inline source maps).
 */
import { formatHarnessReport } from "../../harness/format-report";
import { isNonNegativeInt, isPositiveInt, numberFlag, parseArgs, UsageError } from "../../harness/argv";
import { progressLine } from "../../harness/progress-line";
import { runHarness } from "../../harness/run-harness";
import * as path from "node:path";
import type { CliCommand } from "../command";

const USAGE = `Usage: lmcache-connector run <url> [--cwd DIR] [--requests N] [--seed N] [--max-local-cpu-size GB] [--chunk-size N] [--format text|json]

Drives the connector like LMCache's RemoteBackend in front of a LocalCPUBackend, with a serving-shaped
workload (shared system prompts, multi-turn conversations), and reports hit rates, latency
percentiles, bytes moved, evictions and reference leaks. Exit code 1 when leaks or corrupt chunks
are found, 2 for bad usage or a connector that could not be loaded.
`;

const command: CliCommand = {
  summary: "run a connector behind a local CPU cache with an LLM-serving workload",
  async run(args, io) {
    let opts;
    let format: string;
    try {
      const parsed = parseArgs(args, { values: ["cwd", "requests", "seed", "max-local-cpu-size", "chunk-size", "format"], booleans: ["help"] });
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
        requests: numberFlag(parsed, "requests", isPositiveInt, "a positive integer"),
        seed: numberFlag(parsed, "seed", isNonNegativeInt, "a non-negative integer"),
        maxLocalCpuSize: numberFlag(parsed, "max-local-cpu-size", (n) => n > 0, "a positive number of GB"),
        chunkSize: numberFlag(parsed, "chunk-size", isPositiveInt, "a positive integer"),
      };
    } catch (err) {
      io.stderr(`lmcache-connector run: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    const progress = progressLine(io.stderr, io.isTTY, "requests");
    let report;
    try {
      report = await runHarness({ ...opts, onProgress: (d, t, text) => progress.update(d, t, text) });
    } catch (err) {
      progress.end();
      const e = err as Error;
      io.stderr(`${e.name ?? "Error"}: ${e.message}\n`);
      return 2;
    }
    progress.end();
    io.stdout(format === "json" ? JSON.stringify(report, null, 2) + "\n" : formatHarnessReport(report) + "\n");
    const clean = report.leaks.leakedObjects === 0 && report.leaks.unexpectedRefCounts === 0 && report.corruptChunks === 0;
    return clean ? 0 : 1;
  },
};

export default command;
