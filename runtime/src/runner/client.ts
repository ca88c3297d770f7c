/**
 * Parent side of the runner (ours): starts `runner.js` as a child process, parses its NDJSON
 * events and supervises it. A connector that calls `process.exit`, rejects a promise unhandled,
 * or hangs the event loop (no event for `hardTimeoutMs`) is reported as one `runner-crashed`
 * event with a reason; cancelling kills the child's whole process group, and `done` resolves only
 * after the child is gone, so no orphan survives.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { findFatal, type CrashReason } from "./fatal";
import type { RunnerJob } from "./job";
import { decodeEvent, type RunnerEvent } from "./protocol";

/** Default silence (no event at all) after which a runner is considered hung. */
export const DEFAULT_HARD_TIMEOUT_MS = 60_000;

export interface StartRunnerOptions {
  /** Receives every event, including the parent-made `runner-crashed`. */
  onEvent(event: RunnerEvent): void;
  /** Aborting it is the same as calling `cancel()`. */
  signal?: AbortSignal;
  /**
   * Extra Node flags placed before the script, e.g. `["--inspect-brk=0"]` for a debug session.
   * With debug flags the hang watchdog is off unless `hardTimeoutMs` is given explicitly
   * (a process paused on a breakpoint is not hung).
   */
  debugArgs?: string[];
  /** Kill the runner when it sends no event for this long (0 = never). Default 60 s. */
  hardTimeoutMs?: number;
  /** Path of `runner.js`; defaults to the one next to the bundle (`dist/runner.js`). */
  runnerPath?: string;
  /** Raw stderr of the runner (debugger banners, connector `process.stderr` writes). */
  onStderr?(text: string): void;
  /** Environment of the child; defaults to this process's. */
  env?: NodeJS.ProcessEnv;
}

export interface RunnerHandle {
  /** Resolves when the child is gone and every event has been delivered. */
  done: Promise<{ exitCode: number; crashed?: { reason: CrashReason; detail: string } }>;
  /** Kills the runner and its process group; reported as `runner-crashed` with reason `killed`. */
  cancel(): void;
  /** Process id of the runner (for tests and debug attach). */
  pid: number | undefined;
}

/** Where `runner.js` lives: next to this bundle, or in `runtime/dist` when running from source. */
export function resolveRunnerPath(): string {
  const candidates = [path.join(__dirname, "runner.js"), path.resolve(__dirname, "../../dist/runner.js")];
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}

const STDERR_TAIL = 4000;

/** Starts a runner process for `job` and supervises it. */
export function startRunner(job: RunnerJob, opts: StartRunnerOptions): RunnerHandle {
  const debugArgs = opts.debugArgs ?? [];
  const hardTimeoutMs = opts.hardTimeoutMs ?? (debugArgs.length > 0 ? 0 : DEFAULT_HARD_TIMEOUT_MS);
  const runnerPath = opts.runnerPath ?? resolveRunnerPath();
  const child = spawn(process.execPath, ["--enable-source-maps", ...debugArgs, runnerPath], {
    cwd: job.cwd,
    env: opts.env ?? process.env,
    stdio: ["pipe", "pipe", "pipe"],
    // Own process group, so cancel() can kill whatever the connector spawned too.
    detached: true,
  });
  child.stdin.end(JSON.stringify(job) + "\n");

  let runId = job.runId ?? "unknown";
  let finished = false;
  let crash: { reason: CrashReason; detail: string } | undefined;
  let stderrTail = "";
  let stdoutBuffer = "";
  let watchdog: NodeJS.Timeout | undefined;

  const deliver = (event: RunnerEvent): void => {
    try {
      opts.onEvent(event);
    } catch {
      // A throwing listener must not take the supervisor down with it.
    }
  };
  const killGroup = (): void => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      try {
        child.kill("SIGKILL");
      } catch {
        /* already gone */
      }
    }
  };
  const crashWith = (reason: CrashReason, detail: string): void => {
    if (crash) return;
    crash = { reason, detail };
    killGroup();
  };
  const armWatchdog = (): void => {
    if (hardTimeoutMs <= 0) return;
    if (watchdog) clearTimeout(watchdog);
    watchdog = setTimeout(
      () => crashWith("timeout", `no event from the runner for ${hardTimeoutMs} ms (a connector call never returned, or looped forever)`),
      hardTimeoutMs,
    );
  };
  const handleLine = (line: string): void => {
    if (line.trim() === "") return;
    let event: RunnerEvent;
    try {
      event = decodeEvent(line);
    } catch (err) {
      deliver({ v: 1, type: "log", runId, level: "warning", message: `unreadable runner output: ${(err as Error).message}` });
      return;
    }
    if (event.type === "run-started") runId = event.runId;
    if (event.type === "run-finished" || event.type === "load-error") finished = true;
    deliver(event);
  };

  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    armWatchdog();
    stdoutBuffer += chunk;
    let nl: number;
    while ((nl = stdoutBuffer.indexOf("\n")) >= 0) {
      const line = stdoutBuffer.slice(0, nl);
      stdoutBuffer = stdoutBuffer.slice(nl + 1);
      handleLine(line);
    }
  });
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL);
    opts.onStderr?.(chunk);
  });

  const cancel = (): void => crashWith("killed", "cancelled: the runner was killed on request");
  if (opts.signal) {
    if (opts.signal.aborted) cancel();
    else opts.signal.addEventListener("abort", cancel, { once: true });
  }
  const onParentExit = (): void => killGroup();
  process.once("exit", onParentExit);
  armWatchdog();

  const done = new Promise<{ exitCode: number; crashed?: { reason: CrashReason; detail: string } }>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (watchdog) clearTimeout(watchdog);
      process.removeListener("exit", onParentExit);
      opts.signal?.removeEventListener("abort", cancel);
      if (stdoutBuffer) handleLine(stdoutBuffer);
      // Whatever the connector started in the runner's group goes with it.
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          /* group already empty */
        }
      }
      const fatal = findFatal(stderrTail);
      if (!crash && fatal) crash = fatal;
      if (!crash && !finished) {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const tail = stderrTail.trim() ? `\n${stderrTail.trim()}` : "";
        crash = { reason: signal ? "killed" : "exit", detail: `the runner ${how} before the run finished${tail}` };
      }
      if (crash) deliver({ v: 1, type: "runner-crashed", runId, reason: crash.reason, detail: crash.detail });
      resolve({ exitCode: code ?? (signal ? 128 : 1), ...(crash ? { crashed: crash } : {}) });
    };
    child.once("error", (err) => {
      crash ??= { reason: "exit", detail: `could not start the runner (${runnerPath}): ${err.message}` };
    });
    child.once("close", finish);
  });

  return { done, cancel, pid: child.pid };
}
