/**
 * LMCache's `FSConnector` (`connector/fs_connector.py`, newest copy): one file per key.
 *
 * On-disk format (§6.7 of the contract): `<base>/<escaped key>.data` holding the `RemoteMetadata`
 * header (only when `saveChunkMeta`) followed by the raw `byteArray` bytes. The key string is
 * escaped the newest way, `/` → `-SEP-` (older LMCache used `-`). Writes go to a temp file
 * (`<escaped key>.tmp`, or `<base>/<fs_connector_relative_tmp_dir>/<name>`) renamed into place.
 */
import { existsSync, mkdirSync, unlinkSync } from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { AssertionError, RuntimeError, TypeError, ValueError } from "../../errors";
import { getLogger } from "../../logging";
import { type LMCacheEngineConfig, getExtraConfigValue } from "../../config/engine-config";
import type { CacheEngineKey } from "../../keys/cache-engine-key";
import type { DType } from "../../memory/dtypes";
import type { MemoryObj } from "../../memory/memory-obj";
import { RemoteMetadata } from "../../protocol/remote-metadata";
import type { LocalCPUBackend } from "../../storage-backend/local-cpu-backend";
import { RemoteConnector, errorText } from "../base-connector";
import type { EventLoop } from "../event-loop";

const logger = getLogger("lmcache.v1.storage_backend.connector.fs_connector");

/** Python `pathlib.Path(p)` rendering: redundant separators and trailing `/` dropped, `""` → `"."`. */
function pythonPath(p: string): string {
  if (p === "") return ".";
  const normalised = p.replace(/\/+/g, "/");
  const keepDoubleRoot = p.startsWith("//") && !p.startsWith("///");
  const trimmed = normalised.length > 1 ? normalised.replace(/\/$/, "") : normalised;
  const parts = trimmed.split("/").filter((part, i) => part !== "." || i === 0);
  const joined = parts.join("/") || ".";
  return keepDoubleRoot ? "/" + joined : joined;
}

/** `key.to_string().replace("/", "-SEP-") + ".data"`. */
export function fsFileName(key: CacheEngineKey): string {
  return key.toString().split("/").join("-SEP-") + ".data";
}

/** Constructor options (LMCache's arguments). */
export interface FSConnectorOptions {
  loop: EventLoop;
  localCpuBackend: LocalCPUBackend;
  config: LMCacheEngineConfig | null;
  /** Plugin instance name (`"fs"`, `"fs.primary"`) — selects `remote_storage_plugin.<name>.base_path`. */
  pluginName?: string | null;
  /** Comma-separated base paths from an `fs://` URL (null in plugin mode). */
  basePathsStr?: string | null;
}

/**
 * LMCache's FS connector. Base path: `basePathsStr` (from the URL), else
 * `extra_config["remote_storage_plugin.<pluginName or 'fs'>.base_path"]`, else
 * `extra_config["fs_base_path"]`, else `ValueError("FS connector requires base_path via URL or extra_config")`.
 * Several comma-separated paths shard keys by `abs(chunkHash) % n`.
 *
 * Like LMCache it calls the base constructor with the backend's config and metadata, so the
 * backend must carry metadata. `fs_connector_use_odirect` is accepted but O_DIRECT is not
 * available from Node, so reads and writes always use ordinary I/O (ours);
 * `fs_connector_read_ahead_size` is read but changes nothing observable.
 */
export class FSConnector extends RemoteConnector {
  readonly loop: EventLoop;
  readonly localCpuBackend: LocalCPUBackend;
  readonly basePaths: string[];
  readonly relativeTmpDir: string | null;
  readonly readAheadSize: number | null;

  constructor(options: FSConnectorOptions) {
    super(options.localCpuBackend.config, options.localCpuBackend.metadata);
    const { config } = options;
    let basePath: unknown = options.basePathsStr ?? null;
    if (basePath === null) {
      const extra = config ? config.extraConfig : null;
      if (extra !== null && extra !== undefined) {
        basePath = extra[`remote_storage_plugin.${options.pluginName || "fs"}.base_path`] ?? null;
      }
      if (basePath === null && extra !== null && extra !== undefined) basePath = extra["fs_base_path"] ?? null;
      if (basePath === null) throw new ValueError("FS connector requires base_path via URL or extra_config");
    }
    const baseStr = String(basePath);
    this.basePaths = baseStr.includes(",") ? baseStr.split(",").map((p) => pythonPath(p.trim())) : [pythonPath(baseStr)];
    this.loop = options.loop;
    this.localCpuBackend = options.localCpuBackend;

    const relTmp = getExtraConfigValue<string>(config, "fs_connector_relative_tmp_dir", null);
    this.relativeTmpDir = relTmp === null ? null : pythonPath(String(relTmp));
    if (this.relativeTmpDir !== null && path.isAbsolute(this.relativeTmpDir)) {
      throw new AssertionError(`fs_connector_relative_tmp_dir must be relative, got ${this.relativeTmpDir}`);
    }
    this.readAheadSize = getExtraConfigValue<number>(config, "fs_connector_read_ahead_size", null);
    const useOdirect = Boolean(getExtraConfigValue(config, "fs_connector_use_odirect", false));
    if (useOdirect && this.saveChunkMeta) logger.warning("Cannot use O_DIRECT if save_chunk_meta enabled.");

    logger.info(
      `Initialized FSConnector with base paths ${JSON.stringify(this.basePaths)}, relative tmp dir: ${this.relativeTmpDir}, ` +
        `read ahead size: ${this.readAheadSize}, use O_DIRECT: false`,
    );
    for (const base of this.basePaths) {
      mkdirSync(base, { recursive: true });
      if (this.relativeTmpDir !== null) {
        // Path.mkdir(parents=False, exist_ok=True)
        try {
          mkdirSync(path.join(base, this.relativeTmpDir));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        }
      }
    }
  }

