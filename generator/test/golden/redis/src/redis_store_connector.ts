/**
 * RedisStoreConnector: an LMCache remote storage connector that stores chunks in a Redis server through node-redis
 * (generated from the `redis` template of generator-lmcache-connector).
 *
 * LMCache loads it either from a URL (see lmcache/redis_store_connector.yaml)
 *   remote_url: "external://host:0/src.redis_store_connector/?connector_name=RedisStoreConnector"
 * or through the Remote Storage Plugin Framework
 *   remote_storage_plugins: ["redis_store_connector"]
 *   extra_config:
 *     remote_storage_plugin.redis_store_connector.module_path: src.redis_store_connector
 *     remote_storage_plugin.redis_store_connector.class_name: RedisStoreConnector
 *
 * The rules LMCache relies on, which `npm test` (the conformance suite) checks:
 * - `get` returns a FRESH object from `localCpuBackend.allocate(...)` filled with the stored bytes,
 *   or `null` on a miss. If anything fails after allocating, release it (`refCountDown()`).
 * - `put` must NOT call `obj.refCountDown()`: LMCache releases the object after `put` settles.
 * - `existsSync`, `removeSync` and `batchedContains` are called synchronously.
 * - After `close()`, calls reject instead of hanging or succeeding.
 */
import { RESP_TYPES, createClient } from "redis";
import {
  RemoteConnector,
  RuntimeError,
  ValueError,
  getExtraConfigValue,
  getLogger,
  type CacheEngineKey,
  type ConnectorInit,
  type DType,
  type EventLoop,
  type LocalCPUBackend,
  type MemoryFormat,
  type MemoryObj,
} from "lmcache-connector-runtime";

const logger = getLogger("redis_store_connector");

/** What precedes a stored chunk's bytes: its key string and how `get` re-allocates the object. */
interface ChunkHeader {
  key: string;
  shapes: number[][];
  dtypes: (DType | null)[];
  fmt: MemoryFormat;
  length: number;
}

/**
 * A stored chunk is `[u32 LE header length][header JSON][bytes]`. (LMCache's own FS and Redis
 * connectors write the 28-byte `RemoteMetadata` header instead; the runtime exports
 * `RemoteMetadata` should your store need that wire format.)
 */
function encodeChunk(key: string, obj: MemoryObj): Uint8Array {
  const bytes = obj.byteArray;
  const header: ChunkHeader = { key, shapes: obj.getShapes(), dtypes: obj.getDtypes(), fmt: obj.getMemoryFormat(), length: bytes.length };
  const head = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(4 + head.length + bytes.length);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  out.set(bytes, 4 + head.length);
  return out;
}

/** Splits a stored chunk into its header and bytes; throws on anything truncated. */
function decodeChunk(data: Uint8Array): { header: ChunkHeader; bytes: Uint8Array } {
  if (data.length < 4) throw new RuntimeError(`stored chunk is truncated (${data.length} bytes)`);
  const headLength = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(data.subarray(4, 4 + headLength))) as ChunkHeader;
  const bytes = data.subarray(4 + headLength);
  if (bytes.length !== header.length) throw new RuntimeError(`stored chunk holds ${bytes.length} bytes, its header says ${header.length}`);
  return { header, bytes };
}

/** extra_config keys naming the Redis URL, in order of precedence. */
export const URL_KEYS = ["remote_storage_plugin.redis_store_connector.url", "redis_url"] as const;

/** Used when no URL key is set and the `REDIS_URL` environment variable is empty. */
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/** extra_config key of the prefix put before every Redis key (default `lmcache:`). */
export const KEY_PREFIX_KEY = "remote_storage_plugin.redis_store_connector.key_prefix";

/** The Redis URL from `config.extraConfig` (see `URL_KEYS`), else `$REDIS_URL`, else `DEFAULT_REDIS_URL`. */
export function redisUrl(config: ConnectorInit["config"]): string {
  for (const key of URL_KEYS) {
    const value = getExtraConfigValue<string>(config, key, null);
    if (value !== null && value !== "") return String(value);
  }
  return process.env.REDIS_URL || DEFAULT_REDIS_URL;
}

