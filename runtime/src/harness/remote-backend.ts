/**
 * `RemoteBackend` (`lmcache/v1/storage_backend/remote_backend.py`) re-implemented to drive a
 * connector the way LMCache does, in front of a `LocalCPUBackend`.
 *
 * Node has one thread, so LMCache's "schedule on the connector loop, wait on the future with a
 * timeout" becomes "start the promise, race it against a timer". Consequences worth knowing:
 * - A timeout cannot stop a connector stuck in a synchronous loop (nothing can, in-process); the
 *   runner's watchdog handles that by killing the process.
 * - LMCache cancels a timed-out future; a result that still arrives later is dropped with the
 *   coroutine. Here the promise cannot be cancelled, so a late object is RELEASED when it arrives
 *   (counted in `stats.lateResults`) — ours, so the leak report blames only the connector.
 * - Deadlines (`blocking_timeout_secs`, LMCache's default 10 s): get and batched get are bounded
 *   as in LMCache. LMCache never waits for a put (fire-and-forget) and waits for `exists` and
 *   `close` with no timeout; the kit bounds those with the same value too (ours), so a call that
 *   never settles is reported in {@link RemoteBackend.hungCalls} ("put() did not settle within
 *   10000 ms") instead of stalling the run. A put past its deadline keeps its key in `putTasks`
 *   until it really settles, as LMCache's done-callback would.
 */
import { AssertionError, TypeError as PyTypeError } from "../errors";
import type { CacheEngineKey } from "../keys/cache-engine-key";
import { getLogger } from "../logging";
import { boundedCall, DeadlineExceeded, HungCallLog } from "./hung-calls";
import type { MemoryObj } from "../memory/memory-obj";
import { LatencyRecorder } from "./latency";
import type { RemoteConnection } from "./remote-connection";
import { createSerde, type Deserializer, type Serializer } from "./serde";

const logger = getLogger("lmcache.v1.storage_backend.remote_backend");

/** LMCache `min_reconnect_interval`: no reconnect attempt within 10 s of the last failure. */
export const MIN_RECONNECT_INTERVAL_MS = 10_000;

/** The config values RemoteBackend reads (see `remoteBackendSettings` in `settings.ts`). */
export interface RemoteBackendSettings {
  /**
   * `blocking_timeout_secs` (LMCache default 10): LMCache's bound on get / batched get; the kit's
   * bound on put / exists / close too.
   */
  blockingTimeoutSecs: number;
  /** `extra_config["use_exists_sync"]`: contains() calls `existsSync` on the caller's turn. */
  useExistsSync: boolean;
  /** `remote_serde` (default `"naive"`). */
  remoteSerde?: string;
  /**
   * LMCache's precomputed `_mla_worker_id_as0_mode`: `extra_config["remote_enable_mla_worker_id_as0"]`
   * (default `metadata.use_mla`) and MLA and `world_size > 1` and `worker_id != 0`. Reads use
   * worker id 0; puts are skipped.
   */
  mlaWorkerIdAs0?: boolean;
}

export interface RemoteBackendOptions {
  url: string;
  settings: RemoteBackendSettings;
  /** `CreateConnector(url, …)`; must return an instrumented connection (puts release their ref). */
  connect(url: string): Promise<RemoteConnection>;
  /**
   * Whether a `LocalCPUBackend` is present (default true). LMCache passes `None` in the scheduler
   * role: get_blocking → None, batched_get_blocking → all None, batched_get_non_blocking → [].
   */
  hasLocalCpuBackend?: boolean;
  /** Clock, for tests of the reconnect interval. */
  now?: () => number;
}

