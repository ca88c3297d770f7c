/**
 * What the parent asks a runner process to do. Ours (the kit's): LMCache has no runner process.
 * The job travels as JSON on the first line of the runner's stdin.
 */
export interface RunnerJob {
  /** `check` runs the conformance suite, `run` the local-cache harness, `bench` the C15 benchmark. */
  kind: "check" | "run" | "bench";
  /** The connector URL, e.g. `memory://` or `external://host:0/my_mod/?connector_name=My`. */
  url: string;
  /** Directory the connector's module path is resolved against. */
  cwd: string;
  /** Optional run id; the runner makes one up when it is missing. */
  runId?: string;
  /** Kind-specific options (conformance `cases`/`seed`/…, harness `requests`/…, bench `rounds`/…). */
  options?: Record<string, unknown>;
  /** How often the runner sends a `heartbeat` event (ms); set by `startRunner`. */
  heartbeatMs?: number;
}

/** Parses and validates a job; throws a clear error naming the bad field. */
export function parseJob(text: string): RunnerJob {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`runner job is not JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== "object") throw new Error("runner job must be a JSON object");
  const job = value as Partial<RunnerJob>;
  if (job.kind !== "check" && job.kind !== "run" && job.kind !== "bench") {
    throw new Error(`runner job kind must be "check", "run" or "bench", got ${JSON.stringify(job.kind)}`);
  }
  if (typeof job.url !== "string" || job.url === "") throw new Error("runner job needs a non-empty string 'url'");
  if (typeof job.cwd !== "string" || job.cwd === "") throw new Error("runner job needs a non-empty string 'cwd'");
  if (job.options !== undefined && (job.options === null || typeof job.options !== "object")) {
    throw new Error("runner job 'options' must be an object");
  }
  if (job.heartbeatMs !== undefined && !(typeof job.heartbeatMs === "number" && job.heartbeatMs > 0)) {
    throw new Error("runner job 'heartbeatMs' must be a positive number");
  }
  return { kind: job.kind, url: job.url, cwd: job.cwd, runId: job.runId, options: job.options ?? {}, heartbeatMs: job.heartbeatMs };
}

/**
 * `job` as a person debugging the connector runs it: a `check` with its deadlines lifted
 * (conformance `debugging`), so a pause at a breakpoint is not a failed case. Other kinds keep
 * LMCache's own timeouts (`blocking_timeout_secs`), which the harness reproduces.
 */
export function debuggingJob(job: RunnerJob): RunnerJob {
  return job.kind === "check" ? { ...job, options: { ...job.options, debugging: true } } : job;
}
