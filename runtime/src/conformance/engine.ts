/**
 * The conformance engine (ours): runs the cases against a connector URL in-process and streams
 * runner-protocol events. Pure — no process, no terminal; the runner process and the `check`
 * command host it. Every case gets a fresh connector (built by `createConnector`, LMCache's own
 * loading path) over a fresh small LocalCPUBackend; a case that throws, fails or hangs is reported
 * within its timeout and the run goes on.
 */
import { randomUUID } from "node:crypto";
import { ValueError } from "../errors";
import type { LMCacheEngineConfig } from "../config/engine-config";
import type { CaseInfo, ConformanceEvent } from "./events";
import { ALL_CASES } from "./cases";
import { CaseContext } from "./context";
import { resolveSaveChunkMeta } from "../config/engine-config";
import { conformanceConfig } from "./env";
import { upstreamPortOf } from "./upstream-port";
import { redactSecrets } from "../connector/redact";
import { openConnector, type OpenedConnector } from "./env";
import { matchesAny } from "./glob";
import { freshNamespace } from "./keys";
import { describeError, OpRecorder } from "./recording-proxy";
import { describeRejection, locationInStack, RejectionTrap, yieldToEventLoop } from "./rejection-trap";
import { connectorSourceFile, SourceLocator } from "./source-location";
import { DEFAULT_CASE_TIMEOUT_MS, DeadlineExceeded, withDeadline } from "./timeouts";
import { CaseFailure, CaseSkip, DEFAULT_CAPACITY_BYTES, type CaseResult, type ConformanceCase, type ConformanceSummary, type ConnectorOutput, type UpstreamPort } from "./types";

/** Options of {@link runConformance}. */
export interface ConformanceOptions {
  /** Connector URL, e.g. `memory://` or `external://host:0/my_pkg.my_mod/?connector_name=MyConnector`. */
  url: string;
  /** Directory module paths resolve against. */
  cwd: string;
  /** More module search directories (like `sys.path` entries). */
  searchPaths?: string[];
  /** Engine-config overrides (camelCase fields), e.g. `{ extraConfig: { … } }` for the connector's settings. */
  config?: Partial<LMCacheEngineConfig>;
  /** Case-id globs (`roundtrip.*`, `refs.put-keeps-caller-ref`, a bare category); default: all. */
  cases?: string[];
  /** Seed of payloads and the differential generator; default random (reported in `run-started`). */
  seed?: number;
  /** Per-case timeout (default 5000 ms). Single calls get half of it, at most 2 s. */
  timeoutMs?: number;
  /**
   * Ours: a person is debugging the connector, so a pause at a breakpoint is not a failure: the
   * case timeout and every call's deadline become {@link DEBUG_DEADLINE_MS} (`timeoutMs` is
   * ignored). LMCache's own timeouts that cases reproduce (the 5 s ping timeout) stay.
   */
  debugging?: boolean;
  /**
   * `true`: every skip and every advisory finding fails. Strings: case-id globs (their skips and
   * advisories fail), skip kinds whose skips fail, or `advisory` (every advisory finding fails).
   */
  strict?: boolean | string[];
  /**
   * Ours: the URL of the connector the differential case compares against (default
   * {@link REFERENCE_URL}, the kit's `memory://`), e.g. `redis://127.0.0.1:6379` to compare with
   * the kit's port of LMCache's RedisConnector. Opened like the subject (same config, fresh
   * backend per case); one that does not load is a `ValueError` before any case runs.
   */
  referenceUrl?: string;
  /** fast-check replay path of a differential counterexample (use with the reported seed). */
  replayPath?: string;
  /** Receives every event, in order. */
  onEvent?: (event: ConformanceEvent) => void;
  /** Stops the run between cases; cases not yet run are not reported. */
  signal?: AbortSignal;
  /** Run id carried by the events (default: a random UUID). */
  runId?: string;
  /**
   * Ours. `true`: for the duration of the run, take over the process's `unhandledRejection`
   * listeners and fail the case during which a rejection surfaces ("the connector left an
   * unhandled promise rejection: …"); rejections outside any case go to the listeners installed
   * before (the runner process then reports `runner-crashed`), and those listeners are restored
   * when the run ends. Default `false`: in-process users keep Node's (or their own) handling.
   * The runner's `check` job sets it.
   */
  trapUnhandledRejections?: boolean;
}

