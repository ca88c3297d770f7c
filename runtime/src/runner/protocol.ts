/**
 * The runner's wire protocol: newline-delimited JSON events written by the runner process
 * (`runner.js`) on stdout — or on an IPC channel — and read by the CLI and the VS Code extension.
 * Every event carries `v` (protocol version); readers refuse versions they do not know.
 */
export const PROTOCOL_VERSION = 1;

/** How a case ended. A skip never counts as a pass. */
export type CaseStatus = "passed" | "failed" | "skipped";

/** Why a case was skipped (typed, as in go-cloud / Airbyte acceptance tests). */
export interface SkipReason {
  /** e.g. "capability-not-declared" (supportBatchedGet() is false), "not-applicable". */
  kind: "capability-not-declared" | "not-applicable" | "excluded";
  /** Human text, e.g. "supportBatchedGet() returned false". */
  detail: string;
}

/** One connector call recorded while a case ran: the sequence that reproduces a failure. */
export interface RecordedOp {
  op: string;
  /** Key strings, sizes, flags: enough to replay the call. */
  args: unknown[];
  /** What came back ("null", "true", "<MemoryObj 4096 B>", "threw ValueError: …"). */
  result: string;
  ms: number;
}

/** A source location in the connector (1-based line and column). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export interface CaseInfo {
  /** Stable id, e.g. "roundtrip.full-chunk". */
  id: string;
  category: string;
  title: string;
  /** One paragraph: what is checked and which LMCache behaviour it protects. */
  explanation: string;
}

export type RunnerEvent =
  | { v: 1; type: "run-started"; runId: string; connector: string; url: string; seed: number; cases: CaseInfo[] }
  | { v: 1; type: "case-started"; runId: string; id: string }
  | {
      v: 1;
      type: "case-finished";
      runId: string;
      id: string;
      status: CaseStatus;
      ms: number;
      message?: string;
      expected?: string;
      actual?: string;
      skip?: SkipReason;
      ops?: RecordedOp[];
      location?: SourceLocation;
      /** Seed and op sequence needed to replay exactly this case (differential cases). */
      replay?: { seed: number; path?: string };
    }
  | { v: 1; type: "log"; runId: string; level: "debug" | "info" | "warning" | "error"; message: string }
  | { v: 1; type: "progress"; runId: string; done: number; total: number; text?: string }
  | {
      v: 1;
      type: "run-finished";
      runId: string;
      summary: { passed: number; failed: number; skipped: number };
      ms: number;
    }
  /**
   * The outcome of a `run` (local-cache harness) or `bench` job: the report object the CLI prints.
   * Ours, added for the runner's non-conformance jobs; check jobs never send it.
   */
  | { v: 1; type: "result"; runId: string; kind: "run" | "bench"; data: unknown }
  /** The connector could not be loaded (bad URL, import error): LMCache's error, as LMCache raises it. */
  | { v: 1; type: "load-error"; runId: string; errorName: string; message: string }
  /** The connector took the process down or hung it; written by the parent that supervised the runner. */
  | { v: 1; type: "runner-crashed"; runId: string; reason: "exit" | "timeout" | "unhandled-rejection" | "killed"; detail: string };

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
