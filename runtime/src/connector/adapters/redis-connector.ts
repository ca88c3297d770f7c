/**
 * LMCache's `RedisConnector` (`connector/redis_connector.py`, newest upstream), ported onto
 * node-redis. Layout per key (two Redis keys, as upstream):
 * - `<key.toString()>kv_bytes` — the object's raw bytes (`memory_obj.byte_array`), written FIRST;
 * - `<key.toString()>metadata` — the 28-byte `RemoteMetadata(len(bytes), shape, dtype, fmt)`.
 * `exists` looks at the metadata key only. Every operation goes through an `AsyncPQExecutor`
 * (four workers; PEEK < PREFETCH < GET < PUT) and a 150-permit semaphore, as upstream.
 *
 * Upstream behaviour kept: the constructor does NOT call the base constructor with config and
 * metadata (no chunk-meta fields); `list()` resolves to `null` (its body is `pass`);
 * `batchedPut` writes every pair concurrently; `batchedAsyncContains` counts leading hits;
 * `batchedGetNonBlocking` returns every hit in order, misses dropped (not a prefix); a stored
 * length that does not match the object's size fails like Python's memoryview assignment.
 *
 * Differences (ours, see docs/fidelity.md): when the `kv_bytes` key is gone (evicted) or the bytes
 * do not fit, the kit releases the object it allocated (LMCache leaks it); `existsSync` runs on a
 * worker-thread connection with a timeout (LMCache blocks on the loop without one); redis-py's
 * typed connection options in the query (`socket_timeout`, …) are validated but not applied.
 */
import { createRequire } from "node:module";
import { ValueError } from "../../errors";
import { getLogger } from "../../logging";
import type { CacheEngineKey } from "../../keys/cache-engine-key";
import type { DType } from "../../memory/dtypes";
import type { MemoryObj } from "../../memory/memory-obj";
import { RemoteMetadata } from "../../protocol/remote-metadata";
import type { LocalCPUBackend } from "../../storage-backend/local-cpu-backend";
import { RemoteConnector } from "../base-connector";
import type { EventLoop } from "../event-loop";
import { AsyncPQExecutor, AsyncSemaphore } from "../pq-executor";
import { redactUrl } from "../redact";
import { RedisSyncBridge, resolveRedisPackage, type RedisClientOptions } from "../redis-sync-bridge";
import { parseRedisUrl } from "../upstream-schemes";
import { unquotePython, urlparsePython, netlocUserinfo } from "../url";

const logger = getLogger("lmcache.v1.storage_backend.connector.redis_connector");

/** Upstream `Priorities` (`IntEnum`, `auto()` from 1). */
export enum RedisPriority {
  PEEK = 1,
  PREFETCH = 2,
  GET = 3,
  PUT = 4,
}

/** The node-redis client surface the connector uses (Buffers in, Buffers out). */
interface RedisClient {
  connect(): Promise<unknown>;
  exists(key: string): Promise<number>;
  get(key: string): Promise<Buffer | null>;
  set(key: string, value: Buffer | Uint8Array): Promise<unknown>;
  del(key: string): Promise<number>;
  close?(): Promise<void>;
  quit?(): Promise<unknown>;
  destroy?(): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  withTypeMapping(mapping: Record<number, unknown>): RedisClient;
}

/** node-redis options for a `redis://`, `rediss://` or `unix://` URL, read as redis-py reads it. */
export function redisClientOptions(url: string): RedisClientOptions {
  const parsed = parseRedisUrl(url);
  const { username, password } = netlocUserinfo(urlparsePython(url).netloc);
  const options: RedisClientOptions = { socket: { connectTimeout: 5000 } };
  if (username) options.username = unquotePython(username);
  if (password) options.password = unquotePython(password);
  if (parsed.db !== null) options.database = parsed.db;
  if (url.startsWith("unix://")) {
    options.socket.path = parsed.path ? unquotePython(parsed.path) : undefined;
  } else {
    options.socket.host = parsed.host ?? "localhost";
    options.socket.port = parsed.port ? parsed.port : 6379;
    if (url.startsWith("rediss://")) options.socket.tls = true;
  }
  return options;
}

