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
}

export interface RemoteBackendOptions {
  url: string;
  settings: RemoteBackendSettings;
  /** `CreateConnector(url, …)`; must return an instrumented connection (puts release their ref). */
  connect(url: string): Promise<RemoteConnection>;
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
   * `submit_put_task(key, obj)`: fire-and-forget. No connection or key already in flight → an
   * already-settled no-op. Otherwise the in-flight put holds one reference (serialize +1, caller's
   * temporary −1), the instrumented connection releases it, and the key leaves `putTasks` when the
   * put settles. Failures are logged ("Put task failed for key …") and counted, never thrown.
   * The returned promise is for tests and `drain()`; the engine never awaits it.
   */
  submitPutTask(key: CacheEngineKey, obj: MemoryObj, onComplete?: (key: CacheEngineKey) => void): Promise<void> {
    const connection = this.connection;
    const keyStr = key.toString();
    if (!connection) return Promise.resolve();
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
    const connection = this.connection;
    if (!connection) return null;
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
    if (err instanceof DeadlineExceeded) {
      this.stats.getTimeouts++;
      logger.warning(`get blocking timeout for key ${key.toString()}`);
    } else {
      this.stats.getFailures++;
      logger.warning(`Error occurred in get_blocking: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  /**
   * `batched_get_blocking(keys)`: always `keys.length` slots. With `supportBatchedGet()`, one
   * `batchedGet` bounded by the timeout (failure → all null). Otherwise every `get` starts at
   * once and results are collected in order; after the first failure or timeout every later slot
   * is null. LMCache leaks a later object that had already arrived (#2544); here it is released
   * (ours), so the leak report stays about the connector. A miss (null) is not a failure: later
   * slots keep their results, exactly as in LMCache — the CALLER applies the prefix rule.
   */
  async batchedGetBlocking(keys: CacheEngineKey[]): Promise<(MemoryObj | null)[]> {
    const connection = this.connection;
    if (!connection) return keys.map(() => null);
    const start = performance.now();
    try {
      if (connection.supportBatchedGet()) {
        try {
          const releaseAll = (late: (MemoryObj | null)[]) => late?.forEach((o) => o?.refCountDown());
          const objs = await this.withTimeout("batchedGet", () => connection.batchedGet(keys), releaseAll);
          return keys.map((_, i) => {
            const obj = objs[i] ?? null;
            if (obj) this.stats.bytesRead += obj.getSize();
            return obj ? this.deserializer.deserialize(obj) : null;
          });
        } catch (err) {
          this.noteGetError(keys[0]!, err);
          return keys.map(() => null);
        }
      }
      const futures = keys.map((key) =>
        this.withTimeout("get", () => connection.get(key), (late) => late?.refCountDown()),
      );
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
          const obj = await futures[i]!;
          if (obj) this.stats.bytesRead += obj.getSize();
          results.push(obj ? this.deserializer.deserialize(obj) : null);
        } catch (err) {
          this.noteGetError(keys[i]!, err);
          failed = true;
          results.push(null);
        }
      }
      return results;
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

  /** Base `batched_contains` loop: prefix hit count via `contains`. */
  async batchedContains(keys: CacheEngineKey[]): Promise<number> {
    let n = 0;
    for (const key of keys) {
      if (!(await this.contains(key))) break;
      n++;
    }
    return n;
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