/** What {@link runConformance} resolves to. */
export interface ConformanceRun {
  runId: string;
  /** The connector's repr without the brackets, e.g. `MemoryConnector`; the URL when it did not load. */
  connector: string;
  url: string;
  seed: number;
  summary: ConformanceSummary;
  results: CaseResult[];
  ms: number;
  /** Set when the connector could not be loaded (LMCache's exception name and message). */
  loadError?: { errorName: string; message: string };
  /**
   * Ours, set by the runner's parent: the connector crashed, exited or hung the runner. `caseId`
   * is the case in flight (reported among the results as failed); `notRun` the cases never run.
   */
  crash?: { reason: string; detail: string; caseId?: string; notRun: string[] };
  /** Ours, set by the runner's parent: what the connector printed outside any case. */
  output?: ConnectorOutput;
}

/** The URL of the reference every differential case compares against. */
export const REFERENCE_URL = "memory://";

/** Case infos of the cases `globs` select (all when empty); unknown globs select nothing. */
export function selectCases(globs?: readonly string[]): ConformanceCase[] {
  if (!globs || globs.length === 0) return [...ALL_CASES];
  return ALL_CASES.filter((c) => matchesAny(c.id, globs));
}

/** The public description of a case. */
export function caseInfo(c: ConformanceCase): CaseInfo {
  return { id: c.id, category: c.category, title: c.title, explanation: c.explanation, level: c.level ?? "required", ...(c.basis ? { basis: c.basis } : {}) };
}

/** The skip kind-like word `--strict-cases` takes to fail every advisory finding. */
export const STRICT_ADVISORY = "advisory";

/** The case timeout and call deadline of a debugging run (an hour: long enough for a look around). */
export const DEBUG_DEADLINE_MS = 3_600_000;