/** Constructor arguments of `RedisConnector` (LMCache's keywords). */
export interface RedisConnectorOptions {
  url: string;
  loop: EventLoop;
  localCpuBackend: LocalCPUBackend;
  /** How long `existsSync` may block (ours; default 10 s). */
  syncTimeoutMs?: number;
}

export class RedisConnector extends RemoteConnector {
  /** "set a large max": upstream's pool size and semaphore. */
  readonly maxConnections = 150;
  readonly url: string;
  readonly loop: EventLoop;
  readonly localCpuBackend: LocalCPUBackend;
  private readonly sem = new AsyncSemaphore(150);
  private readonly pqExecutor = new AsyncPQExecutor(4);
  private readonly connection: RedisClient;
  private readonly ready: Promise<unknown>;
  private readonly options: RedisClientOptions;
  private readonly syncTimeoutMs: number;
  private bridge: RedisSyncBridge | null = null;

  constructor(options: RedisConnectorOptions) {
    super();
    this.url = options.url;
    this.loop = options.loop;
    this.localCpuBackend = options.localCpuBackend;
    this.syncTimeoutMs = options.syncTimeoutMs ?? 10_000;
    this.options = redisClientOptions(options.url);
    // Loaded at run time (not bundled): only redis:// users need the package.
    const redis = createRequire(__filename)(resolveRedisPackage()) as {
      createClient(o: unknown): RedisClient;
      RESP_TYPES: { BLOB_STRING: number };
    };
    const label = redactUrl(options.url);
    const base = redis.createClient({
      ...this.options,
      socket: { ...this.options.socket, reconnectStrategy: (n: number) => (n >= 3 ? new Error(`Redis at ${label} is unreachable`) : 100) },
    });
    base.on("error", (error: unknown) => logger.warning(`Redis connection error (${label}): ${String((error as Error)?.message ?? error)}`));
    this.ready = base.connect();
    this.ready.catch(() => undefined); // each operation reports the failure
    this.connection = base.withTypeMapping({ [redis.RESP_TYPES.BLOB_STRING]: Buffer });
  }

  override toString(): string {
    return `RedisConnector(${redactUrl(this.url)})`;
  }

  private async client(): Promise<RedisClient> {
    await this.ready;
    return this.connection;
  }

  private async existsJob(key: CacheEngineKey): Promise<boolean> {
    return this.sem.withPermit(async () => Boolean(await (await this.client()).exists(key.toString() + "metadata")));
  }

  override exists(key: CacheEngineKey): Promise<boolean> {
    return this.pqExecutor.submit(RedisPriority.PEEK, () => this.existsJob(key));
  }

  /** `bool(EXISTS <key>metadata)`, blocking (worker-thread connection, `syncTimeoutMs` at most). */
  override existsSync(key: CacheEngineKey): boolean {
    this.bridge ??= new RedisSyncBridge(this.options, redactUrl(this.url), this.syncTimeoutMs);
    return Boolean(this.bridge.call(["EXISTS", key.toString() + "metadata"]));
  }

  private async getJob(key: CacheEngineKey): Promise<MemoryObj | null> {
    const keyStr = key.toString();
    const conn = await this.client();
    const fetched = await this.sem.withPermit(async () => {
      const metadataBytes = await conn.get(keyStr + "metadata");
      if (metadataBytes === null) return null;
      const metadata = RemoteMetadata.deserialize(new Uint8Array(metadataBytes.buffer, metadataBytes.byteOffset, metadataBytes.length));
      const obj = this.localCpuBackend.allocate(metadata.shape, metadata.dtype as DType, metadata.fmt);
      if (obj === null) {
        logger.warning("Failed to allocate memory during remote receive");
        return null;
      }
      let kvBytes: Buffer | null;
      try {
        kvBytes = await conn.get(keyStr + "kv_bytes");
      } catch (error) {
        obj.refCountDown();
        throw error;
      }
      return { metadata, obj, kvBytes };
    });
    if (fetched === null) return null;
    const { metadata, obj, kvBytes } = fetched;
    if (kvBytes === null) {
      logger.warning("Key exists but KV cache does not exist.Might happen when the cache is evicted by redis.");
      obj.refCountDown(); // ours: LMCache leaks the allocation here
      await this.sem.withPermit(async () => conn.del(keyStr + "metadata"));
      return null;
    }
    // Python: view[: metadata.length] = kv_bytes — both sides must have the same length.
    const view = obj.byteArray;
    const target = Math.min(Math.max(metadata.length, 0), view.length);
    if (kvBytes.length !== target) {
      obj.refCountDown(); // ours: LMCache leaks the allocation here
      throw new ValueError("memoryview assignment: lvalue and rvalue have different structures");
    }
    view.set(kvBytes, 0);
    return obj;
  }

