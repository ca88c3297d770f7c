/**
 * The runner's wire protocol (ours): newline-delimited JSON events the runner process
 * (`runner.js`) writes on a channel of its own — file descriptor 3, a pipe the parent opens — and
 * the CLI and the VS Code extension read. Never stdout: the connector's stdout and stderr are only
 * output (see `output-capture.ts`), so nothing a connector prints can forge or starve an event.
 * Every event carries `v` (protocol version); readers refuse versions they do not know.
 *
 * The conformance engine's events live one layer down, in `conformance/events.ts`; this module
 * re-exports them and adds the runner's own.
 */
import type { ConformanceEvent } from "../conformance/events";

export type { CaseInfo, CaseStatus, ConformanceEvent, RecordedOp, SkipReason, SourceLocation } from "../conformance/events";

export const PROTOCOL_VERSION = 1;

/** The file descriptor of the event channel in the runner process. */
export const EVENT_FD = 3;

/**
 * Why a run ended without a verdict from the runner:
 * - `exit`: connector code ended the process (`process.exit`, `process.reallyExit`, a non-zero exit);
 * - `crashed`: the process died by a signal (SIGSEGV, SIGABRT, V8 heap exhaustion, an outside kill);
 * - `timeout`: the runner stopped answering (event loop blocked) or a case/run overran its limit;
 * - `unhandled-rejection` / `uncaught-exception`: Node's fatal handlers fired outside any case;
 * - `protocol`: the event channel carried something that is not an event (over-long line, bad JSON);
 * - `cancelled`: the user asked to stop (the only reason that is not the connector's fault).
 */
export type CrashReason = "exit" | "crashed" | "timeout" | "unhandled-rejection" | "uncaught-exception" | "protocol" | "cancelled";

/** The runner-level events, besides the engine's. */
export type RunnerOwnEvent =
  /**
   * The outcome of a `run` (local-cache harness) or `bench` job: the report object the CLI prints.
   * Check jobs never send it.
   */
  | { v: 1; type: "result"; runId: string; kind: "run" | "bench"; data: unknown }
  /**
   * The job itself was refused before any connector code ran (a bad option such as a `--cases`
   * glob matching nothing: `blame: "usage"`), or the kit failed on its own (`blame: "kit"`, e.g.
   * a result that could not be serialised). Never the connector's fault.
   */
  | { v: 1; type: "job-error"; runId: string; blame: "usage" | "kit"; errorName: string; message: string }
  /**
   * The job failed after the connector loaded (a store write failing with ENOSPC, a harness
   * error): a failed verdict (exit 1), not a usage error.
   */
  | { v: 1; type: "job-failed"; runId: string; errorName: string; message: string }
  /** The runner's last words before it ends the process on a fatal condition (see `fatal.ts`). */
  | { v: 1; type: "fatal"; runId: string; reason: CrashReason; detail: string }
  /** Liveness: the runner's event loop turned (sent every `heartbeatMs`; not delivered to listeners). */
  | { v: 1; type: "heartbeat"; runId: string }
  /**
   * Written by the PARENT, never by the runner: what the connector printed on its stdout/stderr
   * while `caseId` was in flight (bounded; `dropped` bytes were cut from the middle).
   */
  | { v: 1; type: "connector-output"; runId: string; caseId?: string; stream: "stdout" | "stderr"; text: string; dropped: number }
  /**
   * Written by the PARENT: the connector took the runner down or hung it. `caseId` is the case
   * in flight (absent between cases); `exitCode`/`signal` as the OS reported them.
   */
  | {
      v: 1;
      type: "runner-crashed";
      runId: string;
      reason: CrashReason;
      detail: string;
      caseId?: string;
      exitCode?: number | null;
      signal?: string | null;
    };

export type RunnerEvent = ConformanceEvent | RunnerOwnEvent;

/** Events only the parent may make: a runner line claiming one of these is refused. */
const PARENT_ONLY = new Set(["connector-output", "runner-crashed"]);

/** Serialises one event as an NDJSON line. */
export function encodeEvent(event: RunnerEvent): string {
  return JSON.stringify(event) + "\n";
}

/** Parses one NDJSON line; throws a clear error on a foreign or newer protocol. */
export function decodeEvent(line: string): RunnerEvent {
  const value = JSON.parse(line) as { v?: unknown; type?: unknown };
  if (value === null || typeof value !== "object" || typeof value.type !== "string") {
    throw new Error(`not a runner event: ${line.slice(0, 200)}`);
  }
  if (value.v !== PROTOCOL_VERSION) {
    throw new Error(`runner protocol version ${String(value.v)} is not supported (expected ${PROTOCOL_VERSION})`);
  }
  return value as RunnerEvent;
}

/** {@link decodeEvent} for a line read from a runner: also refuses the parent-only events. */
export function decodeRunnerLine(line: string): RunnerEvent {
  const event = decodeEvent(line);
  if (PARENT_ONLY.has(event.type)) throw new Error(`the runner may not send a '${event.type}' event`);
  return event;
}