function validate(opts: ConformanceOptions): { timeoutMs: number; seed: number } {
  const timeoutMs = opts.debugging ? DEBUG_DEADLINE_MS : (opts.timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new ValueError(`timeoutMs must be a positive number, got ${opts.timeoutMs}`);
  const seed = opts.seed ?? Math.floor(Math.random() * 0x7fffffff);
  if (!Number.isSafeInteger(seed)) throw new ValueError(`seed must be an integer, got ${opts.seed}`);
  return { timeoutMs, seed: seed | 0 };
}

function isStrictFor(strict: ConformanceOptions["strict"], id: string, kind: string): boolean {
  if (strict === true) return true;
  if (!strict || strict.length === 0) return false;
  return strict.includes(kind) || matchesAny(id, strict);
}

/**
 * Runs the conformance suite against `opts.url`. Never throws for connector faults; bad options
 * throw `ValueError`. The engine yields to the event loop after every case, so timers, I/O and
 * Node's unhandled-rejection processing run between cases and each case starts on a clean turn.
 */
export async function runConformance(opts: ConformanceOptions): Promise<ConformanceRun> {
  const { timeoutMs, seed } = validate(opts);
  const trap = opts.trapUnhandledRejections ? new RejectionTrap() : null;
  trap?.install();
  try {
    return await runSuite(opts, timeoutMs, seed, trap);
  } finally {
    trap?.uninstall();
  }
}

async function runSuite(opts: ConformanceOptions, timeoutMs: number, seed: number, trap: RejectionTrap | null): Promise<ConformanceRun> {
  const started = performance.now();
  const runId = opts.runId ?? randomUUID();
  const emit = opts.onEvent ?? (() => undefined);
  const selected = selectCases(opts.cases);
  if (opts.cases && opts.cases.length > 0 && selected.length === 0) {
    throw new ValueError(`no conformance case matches ${opts.cases.join(", ")}`);
  }
  const opDeadlineMs = opts.debugging ? DEBUG_DEADLINE_MS : Math.max(1, Math.min(2000, Math.floor(timeoutMs / 2)));
  const open = (url: string, capacityBytes: number, poisonOnFree = false): Promise<OpenedConnector> =>
    openConnector({ url, cwd: opts.cwd, searchPaths: opts.searchPaths, config: opts.config, capacityBytes, poisonOnFree, closeDeadlineMs: opDeadlineMs });

  // Load once up front: a URL or module that does not load is LMCache's error, not 40 failed cases.
  let connectorName: string;
  let className: string | undefined;
  let port: UpstreamPort | null = null;
  trap?.open(); // rejections left while loading: reported as an error log once the run starts
  try {
    const probe = await withDeadline(open(opts.url, 1024 * 1024), Math.max(timeoutMs, 10_000), () => `loading ${opts.url} did not finish`);
    const inner = probe.connector.getWrappedConnector();
    className = inner.constructor?.name;
    port = upstreamPortOf(inner);
    connectorName = String(inner).replace(/^<(.*)>$/, "$1") || className || opts.url;
    await probe.close();
  } catch (err) {
    const error = err as Error;
    const loadError = { errorName: error?.name ?? "Error", message: error?.message ?? String(err) };
    await yieldToEventLoop();
    trap?.close();
    emit({ v: 1, type: "load-error", runId, ...loadError });
    return { runId, connector: opts.url, url: opts.url, seed, summary: { passed: 0, failed: 0, skipped: 0 }, results: [], ms: performance.now() - started, loadError };
  }

  await yieldToEventLoop();
  const loadRejections = trap?.close() ?? [];
  const referenceUrl = opts.referenceUrl ?? REFERENCE_URL;
  if (referenceUrl !== REFERENCE_URL) await probeReference(referenceUrl, open, timeoutMs);
  const saveChunkMeta = resolveSaveChunkMeta(conformanceConfig(opts.url, opts.config));

  emit({ v: 1, type: "run-started", runId, connector: connectorName, url: opts.url, seed, cases: selected.map(caseInfo) });
  for (const reason of loadRejections) {
    // Outside any case; a connector constructor's rejection recurs in, and fails, every case.
    emit({ v: 1, type: "log", runId, level: "error", message: `while loading, the connector left an unhandled promise rejection: ${describeRejection(reason)}` });
  }
  const sourceFile = connectorSourceFile(opts.url, opts.cwd, opts.searchPaths);
  const locator = new SourceLocator(sourceFile);
  const results: CaseResult[] = [];
  const summary: ConformanceSummary = { passed: 0, failed: 0, skipped: 0, advisories: 0 };
  for (const [index, c] of selected.entries()) {
    if (opts.signal?.aborted) break;
    emit({ v: 1, type: "case-started", runId, id: c.id });
    const result = await runCase(c, {
      seed,
      timeoutMs,
      opDeadlineMs,
      replay: opts.replayPath !== undefined ? { seed, path: opts.replayPath } : undefined,
      saveChunkMeta,
      referenceUrl,
      open: (capacityBytes, poison) => open(opts.url, capacityBytes, poison),
      openReference: (capacityBytes) => open(referenceUrl, capacityBytes),
      locate: (method) => locator.locate(method, className),
      sourceFile,
      trap,
    });
    if (result.status === "skipped" && result.skip && isStrictFor(opts.strict, c.id, result.skip.kind)) {
      result.status = "failed";
      result.message = `skipped in strict mode: ${result.skip.detail}`;
    }
    noteUpstream(c, result, port);
    if (result.status === "passed" && result.advisory && isStrictFor(opts.strict, c.id, STRICT_ADVISORY)) {
      const a = result.advisory;
      result.status = "failed";
      result.message = `advisory, failed in strict mode: ${a.message} (advisory because ${a.why})${result.lmcacheToo ? ` — ${result.lmcacheToo}` : ""}`;
      if (a.expected !== undefined) result.expected = a.expected;
      if (a.actual !== undefined) result.actual = a.actual;
    }
    summary[result.status] += 1;
    if (result.status === "passed" && result.advisory) summary.advisories = (summary.advisories ?? 0) + 1;
    results.push(result);
    const { title: _t, category: _c, level: _l, basis: _b, ...event } = result;
    emit({ v: 1, type: "case-finished", runId, ...event });
    emit({ v: 1, type: "progress", runId, done: index + 1, total: selected.length, text: c.id });
  }
  const ms = performance.now() - started;
  emit({ v: 1, type: "run-finished", runId, summary: { ...summary }, ms: Math.round(ms) });
  return { runId, connector: connectorName, url: opts.url, seed, summary, results, ms };
}

/** Loads the `--reference` connector once; one that does not load is a usage error (`ValueError`). */
async function probeReference(url: string, open: (url: string, capacityBytes: number) => Promise<OpenedConnector>, timeoutMs: number): Promise<void> {
  try {
    const probe = await withDeadline(open(url, 1024 * 1024), Math.max(timeoutMs, 10_000), () => `loading ${url} did not finish`);
    await probe.close();
  } catch (err) {
    // The reference's password never reaches a report (the run's own URL is redacted by the renderers).
    throw new ValueError(redactSecrets(`the reference connector ${url} could not be loaded: ${describeError(err)}`, [url]));
  }
}

/**
 * Adds "LMCache's own <class> behaves this way too" to a failed or advised case when the
 * connector is the kit's port of that LMCache connector and the case knows the upstream fault.
 */
function noteUpstream(c: ConformanceCase, result: CaseResult, port: UpstreamPort | null): void {
  const note = port ? c.lmcacheToo?.[port] : undefined;
  if (!note || !(result.status === "failed" || result.advisory)) return;
  result.lmcacheToo = `LMCache's own ${port} behaves this way too: ${note}`;
  if (result.status === "failed") result.message = `${result.message ?? "failed"} — ${result.lmcacheToo}`;
}

interface CaseRunOptions {
  seed: number;
  saveChunkMeta: boolean;
  referenceUrl: string;
  timeoutMs: number;
  opDeadlineMs: number;
  replay?: { seed: number; path?: string };
  open(capacityBytes: number, poisonOnFree?: boolean): Promise<OpenedConnector>;
  openReference(capacityBytes: number): Promise<OpenedConnector>;
  locate(method: string | undefined): CaseResult["location"];
  /** The connector's source file, to point a rejection's stack at (null when unknown). */
  sourceFile: string | null;
  trap: RejectionTrap | null;
}

/**
 * Runs one case, then yields one event-loop turn — with the rejection window still open, since
 * Node reports a rejection only after the turn that made it — and fails the case for every
 * unhandled rejection that surfaced meanwhile.
 */
async function runCase(c: ConformanceCase, o: CaseRunOptions): Promise<CaseResult> {
  o.trap?.open();
  const { result, recorder } = await runCaseBody(c, o);
  await yieldToEventLoop();
  const rejections = o.trap?.close() ?? [];
  if (rejections.length === 0) return result;
  const first = describeRejection(rejections[0]);
  const more = rejections.length > 1 ? ` (and ${rejections.length - 1} more)` : "";
  const message = `the connector left an unhandled promise rejection: ${first}${more}`;
  if (result.status === "failed") {
    result.message = `${result.message ?? "failed"}; also, ${message}`;
  } else {
    result.status = "failed";
    result.message = message;
    result.expected = "no unhandled promise rejections";
    result.actual = rejections.map(describeRejection).join("; ");
    delete result.skip;
    delete result.advisory;
    result.location = locationInStack(rejections[0], o.sourceFile) ?? o.locate(recorder?.lastFailedMethod ?? "constructor");
    if (recorder) result.ops = recorder.ops.slice(-60);
  }
  return result;
}

/** Runs one case on its own connector and backend; always resolves to a result. */
async function runCaseBody(c: ConformanceCase, o: CaseRunOptions): Promise<{ result: CaseResult; recorder?: OpRecorder }> {
  const started = performance.now();
  const base = { id: c.id, title: c.title, category: c.category, level: c.level ?? "required", ...(c.basis ? { basis: c.basis } : {}) };
  const finish = (extra: Partial<CaseResult> & { status: CaseResult["status"] }): CaseResult => ({
    ...base,
    ms: Math.round((performance.now() - started) * 100) / 100,
    ...extra,
  });
  const capacity = c.capacityBytes ?? DEFAULT_CAPACITY_BYTES;
  let opened: OpenedConnector;
  try {
    opened = await withDeadline(o.open(capacity, c.poisonOnFree), o.timeoutMs, () => `constructing the connector took longer than ${o.timeoutMs} ms`);
  } catch (err) {
    return { result: finish({ status: "failed", message: `constructing the connector failed: ${describeError(err)}`, location: o.locate("constructor") }) };
  }
  const recorder = new OpRecorder();
  const ctx = new CaseContext({
    caseId: c.id,
    seed: o.seed,
    opDeadlineMs: o.opDeadlineMs,
    timeoutMs: o.timeoutMs,
    namespace: freshNamespace(),
    subject: { ...opened, connector: recorder.wrap(opened.connector) },
    recorder,
    replay: o.replay,
    saveChunkMeta: o.saveChunkMeta,
    referenceUrl: o.referenceUrl,
    openSubject: async (x) => {
      const more = await o.open(x?.capacityBytes ?? capacity, c.poisonOnFree);
      return { ...more, connector: recorder.wrap(more.connector) };
    },
    openReference: (x) => o.openReference(x?.capacityBytes ?? capacity),
  });
  const doubleFreesBefore = opened.allocator.stats().doubleFrees;
  let result: CaseResult;
  try {
    await withDeadline(c.run(ctx), o.timeoutMs, () => {
      const pending = recorder.describePending();
      return `the case did not finish within ${o.timeoutMs} ms${pending.length ? `; still pending: ${pending.join("; ")}` : ""}`;
    });
    const doubleFrees = opened.allocator.stats().doubleFrees - doubleFreesBefore;
    result =
      doubleFrees > 0
        ? finish({
            status: "failed",
            message: `${doubleFrees} double free(s) during the case: a connector released a reference it did not own`,
            expected: "0 double frees",
            actual: `${doubleFrees}`,
            location: o.locate("put"),
          })
        : finish({ status: "passed" });
  } catch (err) {
    if (c.level === "advisory" && !(err instanceof CaseSkip)) {
      // The whole case is advisory: its failure is a finding on a passing case.
      const failure = err instanceof CaseFailure ? err : null;
      ctx.advisories.unshift({
        message: failure ? failure.message : err instanceof DeadlineExceeded ? err.message : `the case raised ${describeError(err)}`,
        why: c.basis ?? "LMCache does not rely on it",
        expected: failure?.expected,
        actual: failure ? failure.actual : describeError(err),
        method: failure?.method ?? recorder.lastFailedMethod ?? recorder.pendingMethods()[0] ?? c.methods[0],
      });
      result = finish({ status: "passed" });
    } else if (err instanceof CaseSkip) {
      result = finish({ status: "skipped", skip: err.skip, message: err.skip.detail });
    } else if (err instanceof CaseFailure) {
      result = finish({ status: "failed", message: err.message, expected: err.expected, actual: err.actual, location: o.locate(err.method ?? recorder.lastFailedMethod ?? c.methods[0]) });
    } else if (err instanceof DeadlineExceeded) {
      const method = recorder.pendingMethods()[0] ?? c.methods[0];
      result = finish({ status: "failed", message: err.message, expected: `the case to finish within ${o.timeoutMs} ms`, actual: "timed out", location: o.locate(method) });
    } else {
      const method = recorder.lastFailedMethod ?? c.methods[0];
      result = finish({ status: "failed", message: `the case raised ${describeError(err)}`, actual: describeError(err), location: o.locate(method) });
    }
  }
  if (result.status === "passed" && ctx.advisories.length > 0) {
    const first = ctx.advisories[0]!;
    result.advisory = {
      message: first.message,
      why: first.why,
      ...(first.expected !== undefined ? { expected: first.expected } : {}),
      ...(first.actual !== undefined ? { actual: first.actual } : {}),
      count: ctx.advisories.length,
    };
    result.location = o.locate(first.method ?? c.methods[0]);
  }
  recorder.close(result.status === "failed" && /did not finish/.test(result.message ?? "") ? "timed out" : "finished");
  if (result.status === "failed" || result.advisory) result.ops = recorder.ops.slice(-60);
  if (ctx.resultReplay) result.replay = ctx.resultReplay;
  await ctx.runCleanups();
  await opened.close();
  opened.allocator.close?.();
  result.ms = Math.round((performance.now() - started) * 100) / 100;
  return { result, recorder };
}