  override get(key: CacheEngineKey): Promise<MemoryObj | null> {
    return this.pqExecutor.submit(RedisPriority.GET, () => this.getJob(key));
  }

  private async putJob(key: CacheEngineKey, obj: MemoryObj): Promise<void> {
    const kvBytes = obj.byteArray;
    const metadataBytes = new RemoteMetadata(kvBytes.length, [[...obj.getShape()]], [obj.getDtype()], obj.getMemoryFormat()).serialize();
    const keyStr = key.toString();
    const conn = await this.client();
    // kv bytes first, metadata second: a reader never sees metadata without its bytes.
    await this.sem.withPermit(async () => {
      await conn.set(keyStr + "kv_bytes", Buffer.from(kvBytes.buffer, kvBytes.byteOffset, kvBytes.length));
      await conn.set(keyStr + "metadata", Buffer.from(metadataBytes.buffer, metadataBytes.byteOffset, metadataBytes.length));
    });
  }

  override put(key: CacheEngineKey, obj: MemoryObj): Promise<void> {
    return this.pqExecutor.submit(RedisPriority.PUT, () => this.putJob(key, obj));
  }

  override supportBatchedPut(): boolean {
    return true;
  }

  override batchedPut(keys: CacheEngineKey[], objs: MemoryObj[]): Promise<void> {
    // zip(strict=False): the shorter list decides.
    const n = Math.min(keys.length, objs.length);
    return this.pqExecutor.submit(RedisPriority.PUT, async () => {
      await Promise.all(Array.from({ length: n }, (_, i) => this.putJob(keys[i]!, objs[i]!)));
    });
  }

  /** Upstream's body is `pass`: resolves to `null` (typed as a list for the base signature). */
  override async list(): Promise<string[]> {
    return null as unknown as string[];
  }

  override async close(): Promise<void> {
    await this.pqExecutor.shutdown();
    const conn = this.connection;
    try {
      await this.ready;
      if (conn.close) await conn.close();
      else if (conn.quit) await conn.quit();
    } catch {
      conn.destroy?.();
    }
    await this.bridge?.close();
    logger.info("Closed the redis connection");
  }

  override supportBatchedAsyncContains(): boolean {
    return true;
  }

  override batchedAsyncContains(_lookupId: string, keys: CacheEngineKey[], _pin = false): Promise<number> {
    return this.pqExecutor.submit(RedisPriority.PEEK, async () => {
      const conn = await this.client();
      let hits = 0;
      for (const key of keys) {
        const found = await this.sem.withPermit(() => conn.exists(key.toString() + "metadata"));
        if (!found) return hits;
        hits++;
      }
      return hits;
    });
  }

  override supportBatchedGetNonBlocking(): boolean {
    return true;
  }

  override batchedGetNonBlocking(_lookupId: string, keys: CacheEngineKey[]): Promise<MemoryObj[]> {
    return this.pqExecutor.submit(RedisPriority.PREFETCH, async () => {
      const results = await Promise.allSettled(keys.map((key) => this.getJob(key)));
      const failed = results.find((r) => r.status === "rejected");
      if (failed) {
        // asyncio.gather raises the first error; the other results are lost (released here: ours).
        for (const r of results) if (r.status === "fulfilled") r.value?.refCountDown();
        throw (failed as PromiseRejectedResult).reason;
      }
      return results.map((r) => (r as PromiseFulfilledResult<MemoryObj | null>).value).filter((o): o is MemoryObj => o !== null);
    });
  }
}
