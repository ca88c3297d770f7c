/**
 * What a case body gets (ours): the recorded connector, its fresh LocalCPUBackend and allocator,
 * key and payload factories, and assertion helpers that fail with expected/actual text.
 */
import type { CacheEngineKey } from "../keys/cache-engine-key";
import type { MemoryAllocator } from "../memory/allocator";
import type { MemoryObj } from "../memory/memory-obj";
import type { InstrumentedRemoteConnector } from "../connector/instrumented-connector";
import type { LocalCPUBackend } from "../storage-backend/local-cpu-backend";
import type { AdvisoryFinding, SkipReason } from "./events";
import { NotImplementedError } from "../errors";
import type { OpenedConnector } from "./env";
import { makeKey, type KeyOptions } from "./keys";
import { describeObj, describeSpec, firstDifference, patternBytes, specBytes, type PayloadSpec } from "./payload";
import { describeError, valueText, type OpRecorder } from "./recording-proxy";
import { callWithDeadline } from "./timeouts";
import { CaseFailure, CaseSkip } from "./types";

/** The optional capability flags of `RemoteConnector` and the method each one promises. */
export const CAPABILITIES = {
  supportPing: "ping",
  supportBatchedGet: "batchedGet",
  supportBatchedPut: "batchedPut",
  supportBatchedContains: "batchedContains",
  supportBatchedAsyncContains: "batchedAsyncContains",
  supportBatchedGetNonBlocking: "batchedGetNonBlocking",
} as const;

/** One of the `support*()` flag names. */
export type CapabilityFlag = keyof typeof CAPABILITIES;

/** Everything a case body can use. One context per case; nothing is shared between cases. */
export interface CaseContextInit {
  caseId: string;
  seed: number;
  opDeadlineMs: number;
  timeoutMs: number;
  namespace: string;
  subject: OpenedConnector;
  recorder: OpRecorder;
  replay?: { seed: number; path?: string };
  /** LMCache's `resolve_save_chunk_meta` of the run's config: false = no header, model-shaped chunks only. */
  saveChunkMeta: boolean;
  /** The URL of the differential reference (`memory://` unless `--reference` names another). */
  referenceUrl: string;
  openSubject(opts?: { capacityBytes?: number }): Promise<OpenedConnector>;
  openReference(opts?: { capacityBytes?: number }): Promise<OpenedConnector>;
}

/** One advisory finding recorded by {@link CaseContext.advisory}. */
export type RecordedAdvisory = Omit<AdvisoryFinding, "count"> & { method?: string };

/** Helpers and state of one running case. */
export class CaseContext {
  readonly caseId: string;
  readonly seed: number;
  /** Deadline of a single connector call (half the case timeout, at most 2 s). */
  readonly opDeadlineMs: number;
  readonly timeoutMs: number;
  /** A per-case model-name prefix so keys of different cases and runs never meet. */
  readonly namespace: string;
  readonly recorder: OpRecorder;
  /** Set when the case replays a differential counterexample. */
  readonly replay?: { seed: number; path?: string };
  /** The connector under test, through LMCache's Instrumented wrapper, with every call recorded. */
  readonly connector: InstrumentedRemoteConnector;
  readonly backend: LocalCPUBackend;
  readonly allocator: MemoryAllocator;
  private readonly init: CaseContextInit;
  private readonly cleanups: (() => Promise<void> | void)[] = [];
  /** Extra fields a case wants in its result (differential replay info). */
  resultReplay?: { seed: number; path?: string };
  /**
   * LMCache's `resolve_save_chunk_meta(config)` for this run. When false, LMCache stores no
   * header and only ever puts full or partial KV chunks of the model's shape (anything else
   * cannot be read back through `reshape_partial_chunk`), so the cases send only those.
   */
  readonly saveChunkMeta: boolean;
  /** The differential reference's URL (`memory://` by default). */
  readonly referenceUrl: string;
  /** Advisory findings of this case, in order (see {@link advisory}). */
  readonly advisories: RecordedAdvisory[] = [];

  constructor(init: CaseContextInit) {
    this.init = init;
    this.caseId = init.caseId;
    this.seed = init.seed;
    this.opDeadlineMs = init.opDeadlineMs;
    this.timeoutMs = init.timeoutMs;
    this.namespace = init.namespace;
    this.recorder = init.recorder;
    this.replay = init.replay;
    this.connector = init.subject.connector;
    this.backend = init.subject.backend;
    this.allocator = init.subject.allocator;
    this.saveChunkMeta = init.saveChunkMeta;
    this.referenceUrl = init.referenceUrl;
  }

  // ---- factories ---------------------------------------------------------------------------

  /** A real `CacheEngineKey` in this case's namespace; the same `id` always gives the same key. */
  key(id: number, opts: KeyOptions = {}): CacheEngineKey {
    return makeKey(this.namespace, id, opts);
  }