/** Counters the harness reports. */
export interface RemoteBackendStats {
  bytesWritten: number;
  bytesRead: number;
  putFailures: number;
  getTimeouts: number;
  getFailures: number;
  containsFailures: number;
  /** Objects that arrived after their get had timed out (released on arrival; ours). */
  lateResults: number;
  /** Put submissions skipped because the same key was already in flight. */
  dedupedPuts: number;
  /** Puts skipped by the MLA worker-id-0 mode (non-zero ranks never write). */
  mlaSkippedPuts: number;
  /** `batched_put` calls (made exclusively when `support_batched_put()`). */
  batchedPuts: number;
  /** `batched_contains` / `batched_async_contains` calls that raised or timed out (→ 0). */
  batchedContainsFailures: number;
  /** `batched_get_non_blocking` calls that raised or timed out (→ []). */
  nonBlockingGetFailures: number;
  /**
   * Failed remote gets since the health check last asked (LMCache's interval remote-failed count:
   * a get or batched get that raised or timed out; a miss is not a failure).
   */
  intervalRemoteFailed: number;
}

/** Drives one connector like LMCache's RemoteBackend. */
export class RemoteBackend {
  /** The live connection; `null` when creation failed (every op then short-circuits). */
  connection: RemoteConnection | null = null;
  /** Keys (as strings) whose put is in flight — LMCache `put_tasks`. */
  readonly putTasks = new Set<string>();
  readonly latency = { get: new LatencyRecorder(), put: new LatencyRecorder(), exists: new LatencyRecorder() };
  readonly stats: RemoteBackendStats = {
    bytesWritten: 0,
    bytesRead: 0,
    putFailures: 0,
    getTimeouts: 0,
    getFailures: 0,
    containsFailures: 0,
    lateResults: 0,
    dedupedPuts: 0,
    mlaSkippedPuts: 0,
    batchedPuts: 0,
    batchedContainsFailures: 0,
    nonBlockingGetFailures: 0,
    intervalRemoteFailed: 0,
  };
  /** Objects whose put missed its deadline and has not settled: each still holds one reference. */
  readonly heldByHungPuts = new Set<MemoryObj>();
  /** Calls that missed their deadline, by method (ours; see the module comment). */
  readonly hungCalls = new HungCallLog();
  private failureTime: number | null = null;
  private readonly inflight = new Set<Promise<void>>();
  private readonly serializer: Serializer;
  private readonly deserializer: Deserializer;
  private readonly now: () => number;

  constructor(private readonly opts: RemoteBackendOptions) {
    [this.serializer, this.deserializer] = createSerde(opts.settings.remoteSerde ?? "naive");
    this.now = opts.now ?? Date.now;
  }

  /** Whether the MLA worker-id-0 mode is on (see {@link RemoteBackendSettings.mlaWorkerIdAs0}). */
  get mlaWorkerIdAs0Mode(): boolean {
    return this.opts.settings.mlaWorkerIdAs0 === true;
  }

  /** Whether a LocalCPUBackend is present (LMCache: `local_cpu_backend is not None`). */
  get hasLocalCpuBackend(): boolean {
    return this.opts.hasLocalCpuBackend !== false;
  }

  /** The key reads use: worker id 0 in MLA worker-id-0 mode. */
  private readKey(key: CacheEngineKey): CacheEngineKey {
    return this.mlaWorkerIdAs0Mode ? key.withNewWorkerId(0) : key;
  }

  /** `get_and_clear_interval_remote_failed_count()` (newer LMCache, read by the health check). */
  getAndClearIntervalRemoteFailedCount(): number {
    const n = this.stats.intervalRemoteFailed;
    this.stats.intervalRemoteFailed = 0;
    return n;
  }

  /** The deadline of one call (ms): `blocking_timeout_secs`, at least 1 ms. */
  get timeoutMs(): number {
    return Math.max(1, Math.round(this.opts.settings.blockingTimeoutSecs * 1000));
  }

  /**
   * `init_connection()`: no-op when connected; no retry within 10 s of a failure; failures are
   * logged ("Failed to initialize/re-establish remote connection") and leave `connection` null.
   * Returns the error when creation failed, so callers can show it.
   */
  async initConnection(): Promise<Error | null> {
    if (this.connection) return null;
    if (this.failureTime !== null && this.now() - this.failureTime < MIN_RECONNECT_INTERVAL_MS) return null;
    try {
      this.connection = await this.opts.connect(this.opts.url);
      this.failureTime = null;
      return null;
    } catch (err) {
      logger.warning(`Failed to initialize/re-establish remote connection: ${(err as Error).message}`);
      this.connection = null;
      this.failureTime = this.now();
      return err as Error;
    }
  }

