/**
 * LMCache `LocalCPUBackend` (`lmcache/v1/storage_backend/local_cpu_backend.py`): the CPU hot
 * cache in front of remote stores, and the allocator connectors get their buffers from.
 */
import { AssertionError, KeyError } from "../errors";
import { getLogger } from "../logging";
import { CacheEngineKey } from "../keys/cache-engine-key";
import { MemoryAllocator, ShapeArg } from "../memory/allocator";
import { DType, dtypeItemSize } from "../memory/dtypes";
import { MemoryFormat } from "../memory/memory-format";
import { MemoryObj } from "../memory/memory-obj";
import { LMCacheMetadata } from "../metadata";
import { CachePolicy, getCachePolicy } from "./cache-policy";

const logger = getLogger("lmcache.v1.storage_backend.local_cpu_backend");

/** LMCache's retry interval while waiting for memory (`time.sleep(0.1)`). */
export const ALLOCATE_RETRY_INTERVAL_MS = 100;

/** Default `allocateAsync` timeout (the kit's; LMCache waits forever). Mirrors `blocking_timeout_secs`. */
export const DEFAULT_ALLOCATE_TIMEOUT_MS = 10_000;

/** LMCache's warning when nothing can be evicted. */
export const NO_EVICTION_CANDIDATES_WARNING =
  "No eviction candidates found in local cpu backend. Local cpu memory is under pressure. " +
  "Waiting for 0.1 seconds before retrying.";

/**
 * The config fields `LocalCPUBackend` reads (a structural subset of LMCache's
 * `LMCacheEngineConfig`, camelCase), so any config object with these fields works.
 */
export interface LocalCPUBackendConfig {
  /** Enables the hot cache (default true). False keeps the allocator but caches nothing. */
  localCpu?: boolean;
  /** Allocator size in GB (default 5.0) when no allocator is given. */
  maxLocalCpuSize?: number;
  /** `LRU` (default), `LFU`, `FIFO`, `MRU`; case-insensitive. */
  cachePolicy?: string;
  /** Tokens per chunk (default 256). */
  chunkSize?: number;
  useLayerwise?: boolean;
  enableBlending?: boolean;
  extraConfig?: Record<string, unknown> | null;
}

/** Constructor options of `LocalCPUBackend`. */
export interface LocalCPUBackendOptions {
  config: LocalCPUBackendConfig;
  metadata?: LMCacheMetadata | null;
  /** Use this allocator instead of creating one of `maxLocalCpuSize` GB. */
  allocator?: MemoryAllocator;
}

/** Options of `allocateAsync`. */
export interface AllocateAsyncOptions {
  /** Give up (resolve null) after this long. Default 10 s; `Infinity` waits like LMCache. */
  timeoutMs?: number;
}

const GiB = 1024 ** 3;

/**
 * LMCache `LocalCPUBackend` in camelCase. Keys are `CacheEngineKey`s (identity per
 * `hashKey()`); the cached value is a `MemoryObj` on which the cache holds one reference.
 *
 * Differences forced by Node's single thread (documented, the kit's):
 * - `allocate` never busy-waits: when the allocator is full and nothing can be evicted it
 *   returns null (LMCache would `time.sleep(0.1)` and retry forever, which here would block
 *   the only thread and deadlock). `allocateAsync` is the waiting variant, with a timeout.
 * - No locks: every method runs to completion on the event loop.
 * - LMCache asserts that `metadata` or an allocator is given; the kit lets a bare config build
 *   its own allocator, and only `getFullChunkSizeBytes`/`calculateChunkBudget` need metadata.
 */
export class LocalCPUBackend {
  readonly config: LocalCPUBackendConfig;
  readonly metadata: LMCacheMetadata | null;
  readonly memoryAllocator: MemoryAllocator;
  /** `config.localCpu` (default true). */
  readonly useHot: boolean;
  readonly layerwise: boolean;
  readonly enableBlending: boolean;
  readonly cachePolicy: CachePolicy<string>;
  /** hashKey → object; iteration order is the policy's order (LRU: least recent first). */
  private readonly hotCache = new Map<string, MemoryObj>();
  private readonly keysByHash = new Map<string, CacheEngineKey>();
  /** Keys pinned by the current lookup (`keys_in_request`). */
  private keysInRequest: CacheEngineKey[] = [];

  constructor(opts: LocalCPUBackendOptions) {
    const { config, metadata = null, allocator } = opts;
    this.config = config;
    this.metadata = metadata;
    this.useHot = config.localCpu ?? true;
    this.layerwise = config.useLayerwise ?? false;
    this.enableBlending = config.enableBlending ?? false;
    this.cachePolicy = getCachePolicy<string>(config.cachePolicy ?? "LRU");
    this.memoryAllocator =
      allocator ?? new MemoryAllocator({ capacityBytes: Math.max(0, Math.floor((config.maxLocalCpuSize ?? 5.0) * GiB)) });
  }

