/**
 * Parent side of the runner (ours): starts `runner.js` as a child process in a process group of
 * its own, reads its events from fd 3 (see `protocol.ts`), captures the connector's stdout and
 * stderr as bounded output, and supervises it. The CLI (`check`, `run`, `bench`) and the VS Code
 * extension (Run and Debug profiles) all run connectors through here — one verdict path.
 *
 * Supervision: a runner whose heartbeat stops for `hangMs` (a synchronous loop), whose case
 * overruns `caseLimitMs`, or whose whole run overruns `runLimitMs` is killed and reported as
 * `timeout`; one that exits before its last event is `exit`; one killed by a signal is `crashed`;
 * only `cancel()` is `cancelled`. Once the runner has exited (or was killed), the parent stops
 * waiting for the pipes — a grandchild holding them (`stdio: "inherit"`) cannot keep the run
 * alive — and kills the whole process group, so no process the run started survives.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import type { RunnerJob } from "./job";
import { LineSplitter } from "./line-splitter";
import { OutputCapture } from "./output-capture";
import { decodeRunnerLine, EVENT_FD, type CrashReason, type RunnerEvent } from "./protocol";
import { redactSecrets } from "../connector/redact";

/** Default heartbeat silence after which a runner is considered hung (ms). */
export const DEFAULT_HANG_MS = 10_000;
/** @deprecated the old name of {@link DEFAULT_HANG_MS}. */
export const DEFAULT_HARD_TIMEOUT_MS = DEFAULT_HANG_MS;
/** Longest event line the parent accepts (bytes); a longer one is a protocol error. */
export const MAX_EVENT_LINE_BYTES = 16 * 1024 * 1024;
/**
 * After the runner exited, the parent keeps reading its pipes until they end, or until they have
 * been quiet this long (a grandchild may hold them open), but never longer than
 * PIPE_DRAIN_MAX_MS. Quiet means no chunk in the window and none in the poll right after it: a
 * parent starved of CPU under load runs its timers before it reads what is waiting in the pipes.
 */
const PIPE_DRAIN_MS = 150;
const PIPE_DRAIN_MAX_MS = 3000;
/** How many hang limits past the runner's last event its output alone keeps it counted alive. */
const OUTPUT_HANG_GRACE = 4;
/** How long a runner may take to exit after its last event (ms). */
const EXIT_GRACE_MS = 2000;

export interface StartRunnerOptions {
  /** Receives every event (not heartbeats), including the parent-made `connector-output` and `runner-crashed`. */
  onEvent(event: RunnerEvent): void;
  /** Aborting it is the same as calling `cancel()`. */
  signal?: AbortSignal;
  /**
   * Extra Node flags placed before the script, e.g. `["--inspect-brk=127.0.0.1:0"]` for a debug
   * session or `["--max-old-space-size=64"]`. With `--inspect*` flags the watchdogs are off unless
   * given explicitly (a process paused on a breakpoint is not hung).
   */
  debugArgs?: string[];
  /** The parent is itself being debugged (js-debug attaches to the runner): watchdogs off unless given. */
  debug?: boolean;
  /** Kill the runner when its heartbeat stops for this long (0 = never). Default 10 s. */
  hangMs?: number;
  /** @deprecated alias of `hangMs`. */
  hardTimeoutMs?: number;
  /** Kill the runner when one case runs longer than this (0 = never, the default). */
  caseLimitMs?: number;
  /** Kill the runner when the whole job runs longer than this (0 = never, the default). */
  runLimitMs?: number;
  /** How often the runner sends a heartbeat (ms); default a quarter of `hangMs`, at most 250. */
  heartbeatMs?: number;
  /** Path of `runner.js`; defaults to the one next to the bundle (`dist/runner.js`). */
  runnerPath?: string;
  /** Raw stderr of the runner as it arrives (debugger banners); it is also captured as connector output. */
  onStderr?(text: string): void;
  /** Environment of the child; defaults to this process's. */
  env?: NodeJS.ProcessEnv;
  /** Bytes of each stream kept per case, head and tail each (default 4 KiB). */
  outputBytes?: number;
}

/** How a runner ended. */
export interface RunnerOutcome {
  /** The runner's exit code (null when killed by a signal). */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  crashed?: { reason: CrashReason; detail: string; caseId?: string };
}

export interface RunnerHandle {
  /** Resolves when the child and its process group are gone and every event has been delivered. */
  done: Promise<RunnerOutcome>;
  /** Kills the runner and its process group; reported as `runner-crashed` with reason `cancelled`. */
  cancel(): void;
  /** Process id of the runner (also its process group id). */
  pid: number | undefined;
}

