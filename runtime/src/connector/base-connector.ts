/**
 * `RemoteConnector`, the abstract base class every LMCache remote connector extends
 * (`lmcache/v1/storage_backend/connector/base_connector.py`, Era B/C surface in camelCase).
 *
 * How LMCache drives a connector (see `RemoteBackend`):
 * - `existsSync`, `removeSync`, `batchedContains` and every `support*()` flag are called
 *   synchronously; everything else is async and runs on the engine's event loop.
 * - `put(key, obj)`: the object carries one reference owned by the in-flight put. The
 *   `InstrumentedRemoteConnector` wrapper releases it after your `put` settles, so your `put`
 *   must NOT call `obj.refCountDown()` (that double-frees), and must not touch `obj.byteArray`
 *   after it returns unless you took your own reference first.
 * - `get(key)`: return a FRESH object from `localCpuBackend.allocate(...)` (ref count 1) filled
 *   with the stored bytes, or `null` for a miss. The caller releases it. If anything fails after
 *   you allocated, call `refCountDown()` on your allocation yourself and return `null`.
 * - `postInit()` is NOT called by current LMCache (only Era A called it) — set up in the constructor.
 */
import { AssertionError, AttributeError, NotImplementedError, ValueError } from "../errors";
import { getLogger } from "../logging";
import { CONNECTOR_BRAND } from "../loader/brand";
import type { CacheEngineKey } from "../keys/cache-engine-key";
import { type LMCacheEngineConfig, resolveSaveChunkMeta } from "../config/engine-config";
import type { LMCacheMetadata } from "../metadata";
import type { LocalCPUBackend, LocalCPUBackendConfig } from "../storage-backend/local-cpu-backend";
import type { MemoryObj } from "../memory/memory-obj";
import { type DType, dtypeItemSize } from "../memory/dtypes";
import { MemoryFormat } from "../memory/memory-format";
import type { EventLoop } from "./event-loop";
import { remoteMetadataBytes } from "../protocol/remote-metadata";

const logger = getLogger("lmcache.v1.storage_backend.connector.base_connector");

/**
 * The ONE argument LMCache passes to an external (`external://`) or plugin (`plugin://`)
 * connector class: Python calls `Cls(loop=…, local_cpu_backend=…, config=…)` with keywords, so
 * here the constructor receives this object. No `url`, `metadata` or `pluginName` is passed;
 * read your settings from `config.extraConfig`. `config` is null only when `createConnector`
 * was called without one. `localCpuBackend` is a `SafeLocalCPUBackend` in the scheduler role.
 */
export interface ConnectorInit {
  loop: EventLoop;
  localCpuBackend: LocalCPUBackend;
  config: LMCacheEngineConfig | null;
}

/** The class side of a connector that LMCache can instantiate with `{ loop, localCpuBackend, config }`. */
export type RemoteConnectorClass = (new (init: ConnectorInit) => RemoteConnector) & { readonly name: string };

/**
 * Abstract remote connector. Subclass it, implement the six abstract methods, and optionally
 * override the `support*()` flags together with their methods.
 *
 * Chunk-meta fields (`saveChunkMeta`, `metaShapes`, …) are filled when the constructor receives
 * `(config, metadata)` — the TypeScript form of Era B/C's `super().__init__(config, metadata)`:
 *
 * ```ts
 * constructor({ loop, localCpuBackend, config }: ConnectorInit) {
 *   super(localCpuBackend.config, localCpuBackend.metadata);
 * }
 * ```
 *
 * Calling `super()` with no arguments is allowed (like LMCache's own `ExternalLogConnector`, which
 * never calls `super().__init__`): the fields then stay `undefined`, and `reshapePartialChunk`
 * throws `AttributeError`. Passing a config but no metadata throws `AssertionError` as Era B/C's
 * `assert metadata is not None` does.
 */
export abstract class RemoteConnector {
  /** Marks the class for the loader's subclass check across package copies (see `loader/brand.ts`). */
  static readonly [CONNECTOR_BRAND] = true;

  /** Whether chunks are stored with a `RemoteMetadata` header (`resolve_save_chunk_meta`). */
  declare saveChunkMeta?: boolean;
  /** Shapes of a FULL chunk (one per layer group). */
  declare metaShapes?: number[][];
  /** Dtypes of a full chunk (one per layer group). */
  declare metaDtypes?: DType[];
  /** `KV_MLA_FMT` when the model uses MLA, else `KV_2LTD`. */
  declare metaFmt?: MemoryFormat;
  /** Bytes of a full chunk. */
  declare fullChunkSizeBytes?: number;
  /** `fullChunkSizeBytes / metadata.chunkSize`. */
  declare singleTokenSize?: number;
  /** Bytes of the `RemoteMetadata` header: `4 * (2 + 5 * numGroups)` (28 for one group). */
  declare remoteMetadataBytes?: number;

