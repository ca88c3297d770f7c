/**
 * LMCache's `InstrumentedRemoteConnector` (`connector/instrumented_connector.py`, newest copy):
 * the wrapper `createConnector` puts around every connector. It is where the base-class promise
 * "put will decrease the ref count after send finishes" is kept (PR #650), plus byte/latency metrics.
 */
import { getLogger } from "../logging";
import type { CacheEngineKey } from "../keys/cache-engine-key";
import type { MemoryObj } from "../memory/memory-obj";
import { RemoteConnector, errorText } from "./base-connector";

const logger = getLogger("lmcache.v1.storage_backend.connector.instrumented_connector");

/** Counters kept by the wrapper (the kit's stand-in for LMCache's `LMCStatsMonitor`). */
export interface ConnectorStats {
  puts: number;
  putBytes: number;
  putLatencyMs: number;
  gets: number;
  getHits: number;
  getBytes: number;
  getLatencyMs: number;
  batchedPuts: number;
  batchedPutErrors: number;
  batchedGets: number;
}

function emptyStats(): ConnectorStats {
  return {
    puts: 0,
    putBytes: 0,
    putLatencyMs: 0,
    gets: 0,
    getHits: 0,
    getBytes: 0,
    getLatencyMs: 0,
    batchedPuts: 0,
    batchedPutErrors: 0,
    batchedGets: 0,
  };
}

/**
 * Wraps a connector:
 * - `put` releases the object exactly once in `finally` — also when the inner put throws (the
 *   error still propagates);
 * - `batchedPut` logs `"batched put error: <e>"` and does NOT rethrow (unless the inner connector
 *   `requiresPutCompletion()`, Era C), and releases every object once;
 * - `get`, `batchedGet`, `batchedGetNonBlocking` record latency (ms) and bytes read;
 * - every other method is pure delegation, support flags included.
 *
 * Like LMCache it does not run `RemoteConnector`'s constructor, so the chunk-meta fields are
 * undefined on the wrapper: read them from `getWrappedConnector()`.
 */
export class InstrumentedRemoteConnector extends RemoteConnector {
  private readonly connector: RemoteConnector;
  private readonly counters: ConnectorStats = emptyStats();
  /** LMCache `self.name = repr(self)`. */
  readonly name: string;

  constructor(connector: RemoteConnector) {
    super();
    this.connector = connector;
    this.name = this.toString();
  }

  /** The connector this wrapper delegates to. */
  getWrappedConnector(): RemoteConnector {
    return this.connector;
  }

  /** A snapshot of the wrapper's metrics. */
  stats(): ConnectorStats {
    return { ...this.counters };
  }

  override async put(key: CacheEngineKey, obj: MemoryObj): Promise<void> {
    const size = obj.getSize();
    const begin = performance.now();
    try {
      await this.connector.put(key, obj);
    } finally {
      // Ensure the in-flight put's reference is released even if the inner put threw.
      obj.refCountDown();
    }
    const ms = performance.now() - begin;
    this.counters.puts += 1;
    this.counters.putBytes += size;
    this.counters.putLatencyMs += ms;
    if (logger.isEnabledFor("debug")) logger.debug(`[${this.name}]Bytes offloaded: ${(size / 1e6).toFixed(3)} MBytes in ${ms.toFixed(3)} ms`);
  }

  override async get(key: CacheEngineKey): Promise<MemoryObj | null> {
    const begin = performance.now();
    const obj = await this.connector.get(key);
    const ms = performance.now() - begin;
    this.counters.gets += 1;
    this.counters.getLatencyMs += ms;
    if (obj !== null && obj !== undefined) {
      const size = obj.getSize();
      this.counters.getHits += 1;
      this.counters.getBytes += size;
      if (logger.isEnabledFor("debug")) logger.debug(`[${this.name}]Bytes loaded: ${(size / 1e6).toFixed(3)} MBytes in ${ms.toFixed(3)} ms`);
    }
    return obj;
  }

  override async batchedPut(keys: CacheEngineKey[], objs: MemoryObj[]): Promise<void> {
    const total = objs.reduce((sum, obj) => sum + (obj ? obj.getSize() : 0), 0);
    const begin = performance.now();
    try {
      await this.connector.batchedPut(keys, objs);
    } catch (error) {
      this.counters.batchedPutErrors += 1;
      logger.warning(`batched put error: ${errorText(error)}`);
      if (this.requiresPutCompletion()) throw error;
    } finally {
      for (const obj of objs) obj.refCountDown();
    }
    const ms = performance.now() - begin;
    this.counters.batchedPuts += 1;
    this.counters.putBytes += total;
    this.counters.putLatencyMs += ms;
    if (logger.isEnabledFor("debug")) logger.debug(`[${this.name}]Bytes offloaded: ${(total / 1e6).toFixed(3)} MBytes in ${ms.toFixed(3)} ms`);
  }

