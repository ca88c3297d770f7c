/**
 * The part `run` and `bench` share after their own options are parsed (ours): load the LMCache
 * config in this process, run the job in the runner child (`./runner-session`) with a progress
 * line labelled `unit`, and print the report the runner sent back — or the load error (exit 2),
 * the failure (exit 1), the crash or hang (exit 3) — with the connector's output.
 */
import { progressLine } from "../harness/progress-line";
import type { RunnerJob } from "../runner/job";
import { EXIT, exitCodeOf } from "../runner/verdict";
import type { CliIO } from "./command";
import { loadEngineSettingsOrReport, type EngineConfigArgs, type EngineSettings } from "./engine-config-options";
import { printCrashAndOutput, printRunnerFailure, redactText } from "./runner-output";
import { runInRunner } from "./runner-session";

/** Default whole-run limit of `run` and `bench` (ms): ten minutes. */
export const DEFAULT_RUN_LIMIT_MS = 10 * 60_000;
/** Heartbeat silence after which `run`/`bench` count the runner as hung (ms). */
export const WORKLOAD_HANG_MS = 10_000;

/** What a workload command needs to run and print its job. */
export interface WorkloadCommand<R> {
  name: "run" | "bench";
  unit: string;
  url: string;
  cwd: string;
  engineArgs: EngineConfigArgs;
  /** The job's options, given the loaded settings. */
  options(settings: EngineSettings): Record<string, unknown>;
  /** Whole-run limit (ms). */
  runLimitMs: number;
  /** Renders the report the runner sent. */
  render(report: R): string;
}

/** Runs a workload command; resolves to its exit code. */
export async function runWorkloadCommand<R>(io: CliIO, cmd: WorkloadCommand<R>): Promise<number> {
  const settings = loadEngineSettingsOrReport(cmd.engineArgs, io, cmd.name);
  if (typeof settings === "number") return settings;
  const job: RunnerJob = { kind: cmd.name, url: cmd.url, cwd: cmd.cwd, options: { ...cmd.options(settings), config: settings.config, searchPaths: settings.searchPaths } };
  const progress = progressLine(io.stderr, io.isTTY, cmd.unit);
  const record = await runInRunner(job, io, { hangMs: WORKLOAD_HANG_MS, runLimitMs: cmd.runLimitMs }, (e) => {
    if (e.type === "progress") progress.update(e.done, e.total, e.text);
  });
  progress.end();
  if (record.loadError || record.jobError || record.jobFailed) return printRunnerFailure(io, cmd.name, cmd.url, record);
  if (record.crash || !record.result) {
    printCrashAndOutput(io, cmd.name, cmd.url, record);
    return record.crash ? exitCodeOf(record) : EXIT.crashed;
  }
  io.stdout(redactText(cmd.render(record.result.data as R), cmd.url));
  const code = exitCodeOf(record);
  if (code !== EXIT.passed) printCrashAndOutput(io, cmd.name, cmd.url, record);
  return code;
}