  constructor(config?: LMCacheEngineConfig | LocalCPUBackendConfig | null, metadata?: LMCacheMetadata | null) {
    if (config === undefined && metadata === undefined) return;
    const meta = computeChunkMeta((config ?? null) as LMCacheEngineConfig | null, metadata ?? null);
    this.saveChunkMeta = meta.saveChunkMeta;
    this.metaShapes = meta.metaShapes;
    this.metaDtypes = meta.metaDtypes;
    this.metaFmt = meta.metaFmt;
    this.fullChunkSizeBytes = meta.fullChunkSizeBytes;
    this.singleTokenSize = meta.singleTokenSize;
    this.remoteMetadataBytes = meta.remoteMetadataBytes;
    logger.info(
      `init remote connector metadata info, shapes: ${JSON.stringify(meta.metaShapes)}, dtypes: ${JSON.stringify(meta.metaDtypes)}, ` +
        `fmt: ${MemoryFormat[meta.metaFmt]}, full chunk size: ${meta.fullChunkSizeBytes}, ` +
        `single token size: ${meta.singleTokenSize}, remote metadata bytes: ${meta.remoteMetadataBytes}`,
    );
  }

  // ---- abstract surface -------------------------------------------------------------------

  /** True when the remote store holds `key`. Must not throw for a missing key. */
  abstract exists(key: CacheEngineKey): Promise<boolean>;

  /** Same as `exists`, called synchronously (LMCache uses it when `extra_config.use_exists_sync`). */
  abstract existsSync(key: CacheEngineKey): boolean;

  /**
   * The stored object as a fresh allocation (`localCpuBackend.allocate`, ref count 1), or `null`
   * when the key does not exist. Release your own allocation before returning `null` on failure.
   */
  abstract get(key: CacheEngineKey): Promise<MemoryObj | null>;

  /**
   * Store `obj.byteArray` (and, when `saveChunkMeta`, its shape/dtype/format) under `key`.
   * "Will decrease the ref count after send finishes" — but the wrapper does that, NOT you.
   */
  abstract put(key: CacheEngineKey, obj: MemoryObj): Promise<void>;

  /** All keys in the remote store (built-ins return `key.toString()` strings or file stems). */
  abstract list(): Promise<string[]>;

  /** Release resources. */
  abstract close(): Promise<void>;

  // ---- optional capabilities (Era B/C defaults) -------------------------------------------

  /** Whether `ping()` is implemented. Default `false`. */
  supportPing(): boolean {
    return false;
  }

  /** Health probe: an error code, `0` means healthy. Default throws `NotImplementedError`. */
  async ping(): Promise<number> {
    throw new NotImplementedError();
  }

  /** Whether `batchedGet` is implemented. Default `false`. */
  supportBatchedGet(): boolean {
    return false;
  }

  /** One object (or `null`) per key. Default throws `NotImplementedError`. */
  async batchedGet(_keys: CacheEngineKey[]): Promise<(MemoryObj | null)[]> {
    throw new NotImplementedError();
  }

  /** Whether `batchedPut` is implemented. Default `false`. */
  supportBatchedPut(): boolean {
    return false;
  }

  /** Era C: whether callers must wait for remote persistence. Default `false`. */
  requiresPutCompletion(): boolean {
    return false;
  }

  /**
   * Store several objects. Same ownership rule as `put`: the wrapper releases every object once
   * afterwards; do not release them here. Default throws `NotImplementedError`.
   */
  async batchedPut(_keys: CacheEngineKey[], _objs: MemoryObj[]): Promise<void> {
    throw new NotImplementedError();
  }

  /** Whether `batchedAsyncContains` may be used. Era B/C default `true` (Era A: `false`). */
  supportBatchedAsyncContains(): boolean {
    return true;
  }

  /**
   * Number of leading keys that exist. Era B/C default: runs `exists` for ALL keys concurrently
   * (`asyncio.gather`) and returns the index of the first `false` (or `keys.length`). `pin` is ignored.
   */
  async batchedAsyncContains(_lookupId: string, keys: CacheEngineKey[], _pin = false): Promise<number> {
    const results = await Promise.all(keys.map((key) => this.exists(key)));
    const firstMiss = results.indexOf(false);
    return firstMiss === -1 ? results.length : firstMiss;
  }

