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
import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync, statSync, writeFileSync, unlinkSync } from "node:fs";
import * as fsp from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import {
  RemoteConnector,
  RuntimeError,
  ValueError,
  RemoteMetadata,
  getExtraConfigValue,
  remoteMetadataBytes,
  stripShapePadding,
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

/**
 * A stored chunk is LMCache's layout: its `RemoteMetadata` header (`lmcache/v1/protocol.py`;
 * little-endian int32s `length, fmt, dtype code, shape[0..3]` — 28 bytes for one group) followed
 * by the raw bytes, as LMCache's FSConnector and RedisConnector write it with the default
 * `save_chunk_meta: true`. (With `save_chunk_meta: false` LMCache stores the bytes alone and
 * re-allocates from `meta_shapes`; this template always writes the header, so `get` can restore
 * any shape.)
 */
function encodeChunk(obj: MemoryObj): Uint8Array {
  const bytes = obj.byteArray;
  const header = RemoteMetadata.forMemoryObj(obj);
  if (header.length !== bytes.length) throw new RuntimeError(`object reports ${header.length} bytes but holds ${bytes.length}`);
  const head = header.serialize();
  const out = new Uint8Array(head.length + bytes.length);
  out.set(head, 0);
  out.set(bytes, head.length);
  return out;
}

/**
 * Splits a stored chunk into its header and bytes; throws on anything truncated. The number of
 * groups follows from the sizes (header = stored size - payload length), so chunks of one-group and
 * multi-group models both read back. Shapes lose the 4-D padding for every format: LMCache keeps
 * `[n, 0, 0, 0]` for BINARY formats, which would allocate zero elements for `n` stored bytes.
 */
function decodeChunk(data: Uint8Array): { shapes: number[][]; dtypes: (DType | null)[]; fmt: MemoryFormat; bytes: Uint8Array } {
  if (data.length < remoteMetadataBytes(1)) throw new RuntimeError(`stored chunk is truncated (${data.length} bytes, less than a RemoteMetadata header)`);
  const length = new DataView(data.buffer, data.byteOffset, 4).getInt32(0, true);
  const groups = ((data.length - length) / 4 - 2) / 5;
  if (length < 0 || !Number.isInteger(groups) || groups < 1) {
    throw new RuntimeError(`stored chunk of ${data.length} bytes does not fit its header (payload length ${length})`);
  }
  const header = RemoteMetadata.deserialize(data, groups);
  const shapes = header.shapes.map((shape) => stripShapePadding(shape));
  return { shapes, dtypes: header.dtypes, fmt: header.fmt, bytes: data.subarray(data.length - length) };
}

/** extra_config key naming the directory chunks are stored in. */
export const BASE_PATH_KEY = "remote_storage_plugin.acme_file_store.base_path";

/** The directory used when `BASE_PATH_KEY` is not set. */
export const DEFAULT_BASE_PATH = path.join(os.tmpdir(), "acme_file_store");

/**
 * The file name stem of a key string. LMCache's FSConnector writes `<key string>.data` with "/"
 * replaced by "-SEP-" ("-" in older copies): "org/model" and "org-SEP-model" then share a file,
 * and its list() returns the escaped stems, not key strings. Here "%", "/" and control characters
 * are percent-encoded instead (and capitals too where the file system ignores case), so a usual
 * key's file name is exactly LMCache's, distinct keys never share a file, and list() gives back
 * every key string unchanged (the conformance suite checks both).
 */
export function fileStem(key: string, foldsCase = false): string {
  const unsafe = foldsCase ? /[%/\x00-\x1f\x7fA-Z]/g : /[%/\x00-\x1f\x7f]/g;
  return key.replace(unsafe, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0"));
}

/** The key string of a file name stem (the inverse of `fileStem`). */
export function keyOfStem(stem: string): string {
  return stem.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Whether `dir` is on a case-insensitive file system (macOS and Windows defaults). */
function foldsCase(dir: string): boolean {
  const name = `.case-probe-${randomUUID()}`;
  const probe = path.join(dir, name);
  writeFileSync(probe, "");
  try {
    return statSync(path.join(dir, name.toUpperCase()), { throwIfNoEntry: false }) !== undefined;
  } finally {
    rmSync(probe, { force: true });
  }
}

/**
 * AcmeFileStore: see the module comment. LMCache's FSConnector format: one file per chunk,
 * `<base>/<key>.data` = RemoteMetadata header + bytes, written to a temporary file and renamed.
 */
export class AcmeFileStore extends RemoteConnector {
  readonly loop: EventLoop;
  readonly localCpuBackend: LocalCPUBackend;
  /** Your store goes here: this directory stands in for the service the connector talks to. */
  readonly basePath: string;
  private readonly foldsCase: boolean;
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
    this.foldsCase = foldsCase(this.basePath);
    logger.info(`AcmeFileStore stores chunks in ${this.basePath}`);
  }

  /** Where `key` is stored: `<base>/<fileStem(key)>.data`. */
  filePath(key: CacheEngineKey): string {
    return path.join(this.basePath, fileStem(key.toString(), this.foldsCase) + ".data");
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
      const { shapes, dtypes, fmt, bytes } = decodeChunk(data);
      return this.allocateFilled(shapes, dtypes, fmt, bytes);
    } catch (error) {
      logger.error(`Corrupt chunk for ${key.toString()}: ${(error as Error).message}`);
      return null;
    }
  }

  override async put(key: CacheEngineKey, obj: MemoryObj): Promise<void> {
    this.assertOpen();
    // Write a temporary file and rename it, so readers never see half a chunk. LMCache's temp file
    // is "<key>.tmp"; a unique name keeps two puts of the same key from writing one temp file.
    const file = this.filePath(key);
    const tmp = `${file}.${randomUUID()}.tmp`;
    try {
      await fsp.writeFile(tmp, encodeChunk(obj));
      await fsp.rename(tmp, file);
    } catch (error) {
      await fsp.rm(tmp, { force: true });
      throw error;
    }
  }

  /** Key strings of the stored chunks (LMCache lists the escaped file stems; see `fileStem`). */
  override async list(): Promise<string[]> {
    this.assertOpen();
    const names = await fsp.readdir(this.basePath);
    return names.filter((name) => name.endsWith(".data") && !name.startsWith(".")).map((name) => keyOfStem(name.slice(0, -".data".length)));
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
