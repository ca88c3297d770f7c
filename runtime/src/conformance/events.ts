/**
 * The events the conformance engine streams (ours): the lower layer's half of the runner protocol.
 * `runner/protocol.ts` re-exports these and adds the runner's own events; the engine, its cases and
 * the report renderers import from here, so `conformance/` never depends on `runner/`.
 */

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

/** An event the conformance engine emits (the runner forwards them unchanged). */
export type ConformanceEvent =
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
  /** The connector could not be loaded (bad URL, import error): LMCache's error, as LMCache raises it. */
  | { v: 1; type: "load-error"; runId: string; errorName: string; message: string };