  /** Allocates `spec` from the backend and fills it with the bytes of `variant` (ref count 1). */
  payload(spec: PayloadSpec, variant: number): MemoryObj {
    const obj = this.backend.allocate(spec.shape, spec.dtype, spec.fmt);
    if (obj === null) {
      throw new CaseFailure(`the harness could not allocate ${describeSpec(spec)} (${specBytes(spec)} B)`, {
        expected: "an allocation",
        actual: `null; allocator ${JSON.stringify(this.allocator.stats())}`,
      });
    }
    obj.byteArray.set(patternBytes(specBytes(spec), this.seed, variant));
    return obj;
  }

  /** Like LMCache's connector test: allocate, `refCountUp()` (caller keeps a reference), fill. */
  ownedPayload(spec: PayloadSpec, variant: number): MemoryObj {
    const obj = this.payload(spec, variant);
    obj.refCountUp();
    this.defer(() => releaseOnce(obj));
    return obj;
  }

  /** Opens another connector on the same URL (fresh backend); closed when the case ends. */
  async openSubject(opts?: { capacityBytes?: number }): Promise<OpenedConnector> {
    const opened = await this.init.openSubject(opts);
    this.defer(() => opened.close());
    return opened;
  }

  /** Opens a fresh reference connector (`memory://` or `--reference`); closed when the case ends. */
  async openReference(opts?: { capacityBytes?: number }): Promise<OpenedConnector> {
    const opened = await this.init.openReference(opts);
    this.defer(() => opened.close());
    return opened;
  }

  /** Registers clean-up to run when the case ends (last registered runs first). */
  defer(fn: () => Promise<void> | void): void {
    this.cleanups.push(fn);
  }

  /** Runs the registered clean-ups; errors are ignored (the case result is already decided). */
  async runCleanups(): Promise<void> {
    while (this.cleanups.length > 0) {
      const fn = this.cleanups.pop()!;
      try {
        await callWithDeadline(fn, this.opDeadlineMs, () => "clean-up did not finish");
      } catch {
        /* clean-up is best effort */
      }
    }
  }

  // ---- calls -------------------------------------------------------------------------------

  /**
   * Calls a connector method under the per-op deadline. A throw or rejection fails the case
   * with the method named (unless `allowError`), so a broken method is reported, not crashed on.
   */
  async call<T>(method: string, fn: () => T | Promise<T>): Promise<T> {
    try {
      return await callWithDeadline(fn, this.opDeadlineMs, () => `${method}() did not settle within ${this.opDeadlineMs} ms`);
    } catch (err) {
      if (err instanceof CaseFailure || err instanceof CaseSkip) throw err;
      throw new CaseFailure(`${method}() failed: ${describeError(err)}`, {
        expected: `${method}() to settle normally`,
        actual: describeError(err),
        method,
      });
    }
  }

  /** Calls `fn` and returns the error it raised (or `null` if it did not), under the op deadline. */
  async callForError(method: string, fn: () => unknown): Promise<unknown> {
    try {
      await callWithDeadline(fn, this.opDeadlineMs, () => `${method}() did not settle within ${this.opDeadlineMs} ms`);
      return null;
    } catch (err) {
      return err;
    }
  }

  /** The value of a `support*()` flag; a flag that throws fails the case. */
  capability(flag: CapabilityFlag): boolean {
    const fn = (this.connector as unknown as Record<string, unknown>)[flag];
    if (typeof fn !== "function") return false;
    let value: unknown;
    try {
      value = (fn as () => unknown).call(this.connector);
    } catch (err) {
      throw new CaseFailure(`${flag}() threw ${describeError(err)}`, { expected: "true or false", actual: describeError(err), method: flag });
    }
    if (typeof value !== "boolean") {
      throw new CaseFailure(`${flag}() must return a boolean (LMCache calls it synchronously)`, {
        expected: "true or false",
        actual: String(value),
        method: flag,
      });
    }
    return value;
  }

  /** Skips the case unless the connector declares `flag`. */
  requireCapability(flag: CapabilityFlag): void {
    if (!this.capability(flag)) this.skip("capability-not-declared", `${flag}() returned false`);
  }

  /**
   * `removeSync(key)`, or a typed skip when the connector keeps LMCache's base default
   * (`NotImplementedError`): RemoteBackend.remove treats that as "not removed".
   */
  async removeOrSkip(key: CacheEngineKey): Promise<unknown> {
    try {
      return await callWithDeadline(() => this.connector.removeSync(key), this.opDeadlineMs, () => `removeSync() did not settle`);
    } catch (err) {
      if (err instanceof NotImplementedError || (err as Error)?.name === "NotImplementedError") {
        this.skip("capability-not-declared", "removeSync() raises NotImplementedError (LMCache's base default)");
      }
      throw new CaseFailure(`removeSync() failed: ${describeError(err)}`, { actual: describeError(err), method: "removeSync" });
    }
  }

  // ---- assertions --------------------------------------------------------------------------