  /** True when `key` is cached; with `pin`, pins it and remembers it for `touchCache()`. */
  contains(key: CacheEngineKey, pin = false): boolean {
    const obj = this.hotCache.get(key.hashKey());
    if (!obj) return false;
    if (pin) {
      obj.pin();
      this.keysInRequest.push(key);
    }
    return true;
  }

  /** Apply the policy's hit update to the keys pinned by the last lookup (newest first), then forget them. */
  touchCache(): void {
    for (let i = this.keysInRequest.length - 1; i >= 0; i--) {
      const h = this.keysInRequest[i]!.hashKey();
      if (this.hotCache.has(h)) this.cachePolicy.updateOnHit(h, this.hotCache);
    }
    this.keysInRequest = [];
  }

  /** Always false: puts complete synchronously. */
  existsInPutTasks(_key: CacheEngineKey): boolean {
    return false;
  }

  /**
   * Cache `obj` under `key`, taking one reference (`refCountUp`), then call `onComplete(key)`.
   * A key already present returns early: no extra reference and NO callback (LMCache's
   * `submit_put_task` calls back only when the object was stored).
   * Like LMCache, this single-key call does not look at `useHot`; the batched one does.
   */
  submitPutTask(key: CacheEngineKey, obj: MemoryObj, onComplete?: (key: CacheEngineKey) => void): void {
    const h = key.hashKey();
    if (this.hotCache.has(h)) return;
    obj.refCountUp();
    this.hotCache.set(h, obj);
    this.keysByHash.set(h, key);
    this.cachePolicy.updateOnPut(h);
    onComplete?.(key);
  }

  /** `submitPutTask` for each pair; does nothing when `useHot` is false. */
  batchedSubmitPutTask(
    keys: readonly CacheEngineKey[],
    objs: readonly MemoryObj[],
    _transferSpec?: unknown,
    onComplete?: (key: CacheEngineKey) => void,
  ): void {
    if (!this.useHot) return;
    keys.forEach((key, i) => this.submitPutTask(key, objs[i]!, onComplete));
  }

  /** The cached object with one more reference (the caller must `refCountDown()` it), or null. */
  getBlocking(key: CacheEngineKey): MemoryObj | null {
    const obj = this.hotCache.get(key.hashKey());
    if (!obj) return null;
    obj.refCountUp();
    return obj;
  }

  /**
   * The objects for `keys`, each with one more reference. LMCache assumes all are present and
   * fails with `KeyError` otherwise; the kit checks first so no reference is taken on failure.
   */
  async batchedGetNonBlocking(_lookupId: string, keys: readonly CacheEngineKey[], _transferSpec?: unknown): Promise<MemoryObj[]> {
    const objs = keys.map((key) => {
      const obj = this.hotCache.get(key.hashKey());
      if (!obj) throw new KeyError(key.toString());
      return obj;
    });
    for (const obj of objs) obj.refCountUp();
    return objs;
  }

  /** Number of leading keys that are cached; hits are pinned when `pin` is true. */
  async batchedAsyncContains(_lookupId: string, keys: readonly CacheEngineKey[], pin = false): Promise<number> {
    let hits = 0;
    for (const key of keys) {
      if (!this.contains(key, pin)) break;
      hits++;
    }
    return hits;
  }

  /** Pin the cached object; false when absent. */
  pin(key: CacheEngineKey): boolean {
    const obj = this.hotCache.get(key.hashKey());
    if (!obj) return false;
    obj.pin();
    return true;
  }

  /** Unpin the cached object; false when absent. */
  unpin(key: CacheEngineKey): boolean {
    const obj = this.hotCache.get(key.hashKey());
    if (!obj) return false;
    obj.unpin();
    return true;
  }

  /** Drop `key` from the cache and release the cache's reference; false when absent. */
  remove(key: CacheEngineKey, _force = true): boolean {
    return this.removeByHash(key.hashKey());
  }

  private removeByHash(h: string): boolean {
    const obj = this.hotCache.get(h);
    if (!obj) return false;
    this.hotCache.delete(h);
    this.keysByHash.delete(h);
    obj.refCountDown();
    this.cachePolicy.updateOnForceEvict(h);
    return true;
  }

  /** `remove` for each key; returns how many were present. */
  batchedRemove(keys: readonly CacheEngineKey[], force = true): number {
    return keys.reduce((n, key) => n + (this.remove(key, force) ? 1 : 0), 0);
  }

  private defaultFormat(): MemoryFormat {
    if (!this.layerwise) return MemoryFormat.KV_2LTD;
    return this.enableBlending ? MemoryFormat.KV_2TD : MemoryFormat.KV_T2D;
  }

  /** Evict one round of candidates; false when there was nothing evictable. */
  private evictSome(numCandidates: number): boolean {
    if (!this.useHot) return false;
    const victims = this.cachePolicy.getEvictCandidates(this.hotCache, numCandidates);
    if (victims.length === 0) return false;
    for (const h of victims) this.removeByHash(h);
    return true;
  }