  /** Whether `batchedGetNonBlocking` may be used. Era B/C default `true` (Era A: `false`). */
  supportBatchedGetNonBlocking(): boolean {
    return true;
  }

  /**
   * Era B/C default: runs `get` for ALL keys concurrently, then returns only the consecutive
   * prefix of hits. Every object fetched AFTER the first miss or failure gets `refCountDown()`
   * so nothing leaks; only the first failure's exception is logged (as LMCache does).
   */
  async batchedGetNonBlocking(_lookupId: string, keys: CacheEngineKey[]): Promise<MemoryObj[]> {
    const results = await Promise.allSettled(keys.map((key) => this.get(key)));
    const objs: MemoryObj[] = [];
    let foundFailure = false;
    for (const result of results) {
      const value = result.status === "fulfilled" ? result.value : null;
      if (foundFailure) {
        value?.refCountDown();
      } else if (value) {
        objs.push(value);
      } else {
        if (result.status === "rejected") {
          logger.warning(`Exception during batched get: ${errorText(result.reason)}`);
        }
        foundFailure = true;
      }
    }
    return objs;
  }

  /** Delete `key`; `true` when it was removed. Default throws `NotImplementedError`. */
  removeSync(_key: CacheEngineKey): boolean {
    throw new NotImplementedError();
  }

  /** Whether `batchedContains` is implemented. Default `false`. */
  supportBatchedContains(): boolean {
    return false;
  }

  /** Prefix hit count (Era B/C signature), called synchronously. Default throws `NotImplementedError`. */
  batchedContains(_keys: CacheEngineKey[]): number {
    throw new NotImplementedError();
  }

  // ---- Era C "external pages" / remote-fill paths -----------------------------------------
  // GPU/page-level paths that ordinary KV connectors never implement and RemoteBackend never
  // calls for them; declared here so wrappers delegate them, as upstream's base class does.

  /** Persist externally owned buffers in the connector's page format. Default throws `NotImplementedError`. */
  async batchedPutExternalPages(
    _keys: CacheEngineKey[],
    _bufferPtrs: number[][],
    _bufferSizes: number[][],
    _owners: readonly unknown[],
    _producerEvents: unknown,
    _reqId: string,
  ): Promise<void> {
    throw new NotImplementedError();
  }

  /** Retrieve page values directly into externally owned buffers. Default throws `NotImplementedError`. */
  async batchedGetExternalPages(
    _keys: CacheEngineKey[],
    _bufferPtrs: number[][],
    _bufferSizes: number[][],
    _owners: readonly unknown[],
    _reqId: string,
  ): Promise<void> {
    throw new NotImplementedError();
  }

  /** Push registered source pages into armed remote destinations (keyword-only upstream). Default throws. */
  async pushExternalPages(_args: { remoteSession: string; sourcePlan: unknown; destinationDescriptors: readonly unknown[]; activation: unknown }): Promise<unknown> {
    throw new NotImplementedError();
  }

  /** Fence and register direct-push sources before destination ARM. Default throws `NotImplementedError`. */
  async prepareRemoteFillSource(_sourcePlan: unknown): Promise<unknown> {
    throw new NotImplementedError();
  }

  /** This process's registered native destination session; default `null` (upstream `None`). */
  getRemoteFillDestinationSession(): string | null {
    return null;
  }

  /** Check arbitrary page keys in one native operation (sync). Default throws `NotImplementedError`. */
  batchedExternalPagesExist(_keys: CacheEngineKey[]): boolean[] {
    throw new NotImplementedError();
  }

  /** Logs "Dummy post-initializing remote connector". Not called by current LMCache. */
  postInit(): void {
    logger.info("Dummy post-initializing remote connector");
  }