  override async batchedGet(keys: CacheEngineKey[]): Promise<(MemoryObj | null)[]> {
    const begin = performance.now();
    const objs = await this.connector.batchedGet(keys);
    this.recordBatchRead(objs, performance.now() - begin);
    return objs;
  }

  override async batchedGetNonBlocking(lookupId: string, keys: CacheEngineKey[]): Promise<MemoryObj[]> {
    const begin = performance.now();
    const objs = await this.connector.batchedGetNonBlocking(lookupId, keys);
    this.recordBatchRead(objs, performance.now() - begin);
    return objs;
  }

  private recordBatchRead(objs: readonly (MemoryObj | null)[], ms: number): void {
    const total = objs.reduce((sum, obj) => sum + (obj ? obj.getSize() : 0), 0);
    this.counters.batchedGets += 1;
    this.counters.getLatencyMs += ms;
    this.counters.getBytes += total;
    if (total > 0) {
      if (logger.isEnabledFor("debug")) logger.debug(`[${this.name}]Bytes loaded: ${(total / 1e6).toFixed(3)} MBytes in ${ms.toFixed(3)} ms`);
    }
  }

  // ---- pure delegation ----------------------------------------------------------------------

  override exists(key: CacheEngineKey): Promise<boolean> {
    return this.connector.exists(key);
  }

  override existsSync(key: CacheEngineKey): boolean {
    return this.connector.existsSync(key);
  }

  override list(): Promise<string[]> {
    return this.connector.list();
  }

  override close(): Promise<void> {
    return this.connector.close();
  }

  override supportPing(): boolean {
    return this.connector.supportPing();
  }

  override ping(): Promise<number> {
    return this.connector.ping();
  }

  override supportBatchedPut(): boolean {
    return this.connector.supportBatchedPut();
  }

  override requiresPutCompletion(): boolean {
    return this.connector.requiresPutCompletion();
  }

  override supportBatchedGet(): boolean {
    return this.connector.supportBatchedGet();
  }

  override supportBatchedAsyncContains(): boolean {
    return this.connector.supportBatchedAsyncContains();
  }

  override batchedAsyncContains(lookupId: string, keys: CacheEngineKey[], pin = false): Promise<number> {
    return this.connector.batchedAsyncContains(lookupId, keys, pin);
  }

  override supportBatchedGetNonBlocking(): boolean {
    return this.connector.supportBatchedGetNonBlocking();
  }

  override removeSync(key: CacheEngineKey): boolean {
    return this.connector.removeSync(key);
  }

  override batchedContains(keys: CacheEngineKey[]): number {
    return this.connector.batchedContains(keys);
  }

  override supportBatchedContains(): boolean {
    return this.connector.supportBatchedContains();
  }

  override reshapePartialChunk(obj: MemoryObj, bytesRead: number): MemoryObj {
    return this.connector.reshapePartialChunk(obj, bytesRead);
  }

  override postInit(): void {
    return this.connector.postInit();
  }

  override batchedPutExternalPages(
    keys: CacheEngineKey[],
    bufferPtrs: number[][],
    bufferSizes: number[][],
    owners: readonly unknown[],
    producerEvents: unknown,
    reqId: string,
  ): Promise<void> {
    return this.connector.batchedPutExternalPages(keys, bufferPtrs, bufferSizes, owners, producerEvents, reqId);
  }

  override batchedGetExternalPages(keys: CacheEngineKey[], bufferPtrs: number[][], bufferSizes: number[][], owners: readonly unknown[], reqId: string): Promise<void> {
    return this.connector.batchedGetExternalPages(keys, bufferPtrs, bufferSizes, owners, reqId);
  }

  override pushExternalPages(args: { remoteSession: string; sourcePlan: unknown; destinationDescriptors: readonly unknown[]; activation: unknown }): Promise<unknown> {
    return this.connector.pushExternalPages(args);
  }

  override prepareRemoteFillSource(sourcePlan: unknown): Promise<unknown> {
    return this.connector.prepareRemoteFillSource(sourcePlan);
  }

  override getRemoteFillDestinationSession(): string | null {
    return this.connector.getRemoteFillDestinationSession();
  }

  override batchedExternalPagesExist(keys: CacheEngineKey[]): boolean[] {
    return this.connector.batchedExternalPagesExist(keys);
  }

  /** `InstrumentedRemoteConnector(<inner repr>)`. */
  override toString(): string {
    return `InstrumentedRemoteConnector(${String(this.connector)})`;
  }
}