  private basePathFor(key: CacheEngineKey): string {
    if (this.basePaths.length === 1) return this.basePaths[0]!;
    const hash = key.chunkHash;
    if (typeof hash !== "bigint") {
      throw new TypeError(`bad operand type for abs(): '${hash instanceof Uint8Array ? "bytes" : "str"}'`);
    }
    const abs = hash < 0n ? -hash : hash;
    return this.basePaths[Number(abs % BigInt(this.basePaths.length))]!;
  }

  /** Where `key` is stored. */
  filePath(key: CacheEngineKey): string {
    return path.join(this.basePathFor(key), fsFileName(key));
  }

  private fileAndTmpPath(key: CacheEngineKey): [string, string] {
    const base = this.basePathFor(key);
    const name = fsFileName(key);
    const file = path.join(base, name);
    // Path.with_suffix(".tmp") replaces the final ".data".
    const tmp = this.relativeTmpDir !== null ? path.join(base, this.relativeTmpDir, name) : file.slice(0, -".data".length) + ".tmp";
    return [file, tmp];
  }

  override async exists(key: CacheEngineKey): Promise<boolean> {
    try {
      await fsp.stat(this.filePath(key));
      return true;
    } catch {
      return false;
    }
  }

  override existsSync(key: CacheEngineKey): boolean {
    return existsSync(this.filePath(key));
  }

  override async get(key: CacheEngineKey): Promise<MemoryObj | null> {
    const file = this.filePath(key);
    let obj: MemoryObj | null = null;
    let handle: fsp.FileHandle | null = null;
    try {
      handle = await fsp.open(file, "r");
      let position = 0;
      if (this.saveChunkMeta) {
        const header = new Uint8Array(this.remoteMetadataBytes!);
        const numRead = await readFully(handle, header, 0);
        if (numRead !== header.length) throw new RuntimeError(`Partial read meta ${header.length} got ${numRead}`);
        position = numRead;
        const meta = RemoteMetadata.deserialize(header, (this.remoteMetadataBytes! / 4 - 2) / 5);
        obj = allocate(this.localCpuBackend, meta.shapes, meta.dtypes, meta.fmt);
      } else {
        obj = allocate(this.localCpuBackend, this.metaShapes!, this.metaDtypes!, this.metaFmt!);
      }
      if (obj === null) {
        logger.debug("Memory allocation failed during async disk load.");
        return null;
      }
      const buffer = obj.byteArray;
      const numRead = await readFully(handle, buffer, position);
      if (this.saveChunkMeta) {
        if (numRead !== buffer.length) throw new RuntimeError(`Partial read data ${buffer.length} got ${numRead}`);
      } else {
        obj = this.reshapePartialChunk(obj, numRead);
      }
      return obj;
    } catch (error) {
      if ((error as NodeJS.ErrnoException)?.code !== "ENOENT") {
        logger.error(`Failed to read from file ${file}: ${errorText(error)}`);
      }
      obj?.refCountDown();
      return null;
    } finally {
      await handle?.close();
    }
  }

  override async put(key: CacheEngineKey, obj: MemoryObj): Promise<void> {
    const [finalPath, tmpPath] = this.fileAndTmpPath(key);
    try {
      const buffer = obj.byteArray;
      const header = this.saveChunkMeta
        ? new RemoteMetadata(buffer.length, obj.getShapes(), obj.getDtypes(), obj.getMemoryFormat()).serialize()
        : null;
      const handle = await fsp.open(tmpPath, "w");
      try {
        if (header) await handle.write(header);
        await handle.write(buffer);
      } finally {
        await handle.close();
      }
      await fsp.rename(tmpPath, finalPath);
    } catch (error) {
      logger.error(`Failed to write file ${finalPath}: ${errorText(error)}`);
      if (existsSync(tmpPath)) await fsp.unlink(tmpPath);
      throw error;
    }
  }

  override removeSync(key: CacheEngineKey): boolean {
    const file = this.filePath(key);
    try {
      unlinkSync(file);
      return true;
    } catch (error) {
      logger.error(`Failed to remove file ${file}: ${errorText(error)}`);
      return false;
    }
  }

  /** File stems of `*.data` files in every base path (escaped key strings; hidden files skipped like `glob`). */
  override async list(): Promise<string[]> {
    const keys: string[] = [];
    for (const base of this.basePaths) {
      for (const name of await fsp.readdir(base)) {
        if (name.endsWith(".data") && !name.startsWith(".")) keys.push(name.slice(0, -".data".length));
      }
    }
    return keys;
  }

  override async close(): Promise<void> {
    logger.info("Closed the file system connector");
  }
}

/** Reads from `position` until `buffer` is full or EOF; returns the bytes read. */
async function readFully(handle: fsp.FileHandle, buffer: Uint8Array, position: number): Promise<number> {
  let total = 0;
  while (total < buffer.length) {
    const { bytesRead } = await handle.read(buffer, total, buffer.length - total, position + total);
    if (bytesRead === 0) break;
    total += bytesRead;
  }
  return total;
}

/** `local_cpu_backend.allocate(shapes, dtypes, fmt)`, passing single groups in the one-group form. */
function allocate(
  backend: LocalCPUBackend,
  shapes: number[][],
  dtypes: (DType | null)[],
  fmt: number,
): MemoryObj | null {
  const single = shapes.length === 1;
  return backend.allocate(single ? shapes[0]! : shapes, (single ? dtypes[0] : dtypes) as DType & DType[], fmt);
}