  /**
   * For connectors that store chunks WITHOUT a metadata header (`saveChunkMeta === false`): after
   * reading `bytesRead` bytes into an object allocated with the FULL chunk shape, shrink it to
   * the tokens actually read. `bytesRead === fullChunkSizeBytes` returns the object unchanged.
   * Throws `ValueError("bytes_read: … is illegal, single_token_size: …, full_chunk_size_bytes: …")`
   * for 0, negative, unaligned or over-full sizes.
   *
   * The token dimension follows the shape's rank as LMCache's newest unit test expects
   * (`[2, L, T, D]` → dimension 2; `[T, 2, D]` and `[T, D]` → dimension 0); the Era B/C code we
   * read hard-codes dimension 2 and lets negative sizes through.
   */
  reshapePartialChunk(obj: MemoryObj, bytesRead: number): MemoryObj {
    const full = this.fullChunkSizeBytes;
    const single = this.singleTokenSize;
    if (full === undefined || single === undefined) {
      const missing = full === undefined ? "full_chunk_size_bytes" : "single_token_size";
      throw new AttributeError(`'${this.constructor.name}' object has no attribute '${missing}'`);
    }
    if (!Number.isInteger(bytesRead) || bytesRead <= 0 || bytesRead % single !== 0 || bytesRead > full) {
      throw new ValueError(
        `bytes_read: ${bytesRead} is illegal, single_token_size: ${single}, full_chunk_size_bytes: ${full}`,
      );
    }
    if (bytesRead === full) return obj;
    const shape = [...obj.getShape()];
    const tokenDim = shape.length === 4 ? 2 : 0;
    shape[tokenDim] = bytesRead / single;
    resizeMemoryObj(obj, bytesRead, shape);
    return obj;
  }

  /** Python `repr`: `<ClassName>`. */
  toString(): string {
    return `<${this.constructor.name}>`;
  }

  /** Makes `console.log(connector)` / `util.inspect` print the same `<ClassName>` repr. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** `str(e)` for a thrown value. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Truncates the object's bytes and rewrites its shape (LMCache: `resize_raw_view` + `meta.shape(s)`). */
function resizeMemoryObj(obj: MemoryObj, bytes: number, shape: number[]): void {
  obj.setUsedSize(bytes);
  obj.meta.shape = shape;
  if (obj.meta.shapes && obj.meta.shapes.length > 0) obj.meta.shapes = [shape];
}

/** The Era C chunk-meta fields, computed as `RemoteConnector.__init__(config, metadata)` does. */
interface ChunkMeta {
  saveChunkMeta: boolean;
  metaShapes: number[][];
  metaDtypes: DType[];
  metaFmt: MemoryFormat;
  fullChunkSizeBytes: number;
  singleTokenSize: number;
  remoteMetadataBytes: number;
}

function computeChunkMeta(config: LMCacheEngineConfig | null, metadata: LMCacheMetadata | null): ChunkMeta {
  // Era B/C: `assert metadata is not None` (no message in LMCache).
  if (metadata === null) throw new AssertionError("RemoteConnector requires metadata when given a config");
  if (config === null) throw new AttributeError("'NoneType' object has no attribute 'extra_config'");
  const saveChunkMeta = resolveSaveChunkMeta(config);
  let metaShapes = metadata.getShapes().map((s) => [...s]);
  if (config.useLayerwise && !saveChunkMeta) {
    // Per-layer keys store one layer per chunk: shrink the layer dimension.
    metaShapes = metaShapes.map((s) => (s.length === 4 && s[1]! > 1 ? [s[0]!, 1, s[2]!, s[3]!] : s));
  }
  const metaDtypes = metadata.getDtypes();
  const metaFmt = metadata.useMla ? MemoryFormat.KV_MLA_FMT : MemoryFormat.KV_2LTD;
  let fullChunkSizeBytes = 0;
  metaShapes.forEach((shape, i) => {
    fullChunkSizeBytes += shape.reduce((a, b) => a * b, 1) * dtypeItemSize(metaDtypes[i]!);
  });
  if (fullChunkSizeBytes % metadata.chunkSize !== 0) {
    throw new AssertionError(
      `full chunk size ${fullChunkSizeBytes} is not a multiple of chunk_size ${metadata.chunkSize}`,
    );
  }
  return {
    saveChunkMeta,
    metaShapes,
    metaDtypes,
    metaFmt,
    fullChunkSizeBytes,
    singleTokenSize: fullChunkSizeBytes / metadata.chunkSize,
    remoteMetadataBytes: remoteMetadataBytes(metadata.getNumGroups()),
  };
}

/**
 * Arguments for `super(...)` that fill the chunk-meta fields when the backend has metadata, and
 * leave them undefined otherwise — a scheduler-role `SafeLocalCPUBackend`, whose `config` and
 * `metadata` throw, or a backend built without metadata (the kit's convenience; LMCache's
 * built-ins pass `local_cpu_backend.config, local_cpu_backend.metadata` unconditionally).
 */
export function chunkMetaArgs(
  backend: LocalCPUBackend,
): [LocalCPUBackendConfig | undefined, LMCacheMetadata | undefined] {
  try {
    const metadata = backend.metadata;
    const config = backend.config;
    return metadata && config ? [config, metadata] : [undefined, undefined];
  } catch {
    return [undefined, undefined];
  }
}
