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

/**
 * Whether LMCache relies on what a case checks (ours). `required`: RemoteBackend or LMCache's own
 * connector tests depend on it, so a failure fails the run. `advisory`: good practice LMCache does
 * not rely on (e.g. `list()`, which RemoteBackend never calls); a finding is reported on a passing
 * case and fails only under `--strict`.
 */
export type CaseLevel = "required" | "advisory";

export interface CaseInfo {
  /** Stable id, e.g. "roundtrip.full-chunk". */
  id: string;
  category: string;
  title: string;
  /** One paragraph: what is checked and which LMCache behaviour it protects. */
  explanation: string;
  /** Ours: whether LMCache relies on the case (absent = required). */
  level?: CaseLevel;
  /** Ours: why the case is required or advisory, citing the LMCache behaviour. */
  basis?: string;
}

/**
 * A finding LMCache does not rely on (ours), carried by a case that still passed: what was seen,
 * and why it does not fail the run. `--strict` (or `--strict-cases`) turns it into a failure.
 */
export interface AdvisoryFinding {
  message: string;
  /** Why LMCache does not rely on this (the case's or the check's basis). */
  why: string;
  expected?: string;
  actual?: string;
  /** How many advisory findings the case had (the first is described). */
  count: number;
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
      /** Ours: set on a passing case that found something LMCache does not rely on. */
      advisory?: AdvisoryFinding;
      /**
       * Ours: set when the connector is the kit's port of an LMCache connector that is known to
       * fail this case the same way ("LMCache's own FSConnector behaves this way too: …").
       */
      lmcacheToo?: string;
    }
  | { v: 1; type: "log"; runId: string; level: "debug" | "info" | "warning" | "error"; message: string }
  | { v: 1; type: "progress"; runId: string; done: number; total: number; text?: string }
  | {
      v: 1;
      type: "run-finished";
      runId: string;
      /** `advisories` (ours, additive): passed cases that carry an {@link AdvisoryFinding}. */
      summary: { passed: number; failed: number; skipped: number; advisories?: number };
      ms: number;
    }
  /** The connector could not be loaded (bad URL, import error): LMCache's error, as LMCache raises it. */
  | { v: 1; type: "load-error"; runId: string; errorName: string; message: string };
