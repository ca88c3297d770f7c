/**
 * The connector surface `RemoteBackend` drives: what `InstrumentedRemoteConnector` offers. Kept
 * structural so the harness also runs against a hand-written fake in tests.
 */
import { BlackholeConnector } from "../connector/adapters/blackhole-connector";
import { InstrumentedRemoteConnector } from "../connector/instrumented-connector";
import type { CacheEngineKey } from "../keys/cache-engine-key";
import type { MemoryObj } from "../memory/memory-obj";

/**
 * An instrumented connection. As in LMCache, `put` on this object releases the one reference the
 * in-flight put holds once the inner put settles (the `InstrumentedRemoteConnector` duty).
 */
export interface RemoteConnection {
  exists(key: CacheEngineKey): Promise<boolean>;
  existsSync(key: CacheEngineKey): boolean;
  get(key: CacheEngineKey): Promise<MemoryObj | null>;
  put(key: CacheEngineKey, obj: MemoryObj): Promise<void>;
  list(): Promise<string[]>;
  close(): Promise<void>;
  supportPing(): boolean;
  ping(): Promise<number>;
  supportBatchedGet(): boolean;
  batchedGet(keys: CacheEngineKey[]): Promise<(MemoryObj | null)[]>;
  supportBatchedPut(): boolean;
  batchedPut(keys: CacheEngineKey[], objs: MemoryObj[]): Promise<void>;
  supportBatchedContains(): boolean;
  batchedContains(keys: CacheEngineKey[]): number;
  supportBatchedAsyncContains(): boolean;
  batchedAsyncContains(lookupId: string, keys: CacheEngineKey[], pin?: boolean): Promise<number>;
  supportBatchedGetNonBlocking(): boolean;
  batchedGetNonBlocking(lookupId: string, keys: CacheEngineKey[]): Promise<MemoryObj[]>;
  removeSync(key: CacheEngineKey): boolean;
}

/**
 * The fallback the old `RemoteMonitor` swaps in while the remote is unhealthy, built as LMCache
 * builds it: `InstrumentedRemoteConnector(BlackholeConnector())` — everything misses, puts are
 * dropped (and the instrumented wrapper releases their reference).
 */
export function blackholeFallback(): RemoteConnection {
  return new InstrumentedRemoteConnector(new BlackholeConnector());
}