  /**
   * Runs a check LMCache does not rely on (`why` says so, citing the LMCache behaviour): a
   * failure inside `body` (an assertion, a throw, a timeout) is recorded as an advisory finding
   * and the case goes on; the case then passes with the finding attached (failing only under
   * `--strict`). A skip inside `body` is ignored. Returns whether `body` passed.
   */
  async advisory(why: string, body: () => Promise<void> | void): Promise<boolean> {
    try {
      await body();
      return true;
    } catch (err) {
      if (err instanceof CaseSkip) return true;
      if (err instanceof CaseFailure) {
        this.advisories.push({ message: err.message, why, expected: err.expected, actual: err.actual, method: err.method });
      } else {
        this.advisories.push({ message: `the check raised ${describeError(err)}`, why, actual: describeError(err), method: this.recorder.lastFailedMethod ?? undefined });
      }
      return false;
    }
  }

  /**
   * `existsSync(key)` as LMCache calls `exists_sync`: directly, on the caller's thread, using the
   * returned value as is. A Promise (an `async existsSync`) fails the case: in LMCache a coroutine
   * returned by `exists_sync` is truthy, so every key would "exist".
   */
  existsSyncNow(key: CacheEngineKey): boolean {
    let value: unknown;
    try {
      value = this.connector.existsSync(key);
    } catch (err) {
      this.fail(`existsSync() failed: ${describeError(err)}`, { expected: "true or false", actual: describeError(err), method: "existsSync" });
    }
    if (typeof value !== "boolean") {
      const thenable = value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function";
      if (thenable) (value as Promise<unknown>).then(undefined, () => undefined); // never an unhandled rejection of ours
      this.fail(
        thenable
          ? "existsSync() returned a Promise: LMCache calls exists_sync directly and uses the result as a boolean, so an async existsSync makes every key 'exist' (a coroutine is truthy)"
          : "existsSync() must return a boolean synchronously",
        { expected: "true or false, synchronously", actual: thenable ? "a Promise" : String(value), method: "existsSync" },
      );
    }
    return value;
  }

  /** Fails the case. */
  fail(message: string, details: { expected?: string; actual?: string; method?: string } = {}): never {
    throw new CaseFailure(message, details);
  }

  /** Skips the case with a typed reason. */
  skip(kind: SkipReason["kind"], detail: string): never {
    throw new CaseSkip({ kind, detail });
  }

  /** Fails unless `actual === expected`. */
  equal<T>(actual: T, expected: T, message: string, method?: string): void {
    if (!Object.is(actual, expected)) {
      // valueText never throws: a BigInt or a cycle from the connector is reported, not blamed on the kit.
      this.fail(message, { expected: valueText(expected), actual: valueText(actual), method });
    }
  }

  /**
   * Fails unless `obj` is a valid object with `spec`'s shape, dtype and format and exactly the
   * bytes of `variant`; returns the object.
   */
  expectPayload(obj: MemoryObj | null | undefined, spec: PayloadSpec, variant: number, what: string, method = "get"): MemoryObj {
    const expectedText = `${describeSpec(spec)}, ${specBytes(spec)} B of pattern #${variant}`;
    if (obj === null || obj === undefined) this.fail(`${what}: got ${String(obj)}`, { expected: expectedText, actual: String(obj), method });
    if (typeof obj.isValid !== "function" || typeof obj.getSize !== "function") {
      this.fail(`${what}: the result is not a MemoryObj`, { expected: expectedText, actual: Object.prototype.toString.call(obj), method });
    }
    if (!obj.isValid()) this.fail(`${what}: the returned MemoryObj is already invalidated (freed)`, { expected: expectedText, actual: "invalidated", method });
    const actualText = describeObj(obj);
    const shape = obj.getShape();
    if (JSON.stringify(shape) !== JSON.stringify(spec.shape) || obj.getDtype() !== spec.dtype || obj.getMemoryFormat() !== spec.fmt) {
      this.fail(`${what}: shape, dtype or format changed`, { expected: expectedText, actual: actualText, method });
    }
    const expected = patternBytes(specBytes(spec), this.seed, variant);
    const at = firstDifference(obj.byteArray, expected);
    if (at !== -1) {
      const got = obj.byteArray.length > at ? `0x${obj.byteArray[at]!.toString(16).padStart(2, "0")}` : "end of data";
      this.fail(`${what}: bytes differ at offset ${at} (got ${got}, expected 0x${(expected[at] ?? 0).toString(16).padStart(2, "0")})`, {
        expected: expectedText,
        actual: `${actualText}, ${obj.byteArray.length} B`,
        method,
      });
    }
    return obj;
  }

  /** Allocator stats now (live objects, used bytes, double frees). */
  stats(): ReturnType<MemoryAllocator["stats"]> {
    return this.allocator.stats();
  }
}

/** Drops the one reference the caller holds on `obj`, if the object is still alive (clean-ups). */
export function releaseOnce(obj: MemoryObj | null | undefined): void {
  if (obj && obj.isValid() && obj.getRefCount() > 0) obj.refCountDown();
}