function openClients(url: string) {
  // Give up after a few reconnects, so calls fail instead of waiting forever for a dead server.
  const base = createClient({ url, socket: { reconnectStrategy: (retries: number) => (retries >= 3 ? new Error(`Redis at ${url} is unreachable`) : 100) } });
  // The same connection, answering binary values as Buffers instead of strings.
  return { base, buffers: base.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }) };
}

/** Escapes Redis glob characters so the key prefix matches literally in SCAN. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => "\\" + c);
}

/**
 * RedisStoreConnector: see the module comment. Each chunk is one Redis string value under
 * `<prefix><key string>`.
 *
 * node-redis has no synchronous calls, so `existsSync`, `removeSync` answer from this
 * connector's own view of the store (keys it wrote, read or listed, minus those it removed);
 * LMCache calls `existsSync` only when `extra_config.use_exists_sync` is set. Commands on the one
 * connection run in order, so a removal queued synchronously is seen by every later call.
 */
export class RedisStoreConnector extends RemoteConnector {
  readonly loop: EventLoop;
  readonly localCpuBackend: LocalCPUBackend;
  readonly url: string;
  readonly keyPrefix: string;
  private readonly clients: ReturnType<typeof openClients>;
  private readonly ready: Promise<void>;
  /** Key strings this connector knows to be stored (for the synchronous calls). */
  private readonly known = new Set<string>();
  private closed = false;

  constructor({ loop, localCpuBackend, config }: ConnectorInit) {
    // LMCache: super().__init__(local_cpu_backend.config, local_cpu_backend.metadata)
    super(localCpuBackend.config, localCpuBackend.metadata);
    this.loop = loop;
    this.localCpuBackend = localCpuBackend;
    this.url = redisUrl(config);
    this.keyPrefix = String(getExtraConfigValue<string>(config, KEY_PREFIX_KEY, null) ?? "lmcache:");
    this.clients = openClients(this.url);
    this.clients.base.on("error", (error: Error) => logger.error(`Redis ${this.url}: ${error.message}`));
    this.ready = this.clients.base.connect().then(() => undefined);
    this.ready.catch(() => undefined); // reported by the call that awaits it
  }

  private redisKey(key: CacheEngineKey): string {
    return this.keyPrefix + key.toString();
  }

  /** Throws after close(); otherwise waits for the connection. */
  private async connection(): Promise<void> {
    this.assertOpen();
    await this.ready;
  }

  override async exists(key: CacheEngineKey): Promise<boolean> {
    await this.connection();
    const found = (await this.clients.base.exists(this.redisKey(key))) === 1;
    if (found) this.known.add(key.toString());
    else this.known.delete(key.toString());
    return found;
  }

  override existsSync(key: CacheEngineKey): boolean {
    this.assertOpen();
    return this.known.has(key.toString());
  }

  override async get(key: CacheEngineKey): Promise<MemoryObj | null> {
    await this.connection();
    const data = await this.clients.buffers.get(this.redisKey(key));
    if (data === null) {
      this.known.delete(key.toString());
      return null;
    }
    this.known.add(key.toString());
    try {
      const { header, bytes } = decodeChunk(data);
      return this.allocateFilled(header.shapes, header.dtypes, header.fmt, bytes);
    } catch (error) {
      logger.error(`Corrupt chunk for ${key.toString()}: ${(error as Error).message}`);
      return null;
    }
  }