  /** `exists_in_put_tasks(key)`. */
  existsInPutTasks(key: CacheEngineKey): boolean {
    return this.putTasks.has(key.toString());
  }

  /**
   * `submit_put_task(key, obj)`: fire-and-forget. No connection, MLA worker-id-0 mode, or key
   * already in flight → an already-settled no-op. Otherwise the in-flight put holds one reference (serialize +1, caller's
   * temporary −1), the instrumented connection releases it, and the key leaves `putTasks` when the
   * put settles. Failures are logged ("Put task failed for key …") and counted, never thrown.
   * The returned promise is for tests and `drain()`; the engine never awaits it.
   */
  submitPutTask(key: CacheEngineKey, obj: MemoryObj, onComplete?: (key: CacheEngineKey) => void): Promise<void> {
    const connection = this.connection;
    const keyStr = key.toString();
    if (!connection) return Promise.resolve();
    if (this.mlaWorkerIdAs0Mode) {
      this.stats.mlaSkippedPuts++;
      return Promise.resolve();
    }
    if (this.putTasks.has(keyStr)) {
      this.stats.dedupedPuts++;
      return Promise.resolve();
    }
    obj.refCountUp();
    this.putTasks.add(keyStr);
    const compressed = this.serializer.serialize(obj);
    obj.refCountDown();
    const size = compressed.getSize();
    const start = performance.now();
    let hung = false;
    // LMCache's done-callback: runs when the put really settles, deadline or not.
    const settled = Promise.resolve()
      .then(() => connection.put(key, compressed))
      .then(
        () => {
          this.stats.bytesWritten += size;
        },
        (err: unknown) => {
          this.stats.putFailures++;
          logger.warning(`Put task failed for key ${keyStr}: ${(err as Error)?.message ?? String(err)}`);
        },
      )
      .finally(() => {
        if (hung) this.heldByHungPuts.delete(compressed);
        else this.latency.put.record(performance.now() - start);
        this.putTasks.delete(keyStr);
        onComplete?.(key);
      });
    return this.track(
      boundedCall(this.hungCalls, "put", this.timeoutMs, () => settled).catch((err: unknown) => {
        if (!(err instanceof DeadlineExceeded)) throw err;
        hung = true;
        this.heldByHungPuts.add(compressed);
        this.latency.put.record(performance.now() - start);
        logger.warning(`Put task for key ${keyStr}: ${err.message}`);
      }),
    );
  }

  /**
   * `batched_submit_put_task(keys, objs)`. With `support_batched_put()`: (nothing in MLA
   * worker-id-0 mode) each object is up-ref'd, serialized and down-ref'd, then ONE
   * `batched_put(keys, objs)` is scheduled — exclusively: no per-key `put`, and, as in LMCache,
   * `put_tasks` is neither checked nor filled first (no de-duplication), though the done-callback
   * removes the keys from it. The instrumented wrapper releases the references and swallows the
   * errors (unless `requires_put_completion()`); an error that still escapes is counted as a put
   * failure. Without the capability: `submit_put_task` per key.
   */
  batchedSubmitPutTask(keys: CacheEngineKey[], objs: MemoryObj[]): Promise<void> {
    const connection = this.connection;
    if (!connection) return Promise.resolve();
    if (!connection.supportBatchedPut()) {
      return Promise.all(keys.map((key, i) => (objs[i] ? this.submitPutTask(key, objs[i]!) : Promise.resolve()))).then(() => undefined);
    }
    if (this.mlaWorkerIdAs0Mode) {
      this.stats.mlaSkippedPuts += keys.length;
      return Promise.resolve();
    }
    const compressed = objs.map((obj) => {
      obj.refCountUp();
      try {
        return this.serializer.serialize(obj);
      } finally {
        obj.refCountDown();
      }
    });
    const size = compressed.reduce((n, o) => n + o.getSize(), 0);
    const start = performance.now();
    let hung = false;
    this.stats.batchedPuts++;
    const settled = Promise.resolve()
      .then(() => connection.batchedPut(keys, compressed))
      .then(
        () => {
          this.stats.bytesWritten += size;
        },
        (err: unknown) => {
          this.stats.putFailures++;
          logger.warning(`Batched put task failed: ${(err as Error)?.message ?? String(err)}`);
        },
      )
      .finally(() => {
        if (hung) for (const o of compressed) this.heldByHungPuts.delete(o);
        else this.latency.put.record(performance.now() - start);
        for (const key of keys) this.putTasks.delete(key.toString());
      });
    return this.track(
      boundedCall(this.hungCalls, "batchedPut", this.timeoutMs, () => settled).catch((err: unknown) => {
        if (!(err instanceof DeadlineExceeded)) throw err;
        hung = true;
        for (const o of compressed) this.heldByHungPuts.add(o);
        this.latency.put.record(performance.now() - start);
        logger.warning(`Batched put task: ${err.message}`);
      }),
    );
  }

