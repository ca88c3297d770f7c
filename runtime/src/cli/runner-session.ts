/**
 * How `check`, `run` and `bench` drive a connector (ours): always in the runner child process —
 * the one the VS Code extension uses, with the same watchdog — never in this process. This
 * process only starts the runner, collects its events (see `../runner/verdict`), and owns the
 * report and the exit code. Ctrl-C cancels the run and ends the runner's process group.
 */
import { startRunner, type StartRunnerOptions } from "../runner/client";
import { debuggingJob, type RunnerJob } from "../runner/job";
import type { RunnerEvent } from "../runner/protocol";
import { RunnerRecorder, type RunnerRecord } from "../runner/verdict";
import type { CliIO } from "./command";

/** Limits of one run (ms; 0 = none). */
export interface SessionLimits {
  /** Heartbeat silence after which the runner counts as hung. */
  hangMs: number;
  /** Longest one conformance case may run (the runner's own deadlines fire first). */
  caseLimitMs?: number;
  /** Longest the whole job may run. */
  runLimitMs?: number;
}

/**
 * Whether a person is debugging this run: this process runs under a debugger (js-debug then
 * attaches to the runner too), or the Python bridge will run under debugpy (`LMCACHE_KIT_DEBUGPY`).
 */
export function underDebugger(env: NodeJS.ProcessEnv): boolean {
  if (process.execArgv.some((a) => a.startsWith("--inspect"))) return true;
  if (env.VSCODE_INSPECTOR_OPTIONS || env.LMCACHE_KIT_DEBUGPY) return true;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return Boolean((require("node:inspector") as typeof import("node:inspector")).url());
  } catch {
    return false;
  }
}

/**
 * Runs `job` in a runner; resolves once the runner and its process group are gone. Under a
 * debugger (see {@link underDebugger}) the `limits` are not applied — a connector paused at a
 * breakpoint sends no heartbeat and finishes no case in time — and a `check` job's deadlines
 * are lifted (`debugging`).
 */
export async function runInRunner(job: RunnerJob, io: CliIO, limits: SessionLimits, onEvent?: (e: RunnerEvent) => void): Promise<RunnerRecord> {
  const recorder = new RunnerRecorder();
  const debug = underDebugger(io.env);
  const options: StartRunnerOptions = {
    onEvent: (e) => {
      recorder.handle(e);
      onEvent?.(e);
    },
    env: io.env,
    debug,
    ...(debug ? {} : { hangMs: limits.hangMs, caseLimitMs: limits.caseLimitMs, runLimitMs: limits.runLimitMs }),
  };
  const handle = startRunner(debug ? debuggingJob(job) : job, options);
  const cancel = (): void => handle.cancel();
  process.once("SIGINT", cancel);
  process.once("SIGTERM", cancel);
  try {
    await handle.done;
  } finally {
    process.removeListener("SIGINT", cancel);
    process.removeListener("SIGTERM", cancel);
  }
  return recorder.record;
}

/** The hang limit for a per-case timeout: twice the case timeout, between 2 s and 10 s. */
export function hangLimitFor(caseTimeoutMs: number): number {
  return Math.min(10_000, Math.max(2000, 2 * caseTimeoutMs));
}