/** Where `runner.js` lives: next to this bundle, or in `runtime/dist` when running from source. */
export function resolveRunnerPath(): string {
  const candidates = [path.join(__dirname, "runner.js"), path.resolve(__dirname, "../../dist/runner.js"), path.resolve(__dirname, "../dist/runner.js")];
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}

const TERMINAL = new Set(["run-finished", "load-error", "job-error", "job-failed"]);

/** Per-case (and between-cases) output of both streams. */
class CaseOutput {
  readonly stdout: OutputCapture;
  readonly stderr: OutputCapture;
  constructor(bytes: number) {
    this.stdout = new OutputCapture(bytes, bytes);
    this.stderr = new OutputCapture(bytes, bytes);
  }
}

/** Starts a runner process for `job` and supervises it. */
/** `value` with {@link redactSecrets} applied to every string in it (objects and arrays are copied). */
function redactDeep<T>(value: T, urls: readonly string[]): T {
  if (typeof value === "string") return redactSecrets(value, urls) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, urls)) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactDeep(v, urls);
    return out as T;
  }
  return value;
}

export function startRunner(job: RunnerJob, opts: StartRunnerOptions): RunnerHandle {
  const debugArgs = opts.debugArgs ?? [];
  const debugging = opts.debug === true || debugArgs.some((a) => a.startsWith("--inspect"));
  const hangMs = opts.hangMs ?? opts.hardTimeoutMs ?? (debugging ? 0 : DEFAULT_HANG_MS);
  const caseLimitMs = debugging && opts.caseLimitMs === undefined ? 0 : (opts.caseLimitMs ?? 0);
  const runLimitMs = debugging && opts.runLimitMs === undefined ? 0 : (opts.runLimitMs ?? 0);
  const heartbeatMs = opts.heartbeatMs ?? (hangMs > 0 ? Math.max(20, Math.min(250, Math.floor(hangMs / 4))) : 250);
  const runnerPath = opts.runnerPath ?? resolveRunnerPath();
  const outputBytes = opts.outputBytes ?? 4096;
  const child = spawn(process.execPath, [...debugArgs, runnerPath], {
    cwd: job.cwd,
    env: opts.env ?? process.env,
    stdio: ["pipe", "pipe", "pipe", "pipe"],
    // Own process group, so the parent can end whatever the connector spawned too.
    detached: true,
  });
  const events = child.stdio[EVENT_FD] as Readable | null;
  child.stdin?.on("error", () => undefined);
  child.stdin?.end(JSON.stringify({ ...job, heartbeatMs }) + "\n");

  let runId = job.runId ?? "unknown";
  let terminal: RunnerEvent | undefined;
  let expectedCode: number | undefined;
  let fatal: { reason: CrashReason; detail: string } | undefined;
  let crash: { reason: CrashReason; detail: string; caseId?: string } | undefined;
  let inFlight: string | undefined;
  let output = new CaseOutput(outputBytes);
  const runOutput = new CaseOutput(outputBytes * 4);
  const stderrTail = new OutputCapture(0, 4000);
  const timers: { hang?: NodeJS.Timeout; case?: NodeJS.Timeout; run?: NodeJS.Timeout; exit?: NodeJS.Timeout } = {};
  let exited = false;
  let ended = false;

  const deliver = (event: RunnerEvent): void => {
    try {
      // Everything a listener sees (the Testing view's messages and output, the CLI's report) has
      // the URL's password masked: the runner's texts may embed it (LMCache's messages do).
      opts.onEvent(redactDeep(event, [job.url]));
    } catch {
      // A throwing listener must not take the supervisor down with it.
    }
  };
  const killGroup = (): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      try {
        if (!exited) child.kill("SIGKILL");
      } catch {
        /* already gone */
      }
    }
  };
  const crashWith = (reason: CrashReason, detail: string): void => {
    if (crash || ended) return;
    crash = { reason, detail, ...(inFlight ? { caseId: inFlight } : {}) };
    killGroup();
  };
  const flushOutput = (caseId: string | undefined, o: CaseOutput): void => {
    for (const stream of ["stdout", "stderr"] as const) {
      const cap = o[stream];
      if (cap.total === 0) continue;
      deliver({ v: 1, type: "connector-output", runId, ...(caseId ? { caseId } : {}), stream, text: cap.text(), dropped: cap.droppedBytes });
    }
  };
  const startHangTimer = (): void => {
    if (timers.hang) clearTimeout(timers.hang);
    timers.hang = setTimeout(() => {
      crashWith("timeout", `the runner's event loop was blocked for more than ${hangMs} ms${inFlight ? "" : " outside any case"} (connector code looping synchronously, or a call that never yields)`);
    }, hangMs);
  };
  let lastEventAt = Date.now();
  const armHang = (): void => {
    if (hangMs <= 0 || ended) return;
    lastEventAt = Date.now();
    startHangTimer();
  };
  // The runner's output is written blocking (runner-main.ts): while a slow parent reads it, the
  // runner sends no heartbeat, so output postpones the hang verdict too — for at most
  // OUTPUT_HANG_GRACE hang limits past the last event, so a loop that only prints is still caught.
  const outputSeen = (): void => {
    if (hangMs <= 0 || ended || Date.now() - lastEventAt > OUTPUT_HANG_GRACE * hangMs) return;
    startHangTimer();
  };
  const armCase = (id: string): void => {
    if (timers.case) clearTimeout(timers.case);
    if (caseLimitMs <= 0) return;
    timers.case = setTimeout(() => crashWith("timeout", `case ${id} did not finish within ${caseLimitMs} ms (its own deadlines did not fire)`), caseLimitMs);
  };

  const handleEvent = (event: RunnerEvent): void => {
    if (event.type === "heartbeat") return;
    if (event.type === "fatal") {
      fatal ??= { reason: event.reason, detail: event.detail };
      return;
    }
    if (terminal && event.type !== "log") return; // nothing counts after the verdict but last words
    switch (event.type) {
      case "run-started":
        runId = event.runId;
        break;
      case "case-started":
        if (inFlight) flushOutput(inFlight, output);
        inFlight = event.id;
        output = new CaseOutput(outputBytes);
        armCase(event.id);
        break;
      case "case-finished":
        if (timers.case) clearTimeout(timers.case);
        flushOutput(event.id, output);
        output = new CaseOutput(outputBytes);
        inFlight = undefined;
        break;
      default:
        break;
    }
    if (TERMINAL.has(event.type)) {
      terminal = event;
      expectedCode =
        event.type === "run-finished" ? (event.summary.failed > 0 ? 1 : 0) : event.type === "job-failed" ? 1 : 2;
      if (timers.case) clearTimeout(timers.case);
      if (timers.run) clearTimeout(timers.run);
      timers.exit = setTimeout(
        () => crashWith("timeout", `the runner did not exit within ${EXIT_GRACE_MS} ms after its run finished (connector code kept its event loop busy)`),
        EXIT_GRACE_MS,
      );
    }
    deliver(event);
  };

  // Events are handled one turn after they are read: output the connector wrote before an event
  // sits in the other pipes already (the runner writes synchronously), and libuv reads every pipe
  // that is ready in the same poll, so that output is still attributed to the case it belongs to.
  let queue: RunnerEvent[] = [];
  const drainQueue = (): void => {
    const batch = queue;
    queue = [];
    for (const event of batch) handleEvent(event);
  };
  const splitter = new LineSplitter(
    MAX_EVENT_LINE_BYTES,
    (line) => {
      if (line.trim() === "") return;
      let event: RunnerEvent;
      try {
        event = decodeRunnerLine(line);
      } catch (err) {
        crashWith("protocol", `the event channel carried something that is not a runner event: ${(err as Error).message.slice(0, 300)}`);
        return;
      }
      if (event.type === "heartbeat") return;
      // Only what ends a case (or the run) waits; a case start takes effect at once.
      if (queue.length === 0 && event.type !== "case-finished" && !TERMINAL.has(event.type)) handleEvent(event);
      else if (queue.push(event) === 1) setImmediate(drainQueue);
    },
    (bytes) => crashWith("protocol", `an event line on the runner's channel exceeded ${MAX_EVENT_LINE_BYTES} bytes (${bytes} bytes without a newline)`),
  );
  // Set once the runner exited: called by every chunk read afterwards (the pipes are not quiet yet).
  let stillDraining: (() => void) | null = null;
  events?.on("data", (chunk: Buffer) => {
    armHang();
    stillDraining?.();
    splitter.push(chunk);
  });
  const capture = (stream: "stdout" | "stderr", readable: Readable | null): void => {
    readable?.on("data", (chunk: Buffer) => {
      outputSeen();
      stillDraining?.();
      (inFlight ? output : runOutput)[stream].write(chunk);
      if (stream === "stderr") {
        stderrTail.write(chunk);
        if (opts.onStderr) opts.onStderr(stderrDecoder.write(chunk));
      }
    });
    readable?.on("error", () => undefined);
  };
  const stderrDecoder = new StringDecoder("utf8");
  capture("stdout", child.stdout);
  capture("stderr", child.stderr);
  events?.on("error", () => undefined);

  const cancel = (): void => crashWith("cancelled", "cancelled: the runner was stopped on request");
  if (opts.signal) {
    if (opts.signal.aborted) cancel();
    else opts.signal.addEventListener("abort", cancel, { once: true });
  }
  const onParentExit = (): void => killGroup();
  process.once("exit", onParentExit);
  armHang();
  if (runLimitMs > 0) timers.run = setTimeout(() => crashWith("timeout", `the run did not finish within its limit of ${runLimitMs} ms`), runLimitMs);

  const done = new Promise<RunnerOutcome>((resolve) => {
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    const finish = (): void => {
      if (ended) return;
      drainQueue();
      ended = true;
      stillDraining = null;
      for (const t of Object.values(timers)) if (t) clearTimeout(t);
      process.removeListener("exit", onParentExit);
      opts.signal?.removeEventListener("abort", cancel);
      // Whatever the connector started in the runner's group goes with it; stop reading pipes a
      // grandchild may still hold.
      killGroup();
      for (const s of [child.stdout, child.stderr, events, child.stdin]) s?.destroy();
      if (!crash) crash = classify(exitCode, exitSignal);
      if (inFlight) flushOutput(inFlight, output);
      flushOutput(undefined, runOutput);
      if (crash) {
        deliver({ v: 1, type: "runner-crashed", runId, ...crash, exitCode, signal: exitSignal });
      }
      resolve({ exitCode, signal: exitSignal, ...(crash ? { crashed: crash } : {}) });
    };
    const classify = (code: number | null, signal: NodeJS.Signals | null): typeof crash => {
      const caseId = inFlight ? { caseId: inFlight } : {};
      const where = inFlight ? "" : terminal ? " after the run finished" : "";
      const tail = stderrTail.text().trim();
      const oom = /heap out of memory|Reached heap limit/i.test(tail) ? " (V8 ran out of heap memory)" : "";
      if (fatal) return { reason: fatal.reason, detail: fatal.detail, ...caseId };
      if (signal) return { reason: "crashed", detail: `the runner was killed by ${signal}${oom}${where}${tail ? `\n${lastLines(tail)}` : ""}`, ...caseId };
      if (!terminal) return { reason: "exit", detail: `the runner exited with code ${code}${oom}${where} before the run finished (connector code ended the process)${tail ? `\n${lastLines(tail)}` : ""}`, ...caseId };
      if (code !== expectedCode) return { reason: "exit", detail: `the runner exited with code ${code}${where} instead of ${expectedCode} (connector code ended the process)`, ...caseId };
      return undefined;
    };
    child.once("error", (err) => {
      crash ??= { reason: "exit", detail: `could not start the runner (${runnerPath}): ${err.message}` };
      exited = true;
      finish();
    });
    child.once("exit", (code, signal) => {
      exited = true;
      exitCode = code;
      exitSignal = signal;
      // The events are in the pipe already (the runner writes them synchronously); read what is
      // left, but never wait for a grandchild that inherited the pipes.
      const drainUntil = Date.now() + PIPE_DRAIN_MAX_MS;
      let sawData = false;
      stillDraining = () => {
        sawData = true;
      };
      let drain: NodeJS.Timeout | undefined;
      const finishWhenQuiet = (): void => {
        sawData = false;
        // setImmediate: the poll phase between the timer and the check reads what is waiting
        drain = setTimeout(() => setImmediate(() => {
          if (ended) return;
          if (sawData && Date.now() < drainUntil) finishWhenQuiet();
          else finish();
        }), PIPE_DRAIN_MS);
      };
      finishWhenQuiet();
      let open = 0;
      for (const s of [events, child.stdout, child.stderr]) {
        if (!s || s.readableEnded || s.destroyed) continue;
        open++;
        s.once("end", () => {
          if (--open === 0) {
            clearTimeout(drain);
            setImmediate(finish);
          }
        });
      }
      if (open === 0) {
        clearTimeout(drain);
        setImmediate(finish);
      }
    });
  });

  return { done, cancel, pid: child.pid };
}

function lastLines(text: string, n = 12): string {
  const lines = text.split("\n");
  return lines.slice(-n).join("\n");
}