  /** Adds a put task to the set `drain()` waits for, until it settles or misses its deadline. */
  private track(task: Promise<void>): Promise<void> {
    this.inflight.add(task);
    void task.finally(() => this.inflight.delete(task));
    return task;
  }

  /** Waits until every put submitted so far has settled or missed its deadline (ours: the engine never waits). */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** `fn` bounded by `blocking_timeout_secs`, as `method`; a late object is released on arrival. */
  private withTimeout<T>(method: string, fn: () => Promise<T>, release: (late: T) => void): Promise<T> {
    return boundedCall(this.hungCalls, method, this.timeoutMs, fn, (late) => {
      this.stats.lateResults++;
      release(late);
    });
  }

  /**
   * `get_blocking(key)`: the object (caller owns the reference) or `null` on a miss, a timeout
   * (`blocking_timeout_secs`) or any error (logged as a warning).
   */
  async getBlocking(key: CacheEngineKey): Promise<MemoryObj | null> {
    if (!this.hasLocalCpuBackend) return null;
    const connection = this.connection;
    if (!connection) return null;
    key = this.readKey(key);
    const start = performance.now();
    try {
      const obj = await this.withTimeout("get", () => connection.get(key), (late) => late?.refCountDown());
      if (obj === null || obj === undefined) return null;
      this.stats.bytesRead += obj.getSize();
      return this.deserializer.deserialize(obj);
    } catch (err) {
      this.noteGetError(key, err);
      return null;
    } finally {
      this.latency.get.record(performance.now() - start);
    }
  }

