/**
 * AcmeFileStore: an LMCache remote storage connector that stores one file per chunk under a directory
 * (generated from the `fs` template of generator-lmcache-connector).
 *
 * LMCache loads it either from a URL (see lmcache/acme_file_store.yaml)
 *   remote_url: "external://host:0/src.acme_file_store/?connector_name=AcmeFileStore"
 * or through the Remote Storage Plugin Framework
 *   remote_storage_plugins: ["acme_file_store"]
 *   extra_config:
 *     remote_storage_plugin.acme_file_store.module_path: src.acme_file_store
 *     remote_storage_plugin.acme_file_store.class_name: AcmeFileStore
 *
 * The rules LMCache relies on, which `npm test` (the conformance suite) checks:
 * - `get` returns a FRESH object from `localCpuBackend.allocate(...)` filled with the stored bytes,
 *   or `null` on a miss. If anything fails after allocating, release it (`refCountDown()`).
 * - `put` must NOT call `obj.refCountDown()`: LMCache releases the object after `put` settles.
 * - `existsSync`, `removeSync` and `batchedContains` are called synchronously.
 * - After `close()`, calls reject instead of hanging or succeeding.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, statSync, unlinkSync } from "node:fs";
import * as fsp from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
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

const logger = getLogger("acme_file_store");

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

/** extra_config key naming the directory chunks are stored in. */
export const BASE_PATH_KEY = "remote_storage_plugin.acme_file_store.base_path";

/** The directory used when `BASE_PATH_KEY` is not set. */
export const DEFAULT_BASE_PATH = path.join(os.tmpdir(), "acme_file_store");

/** AcmeFileStore: see the module comment. One file per chunk, named by the SHA-256 of the key. */
export class AcmeFileStore extends RemoteConnector {
  readonly loop: EventLoop;
  readonly localCpuBackend: LocalCPUBackend;
  /** Your store goes here: this directory stands in for the service the connector talks to. */
  readonly basePath: string;
  private closed = false;

  constructor({ loop, localCpuBackend, config }: ConnectorInit) {
    // LMCache: super().__init__(local_cpu_backend.config, local_cpu_backend.metadata)
    super(localCpuBackend.config, localCpuBackend.metadata);
    this.loop = loop;
    this.localCpuBackend = localCpuBackend;
    // LMCache passes no URL: settings come from config.extraConfig.
    const configured = getExtraConfigValue<string>(config, BASE_PATH_KEY, null);
    this.basePath = configured === null || configured === "" ? DEFAULT_BASE_PATH : String(configured);
    mkdirSync(this.basePath, { recursive: true });
    logger.info(`AcmeFileStore stores chunks in ${this.basePath}`);
  }

  /** Where `key` is stored. Hashing keeps names short and free of "/" whatever the key holds. */
  filePath(key: CacheEngineKey): string {
    return path.join(this.basePath, createHash("sha256").update(key.toString()).digest("hex") + ".chunk");
  }

  override async exists(key: CacheEngineKey): Promise<boolean> {
    this.assertOpen();
    try {
      await fsp.access(this.filePath(key));
      return true;
    } catch {
      return false;
    }
  }

  override existsSync(key: CacheEngineKey): boolean {
    this.assertOpen();
    return statSync(this.filePath(key), { throwIfNoEntry: false }) !== undefined;
  }

  override async get(key: CacheEngineKey): Promise<MemoryObj | null> {
    this.assertOpen();
    let data: Uint8Array;
    try {
      data = await fsp.readFile(this.filePath(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") logger.error(`Failed to read ${key.toString()}: ${(error as Error).message}`);
      return null;
    }
    try {
      const { header, bytes } = decodeChunk(data);
      return this.allocateFilled(header.shapes, header.dtypes, header.fmt, bytes);
    } catch (error) {
      logger.error(`Corrupt chunk for ${key.toString()}: ${(error as Error).message}`);
      return null;
    }
  }

  override async put(key: CacheEngineKey, obj: MemoryObj): Promise<void> {
    this.assertOpen();
    // Write a temporary file and rename it, so readers never see half a chunk.
    const file = this.filePath(key);
    const tmp = `${file}.${randomUUID()}.tmp`;
    try {
      await fsp.writeFile(tmp, encodeChunk(key.toString(), obj));
      await fsp.rename(tmp, file);
    } catch (error) {
      await fsp.rm(tmp, { force: true });
      throw error;
    }
  }

  override async list(): Promise<string[]> {
    this.assertOpen();
    const keys: string[] = [];
    for (const name of await fsp.readdir(this.basePath)) {
      if (!name.endsWith(".chunk")) continue;
      try {
        keys.push(decodeChunk(await fsp.readFile(path.join(this.basePath, name))).header.key);
      } catch {
        // Removed or rewritten while listing: not an entry.
      }
    }
    return keys;
  }

  override async close(): Promise<void> {
    this.closed = true;
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

  /** Removes `key` synchronously (LMCache calls it on eviction); `true` when it was stored. */
  override removeSync(key: CacheEngineKey): boolean {
    this.assertOpen();
    try {
      unlinkSync(this.filePath(key));
      return true;
    } catch {
      return false;
    }
  }
}