  /**
   * Allocate a buffer (ref count 1). Default `fmt`: `KV_2LTD`, or `KV_T2D`/`KV_2TD` in layerwise
   * mode without/with blending. When the allocator is full and `eviction` is true, evicts the
   * policy's candidates (entries with `canEvict`) one by one and retries. Returns null when the
   * allocation cannot succeed — never waits (see the class comment; use `allocateAsync` to wait).
   */
  allocate(shape: ShapeArg, dtype: DType | readonly DType[], fmt?: MemoryFormat, eviction = true): MemoryObj | null {
    const format = fmt ?? this.defaultFormat();
    let obj = this.memoryAllocator.allocate(shape, dtype, format);
    if (obj || !eviction) return obj;
    while (this.evictSome(1)) {
      obj = this.memoryAllocator.allocate(shape, dtype, format);
      if (obj) return obj;
    }
    return null;
  }

  /**
   * `allocate` that waits for memory like LMCache's busy loop: when nothing can be evicted it logs
   * LMCache's "No eviction candidates found in local cpu backend..." warning, sleeps 100 ms and
   * retries, until `timeoutMs` (default 10 s) has passed; then resolves null.
   */
  async allocateAsync(
    shape: ShapeArg,
    dtype: DType | readonly DType[],
    fmt?: MemoryFormat,
    opts: AllocateAsyncOptions = {},
  ): Promise<MemoryObj | null> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_ALLOCATE_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const obj = this.allocate(shape, dtype, fmt, true);
      if (obj) return obj;
      if (Date.now() + ALLOCATE_RETRY_INTERVAL_MS > deadline) return null;
      logger.warning(NO_EVICTION_CANDIDATES_WARNING);
      await new Promise((resolve) => setTimeout(resolve, ALLOCATE_RETRY_INTERVAL_MS));
    }
  }

  /**
   * `batchSize` buffers of the same shape(s), all or nothing. Evicts up to 64 candidates per round
   * (LMCache's batch) while the allocation fails; null when nothing more can be evicted.
   * (LMCache also evicts all layers of a layer key together; the kit evicts candidates as given.)
   */
  batchedAllocate(
    shape: ShapeArg,
    dtype: DType | readonly DType[],
    batchSize: number,
    fmt?: MemoryFormat,
    eviction = true,
  ): MemoryObj[] | null {
    const format = fmt ?? this.defaultFormat();
    let objs = this.memoryAllocator.batchedAllocate(shape, dtype, batchSize, format);
    if (objs || !eviction) return objs;
    while (this.evictSome(64)) {
      objs = this.memoryAllocator.batchedAllocate(shape, dtype, batchSize, format);
      if (objs) return objs;
    }
    return null;
  }

  private requireMetadata(): LMCacheMetadata {
    if (!this.metadata) throw new AssertionError("LocalCPUBackend metadata is required (metadata is None)");
    return this.metadata;
  }

  /**
   * Bytes of one full chunk: from `metadata.kvShape = [layers, kvSize, chunk, heads, headSize]`
   * and `config.chunkSize` (default 256): layerwise → `chunk·kvSize·heads·headSize·dtypeSize`,
   * otherwise that times `layers`. Needs metadata (`AssertionError` otherwise).
   */
  getFullChunkSizeBytes(): number {
    const md = this.requireMetadata();
    const [numLayers, kvSize, , heads, headSize] = md.kvShape;
    const chunkTokens = this.config.chunkSize ?? 256;
    const perLayer = chunkTokens * kvSize * heads * headSize * dtypeItemSize(md.kvDtype);
    return this.layerwise ? perLayer : perLayer * numLayers;
  }

  /** `int(maxLocalCpuSize · 1024³) // alignUp(chunkBytes, allocator.alignBytes)`. */
  calculateChunkBudget(): number {
    const total = Math.floor((this.config.maxLocalCpuSize ?? 5.0) * GiB);
    const chunk = this.memoryAllocator.alignUp(this.getFullChunkSizeBytes());
    return chunk === 0 ? 0 : Math.floor(total / chunk);
  }

  /** Cached keys in policy order (LRU: least recently used first). */
  getKeys(): CacheEngineKey[] {
    return [...this.hotCache.keys()].map((h) => this.keysByHash.get(h)!);
  }

  /** Remove every evictable entry; returns the number of tokens they held (0 when `useHot` is false). */
  clear(): number {
    if (!this.useHot) return 0;
    let tokens = 0;
    for (const [h, obj] of [...this.hotCache]) {
      if (!obj.canEvict) continue;
      tokens += obj.getNumTokens();
      this.removeByHash(h);
    }
    return tokens;
  }

  /** `get_allocator_backend()`: this backend allocates for itself. */
  getAllocatorBackend(): LocalCPUBackend {
    return this;
  }

  getMemoryAllocator(): MemoryAllocator {
    return this.memoryAllocator;
  }

  /** Number of cached entries (ours, for tests and diagnostics). */
  get size(): number {
    return this.hotCache.size;
  }

  /** Clear the cache (evictable entries). */
  close(): void {
    this.clear();
  }

  toString(): string {
    return "LocalCPUBackend";
  }
}
