/**
 * Shared types of the conformance engine (ours, the kit's: LMCache has no conformance suite; the
 * cases encode what LMCache's RemoteBackend and its own connector tests rely on).
 */
import type { CaseInfo, CaseLevel, ConformanceEvent, SkipReason } from "./events";
import type { CaseContext } from "./context";

/** One conformance case: a stable id (`category.name`), a title, an explanation and a body. */
export interface ConformanceCase extends CaseInfo {
  /**
   * `advisory`: LMCache does not rely on what the whole case checks, so any failure of its body
   * is reported as an advisory finding on a passing case (default `required`; parts of a
   * required case can be advisory through `CaseContext.advisory`).
   */
  level?: CaseLevel;
  /** Why the case is required or advisory, citing the LMCache behaviour (shown in reports). */
  basis?: string;
  /**
   * Known failures of LMCache's own connectors, by the LMCache class name the kit ports
   * (`FSConnector`, `RedisConnector`): when the kit's port fails (or is advised on) this case,
   * the report adds "LMCache's own <class> behaves this way too: <note>".
   */
  lmcacheToo?: Partial<Record<UpstreamPort, string>>;
  /** The connector methods the case is about; the first one found in the source file locates a failure. */
  methods: string[];
  /** Allocator capacity for this case's fresh LocalCPUBackend (default {@link DEFAULT_CAPACITY_BYTES}). */
  capacityBytes?: number;
  /** Run with the allocator's poison-on-free debug mode (buffer-ownership cases). */
  poisonOnFree?: boolean;
  /** The body: throws {@link CaseFailure} (or anything) to fail, {@link CaseSkip} to skip. */
  run(ctx: CaseContext): Promise<void>;
}

/** LMCache connectors the kit ports faithfully, by their LMCache class names. */
export type UpstreamPort = "FSConnector" | "RedisConnector";

/** Default allocator capacity of a case: small, so a leak or a runaway allocation shows quickly. */
export const DEFAULT_CAPACITY_BYTES = 4 * 1024 * 1024;

/** A failed expectation, with what was expected and what came back. */
export class CaseFailure extends Error {
  readonly expected?: string;
  readonly actual?: string;
  /** The connector method at fault, used to point at its source line. */
  readonly method?: string;
  constructor(message: string, details: { expected?: string; actual?: string; method?: string } = {}) {
    super(message);
    this.name = "CaseFailure";
    this.expected = details.expected;
    this.actual = details.actual;
    this.method = details.method;
  }
}

/** Thrown by a case to skip itself with a typed reason. A skip never counts as a pass. */
export class CaseSkip extends Error {
  readonly skip: SkipReason;
  constructor(skip: SkipReason) {
    super(skip.detail);
    this.name = "CaseSkip";
    this.skip = skip;
  }
}

/** The `case-finished` event of the runner protocol. */
type CaseFinishedEvent = Extract<ConformanceEvent, { type: "case-finished" }>;

/** What a connector printed (bounded by the runner's parent; a dropped middle is marked in the text). */
export interface ConnectorOutput {
  stdout?: string;
  stderr?: string;
}

/**
 * The outcome of one case: its `case-finished` event's fields, plus its title and category, and
 * (when run through the runner) what the connector printed while the case ran.
 */
export type CaseResult = Omit<CaseFinishedEvent, "v" | "type" | "runId"> & Pick<CaseInfo, "title" | "category" | "level" | "basis"> & { output?: ConnectorOutput };

/** Counts of a run. */
export interface ConformanceSummary {
  passed: number;
  failed: number;
  skipped: number;
  /** Ours: passed cases carrying an advisory finding (counted among `passed` as well). */
  advisories?: number;
}
