/**
 * Entry point of `dist/runner.js`, the process that runs a connector on behalf of the CLI and the
 * VS Code extension (ours). It reads one JSON job (first stdin line), streams events (see
 * `protocol.ts`) on fd 3 and exits. stdout and stderr are left to the connector: the parent
 * captures them as the connector's output.
 *
 * Liveness: a `heartbeat` event every `heartbeatMs` proves the event loop turns; the parent ends
 * a runner whose heartbeat stops (a synchronous loop). When connector code takes the process down
 * — `process.exit`, an unhandled rejection or uncaught exception outside any case — the runner
 * sends one `fatal` event first; what it cannot see (`process.reallyExit`, a signal) the parent
 * reads from the exit code or signal. After the job, the runner waits a short settle window so a
 * rejection the connector left for later still surfaces, then exits without waiting for the
 * sockets or timers the connector left open.
 */
import { createInterface } from "node:readline";
import { setLogSink } from "../logging";
import { describeThrown, FATAL_EXIT_CODE } from "./fatal";
import { eventChannelOpen, openEventChannel } from "./event-channel";
import { executeJob } from "./execute-job";
import { parseJob } from "./job";
import type { CrashReason } from "./protocol";

/** How long the runner waits after the job for late rejections (ms, ours). */
export const SETTLE_WINDOW_MS = 25;

// Stack traces of connector code point at its TypeScript (the loader compiles with inline source
// maps). Switched on here, after the runner's own bundle has loaded, rather than with
// `--enable-source-maps`, which would also parse the runner bundle's map: ~80 ms per run.
process.setSourceMapsEnabled(true);

// The connector's output must reach the parent in order with the events (it is attributed to the
// case in flight) and must not be lost at exit. Node writes to stdio pipes asynchronously — a
// write returns before the parent read it, and whatever is still queued when the runner exits is
// dropped — so both are switched to blocking writes, as a terminal behaves.
for (const stream of [process.stdout, process.stderr]) {
  (stream as unknown as { _handle?: { setBlocking?(blocking: boolean): unknown } })._handle?.setBlocking?.(true);
}

// Captured before any connector code can replace them.
const realExit = (process as unknown as { reallyExit(code: number): never }).reallyExit.bind(process);
const realSetInterval = setInterval;
const realSetTimeout = setTimeout;

if (!eventChannelOpen()) {
  process.stderr.write("runner: the event channel (fd 3) is not open; the runner is started by the lmcache-connector CLI or the VS Code extension\n");
  realExit(2);
}
const channel = openEventChannel();
let runId = "pending";
let jobDone = false;

function die(reason: CrashReason, detail: string, code: number): never {
  channel.emit({ v: 1, type: "fatal", runId, reason, detail });
  return realExit(code);
}

// The supervising parent. If it dies (the CLI was SIGKILLed, the extension host crashed), this
// process is re-parented and nobody would ever end it or the connector's children: end the
// whole group (the runner leads it) on the next heartbeat. A connector stuck in a synchronous
// loop blocks this check too; only a live parent's watchdog ends that.
const parentPid = process.ppid;
function leaveIfOrphaned(): void {
  if (process.ppid === parentPid) return;
  try {
    process.kill(-process.pid, "SIGKILL");
  } catch {
    /* not a group leader (started by hand): fall through */
  }
  realExit(FATAL_EXIT_CODE);
}

async function readJobText(): Promise<string> {
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  throw new Error("runner: no job given (the first stdin line must be the JSON job)");
}

async function main(): Promise<void> {
  process.on("unhandledRejection", (reason) =>
    die("unhandled-rejection", `${jobDone ? "after the job finished, " : ""}the connector left an unhandled promise rejection: ${describeThrown(reason)}`, FATAL_EXIT_CODE),
  );
  process.on("uncaughtException", (err) => die("uncaught-exception", `uncaught exception: ${describeThrown(err)}`, FATAL_EXIT_CODE));
  // A connector calling process.exit would end the run silently; record who did it, then let it.
  process.exit = ((code?: number | string | null) => {
    const n = Number(code ?? process.exitCode ?? 0) | 0;
    return die("exit", `process.exit(${code ?? ""}) called by connector code\n${new Error("process.exit").stack ?? ""}`, n);
  }) as typeof process.exit;

  const job = parseJob(await readJobText());
  runId = job.runId ?? `run-${process.pid}-${Date.now().toString(36)}`;
  const heartbeat = realSetInterval(() => {
    leaveIfOrphaned();
    channel.emit({ v: 1, type: "heartbeat", runId });
  }, job.heartbeatMs ?? 250);
  setLogSink((record) => {
    if (record.level !== "debug") channel.emit({ v: 1, type: "log", runId, level: record.level, message: `${record.logger}: ${record.message}` });
  });
  const code = await executeJob({ ...job, runId }, channel.emit);
  jobDone = true;
  // Let a rejection or exception the connector scheduled for "later" surface while we still listen.
  await new Promise((resolve) => realSetTimeout(resolve, SETTLE_WINDOW_MS));
  await new Promise((resolve) => setImmediate(resolve));
  clearInterval(heartbeat);
  // Connectors may leave sockets or timers open; the run is over, so leave without waiting for them.
  realExit(code);
}

main().catch((err: unknown) => {
  channel.emit({ v: 1, type: "job-error", runId, blame: "kit", errorName: "RunnerError", message: describeThrown(err) });
  realExit(2);
});