  override async put(key: CacheEngineKey, obj: MemoryObj): Promise<void> {
    await this.connection();
    const value = encodeChunk(key.toString(), obj);
    await this.clients.base.set(this.redisKey(key), Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    this.known.add(key.toString());
  }

  override async list(): Promise<string[]> {
    await this.connection();
    const keys: string[] = [];
    for await (const batch of this.clients.base.scanIterator({ MATCH: globEscape(this.keyPrefix) + "*", COUNT: 500 })) {
      for (const redisKey of batch) keys.push(String(redisKey).slice(this.keyPrefix.length));
    }
    const unique = [...new Set(keys)]; // SCAN may return a key twice while the keyspace grows
    for (const key of unique) this.known.add(key);
    return unique;
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.ready;
      await this.clients.base.close();
    } catch {
      this.clients.base.destroy();
    }
  }

  /** Allocates the object `get` returns and copies `bytes` in; releases it again if that fails. */
  private allocateFilled(shapes: number[][], dtypes: (DType | null)[], fmt: MemoryFormat, bytes: Uint8Array): MemoryObj | null {
    const single = shapes.length === 1;
    const obj = this.localCpuBackend.allocate(single ? shapes[0]! : shapes, (single ? dtypes[0] : dtypes) as DType | DType[], fmt);
    if (obj === null) {
      // The local CPU cache is full: a miss, as LMCache's own connectors report it.
      logger.warning("Failed to allocate memory during remote receive");
      return null;
    }
    try {
      if (obj.byteArray.length !== bytes.length) {
        throw new RuntimeError(`allocated ${obj.byteArray.length} bytes for a ${bytes.length}-byte chunk`);
      }
      obj.byteArray.set(bytes);
      return obj;
    } catch (error) {
      logger.error(`Failed to read chunk: ${(error as Error).message}`);
      obj.refCountDown(); // our own allocation: nobody else will release it
      return null;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new RuntimeError(`${this.constructor.name} is closed`);
  }

  override supportBatchedGet(): boolean {
    return true;
  }

  /**
   * One slot per key: the hits up to the first miss, then `null` for every later key. It stops
   * fetching at the first miss, so nothing is allocated that LMCache would not read (LMCache #2544).
   */
  override async batchedGet(keys: CacheEngineKey[]): Promise<(MemoryObj | null)[]> {
    const out: (MemoryObj | null)[] = [];
    let missed = false;
    for (const key of keys) {
      const obj = missed ? null : await this.get(key);
      if (obj === null) missed = true;
      out.push(obj);
    }
    return out;
  }

  override supportBatchedPut(): boolean {
    return true;
  }

  /** Same ownership rule as `put`: LMCache releases every object afterwards, not us. */
  override async batchedPut(keys: CacheEngineKey[], objs: MemoryObj[]): Promise<void> {
    if (keys.length !== objs.length) throw new ValueError(`batchedPut got ${keys.length} keys but ${objs.length} objects`);
    // Your store may have a bulk write (a pipeline, a multi-put): use it here.
    for (let i = 0; i < keys.length; i++) await this.put(keys[i]!, objs[i]!);
  }

  override supportBatchedContains(): boolean {
    return true;
  }

  /** How many leading keys are stored (LMCache's prefix rule). */
  override batchedContains(keys: CacheEngineKey[]): number {
    let hits = 0;
    while (hits < keys.length && this.existsSync(keys[hits]!)) hits++;
    return hits;
  }

  override supportPing(): boolean {
    return true;
  }

  /** LMCache's health monitor: 0 means healthy, any other number is an error code. */
  override async ping(): Promise<number> {
    await this.connection();
    try {
      return (await this.clients.base.ping()) === "PONG" ? 0 : 1;
    } catch {
      return 1; // unreachable: LMCache's monitor switches to its fallback
    }
  }

  /** Removes `key` synchronously (LMCache calls it on eviction); `true` when it was stored. */
  override removeSync(key: CacheEngineKey): boolean {
    this.assertOpen();
    const known = this.known.delete(key.toString());
    // Queued now, so every later command on this connection sees the key gone.
    this.clients.base.del(this.redisKey(key)).catch((error: Error) => logger.error(`Failed to remove ${key.toString()}: ${error.message}`));
    return known;
  }
}
