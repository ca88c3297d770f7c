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
 */
import type { CacheEngineKey } from "../keys/cache-engine-key";
import { getLogger } from "../logging";
import type { MemoryObj } from "../memory/memory-obj";
import { LatencyRecorder } from "./latency";
import type { RemoteConnection } from "./remote-connection";
import { createSerde, type Deserializer, type Serializer } from "./serde";

const logger = getLogger("lmcache.v1.storage_backend.remote_backend");

/** LMCache `min_reconnect_interval`: no reconnect attempt within 10 s of the last failure. */
export const MIN_RECONNECT_INTERVAL_MS = 10_000;

/** The config values RemoteBackend reads (see `remoteBackendSettings` in `settings.ts`). */
export interface RemoteBackendSettings {
  /** `blocking_timeout_secs` (LMCache default 10): bound on get / batched get. */
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

class GetTimeout extends Error {
  override name = "TimeoutError";
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
  private failureTime: number | null = null;
  private readonly inflight = new Set<Promise<void>>();
  private readonly serializer: Serializer;
  private readonly deserializer: Deserializer;
  private readonly now: () => number;

  constructor(private readonly opts: RemoteBackendOptions) {
    [this.serializer, this.deserializer] = createSerde(opts.settings.remoteSerde ?? "naive");
    this.now = opts.now ?? Date.now;
  }

  private get timeoutMs(): number {
    return this.opts.settings.blockingTimeoutSecs * 1000;
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
    const task = (async () => {
      try {
        await connection.put(key, compressed);
        this.stats.bytesWritten += size;
      } catch (err) {
        this.stats.putFailures++;
        logger.warning(`Put task failed for key ${keyStr}: ${(err as Error)?.message ?? String(err)}`);
      } finally {
        this.latency.put.record(performance.now() - start);
        this.putTasks.delete(keyStr);
        onComplete?.(key);
      }
    })();
    this.inflight.add(task);
    void task.finally(() => this.inflight.delete(task));
    return task;
  }

  /** Waits until every put submitted so far has settled (ours: the engine never waits). */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Races `promise` against `blocking_timeout_secs`; a late object is released on arrival. */
  private withTimeout<T>(promise: Promise<T>, release: (late: T) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        reject(new GetTimeout(`remote get timed out after ${this.opts.settings.blockingTimeoutSecs} s`));
      }, this.timeoutMs);
      promise.then(
        (value) => {
          if (timedOut) {
            this.stats.lateResults++;
            release(value);
            return;
          }
          clearTimeout(timer);
          resolve(value);
        },
        (err) => {
          clearTimeout(timer);
          if (!timedOut) reject(err);
        },
      );
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
      const obj = await this.withTimeout(Promise.resolve().then(() => connection.get(key)), (late) => late?.refCountDown());
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
    if (err instanceof GetTimeout) {
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
          const objs = await this.withTimeout(Promise.resolve().then(() => connection.batchedGet(keys)), releaseAll);
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
        this.withTimeout(Promise.resolve().then(() => connection.get(key)), (late) => late?.refCountDown()),
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
   * `await exists(key)` — with NO timeout, as in LMCache. Errors → false (warning). `pin` ignored.
   */
  async contains(key: CacheEngineKey, _pin = false): Promise<boolean> {
    const connection = this.connection;
    if (!connection) return false;
    const start = performance.now();
    try {
      if (this.opts.settings.useExistsSync) return Boolean(connection.existsSync(key));
      return Boolean(await connection.exists(key));
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

  /** `close()`: closes the connection; errors are only logged. */
  async close(): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    try {
      await connection.close();
    } catch (err) {
      logger.warning(`Error closing remote connection: ${(err as Error)?.message ?? String(err)}`);
    }
  }
}