  private noteGetError(key: CacheEngineKey, err: unknown): void {
    this.stats.intervalRemoteFailed++;
    if (err instanceof DeadlineExceeded) {
      this.stats.getTimeouts++;
      logger.warning(`get blocking timeout for key ${key.toString()}`);
    } else {
      this.stats.getFailures++;
      logger.warning(`Error occurred in get_blocking: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  /**
   * `batched_get_blocking(keys)`. With `supportBatchedGet()`, one `batchedGet` bounded by the
   * timeout (failure → all null). Otherwise every `get` starts at once and results are collected
   * in order; after the first failure or timeout every later slot is null. LMCache leaks a later
   * object that had already arrived (#2544); here it is released (ours), so the leak report stays
   * about the connector. A miss (null) is not a failure: later slots keep their results, exactly
   * as in LMCache — the CALLER applies the prefix rule.
   *
   * Then, as LMCache does, `assert len(objs) == len(keys)`: a `batchedGet` that returns a shorter
   * (or longer) list raises {@link AssertionError} to the caller — LMCache does not pad it, and
   * neither does the kit any more. (The objects in the wrong-length list are released, ours.)
   */
  async batchedGetBlocking(keys: CacheEngineKey[]): Promise<(MemoryObj | null)[]> {
    if (!this.hasLocalCpuBackend) return keys.map(() => null);
    const connection = this.connection;
    if (!connection) return keys.map(() => null);
    const readKeys = keys.map((k) => this.readKey(k));
    const start = performance.now();
    let objs: (MemoryObj | null)[];
    try {
      if (connection.supportBatchedGet()) {
        try {
          const releaseAll = (late: (MemoryObj | null)[]) => (Array.isArray(late) ? late.forEach((o) => o?.refCountDown()) : undefined);
          objs = await this.withTimeout("batchedGet", () => connection.batchedGet(readKeys), releaseAll);
        } catch (err) {
          this.noteGetError(readKeys[0]!, err);
          return keys.map(() => null);
        }
      } else {
        objs = await this.collectGets(connection, readKeys);
      }
    } finally {
      this.latency.get.record(performance.now() - start);
    }
    if (!Array.isArray(objs)) {
      throw new PyTypeError(`'${objs === null ? "NoneType" : typeof objs}' object is not iterable (batched_get returned ${String(objs)})`);
    }
    const results = objs.map((obj) => {
      if (!obj) return null;
      this.stats.bytesRead += obj.getSize();
      return this.deserializer.deserialize(obj);
    });
    if (results.length !== keys.length) {
      for (const obj of results) obj?.refCountDown();
      throw new AssertionError(`keys length: ${keys.length}, decompressed memory objs length: ${results.length}`);
    }
    return results;
  }

  /** The per-key path of `batched_get_blocking`: all gets at once, collected in order. */
  private async collectGets(connection: RemoteConnection, keys: CacheEngineKey[]): Promise<(MemoryObj | null)[]> {
    const futures = keys.map((key) => this.withTimeout("get", () => connection.get(key), (late) => late?.refCountDown()));
    const results: (MemoryObj | null)[] = [];
    let failed = false;
    for (let i = 0; i < keys.length; i++) {
      if (failed) {
        // "cancel" the later futures: release whatever they deliver.
        futures[i]!.then((obj) => obj?.refCountDown(), () => {});
        results.push(null);
        continue;
      }
      try {
        results.push((await futures[i]!) ?? null);
      } catch (err) {
        this.noteGetError(keys[i]!, err);
        failed = true;
        results.push(null);
      }
    }
    return results;
  }

  /** `support_batched_get_non_blocking()`: a connection that supports it. */
  supportBatchedGetNonBlocking(): boolean {
    return this.connection !== null && this.connection.supportBatchedGetNonBlocking();
  }

  /**
   * `batched_get_non_blocking(lookup_id, keys)` (async loading): `[]` without a CPU backend or a
   * connection; else `asyncio.wait_for(connection.batched_get_non_blocking(...), blocking_timeout_secs)`,
   * timeout or error → `[]`. As in LMCache, the keys are NOT rewritten in MLA worker-id-0 mode
   * here. A late list is released on arrival (ours).
   */
  async batchedGetNonBlocking(lookupId: string, keys: CacheEngineKey[]): Promise<MemoryObj[]> {
    if (!this.hasLocalCpuBackend) return [];
    const connection = this.connection;
    if (!connection) return [];
    const start = performance.now();
    try {
      const releaseAll = (late: MemoryObj[]) => (Array.isArray(late) ? late.forEach((o) => o?.refCountDown()) : undefined);
      const objs = await this.withTimeout("batchedGetNonBlocking", () => connection.batchedGetNonBlocking(lookupId, keys), releaseAll);
      for (const obj of objs) if (obj) this.stats.bytesRead += obj.getSize();
      return objs;
    } catch (err) {
      this.stats.nonBlockingGetFailures++;
      logger.warning(err instanceof DeadlineExceeded ? "batched_get_non_blocking timed out" : `Error occurred in batched_get_non_blocking: ${(err as Error)?.message ?? String(err)}`);
      return [];
    } finally {
      this.latency.get.record(performance.now() - start);
    }
  }

  /**
   * `contains(key, pin=False)`: `existsSync` on the caller's turn when `use_exists_sync`, else
   * `await exists(key)`. LMCache waits for `exists` with NO timeout; the kit bounds it with
   * `blocking_timeout_secs` (ours: a miss is recorded as a hung call). `existsSync` is synchronous:
   * only the runner's watchdog can end a loop in it. Errors → false (warning). `pin` ignored.
   */
  async contains(key: CacheEngineKey, _pin = false): Promise<boolean> {
    const connection = this.connection;
    if (!connection) return false;
    key = this.readKey(key);
    const start = performance.now();
    try {
      if (this.opts.settings.useExistsSync) return Boolean(connection.existsSync(key));
      return Boolean(await boundedCall(this.hungCalls, "exists", this.timeoutMs, () => connection.exists(key)));
    } catch (err) {
      this.stats.containsFailures++;
      logger.warning(`Remote connection failed in contains: ${(err as Error)?.message ?? String(err)}`);
      return false;
    } finally {
      this.latency.exists.record(performance.now() - start);
    }
  }

  /**
   * `batched_contains(keys)`: 0 without a connection; the base loop (prefix count via
   * `contains`) when the connector does not `support_batched_contains()`; else the connector's
   * synchronous `batched_contains(keys)` (MLA keys rewritten), an exception → 0.
   */
  async batchedContains(keys: CacheEngineKey[]): Promise<number> {
    const connection = this.connection;
    if (!connection) return 0;
    if (!connection.supportBatchedContains()) {
      let n = 0;
      for (const key of keys) {
        if (!(await this.contains(key))) break;
        n++;
      }
      return n;
    }
    const readKeys = keys.map((k) => this.readKey(k));
    const start = performance.now();
    try {
      return connection.batchedContains(readKeys);
    } catch (err) {
      this.stats.batchedContainsFailures++;
      logger.warning(`Remote connection failed in batched_contains: ${(err as Error)?.message ?? String(err)}`);
      return 0;
    } finally {
      this.latency.exists.record(performance.now() - start);
    }
  }

  /** `support_batched_async_contains()`: a connection that supports it. */
  supportBatchedAsyncContains(): boolean {
    return this.connection !== null && this.connection.supportBatchedAsyncContains();
  }

  /**
   * `batched_async_contains(lookup_id, keys, pin)`: 0 without a connection; asserts the
   * connector's support (a failed assertion is caught like any error → 0); then
   * `asyncio.wait_for(connection.batched_async_contains(...), blocking_timeout_secs)`,
   * timeout or error → 0. MLA keys rewritten.
   */
  async batchedAsyncContains(lookupId: string, keys: CacheEngineKey[], pin = false): Promise<number> {
    const connection = this.connection;
    if (!connection) return 0;
    const readKeys = keys.map((k) => this.readKey(k));
    const start = performance.now();
    try {
      if (!connection.supportBatchedAsyncContains()) throw new AssertionError(`Connector ${String(connection)} does not support batched async contains`);
      return await boundedCall(this.hungCalls, "batchedAsyncContains", this.timeoutMs, () => connection.batchedAsyncContains(lookupId, readKeys, pin));
    } catch (err) {
      this.stats.batchedContainsFailures++;
      logger.warning(err instanceof DeadlineExceeded ? "batched_async_contains timed out" : `Error occurred in batched_async_contains: ${(err as Error)?.message ?? String(err)}`);
      return 0;
    } finally {
      this.latency.exists.record(performance.now() - start);
    }
  }

  /** `remove(key, force=True)` → `connection.remove_sync(key)`; no connection or an exception → false. */
  remove(key: CacheEngineKey, _force = true): boolean {
    const connection = this.connection;
    if (!connection) return false;
    try {
      return connection.removeSync(key);
    } catch (err) {
      logger.warning(`Failed to remove key ${key.toString()} from remote backend, error: ${(err as Error)?.message ?? String(err)}`);
      return false;
    }
  }

  /** `pin`/`unpin` are no-ops that return true in LMCache's RemoteBackend. */
  pin(_key: CacheEngineKey): boolean {
    return true;
  }
  unpin(_key: CacheEngineKey): boolean {
    return true;
  }

  /** `close()`: closes the connection; errors are only logged. Bounded by the kit (LMCache waits for ever). */
  async close(): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    try {
      await boundedCall(this.hungCalls, "close", this.timeoutMs, () => connection.close());
    } catch (err) {
      logger.warning(`Error closing remote connection: ${(err as Error)?.message ?? String(err)}`);
    }
  }
}
