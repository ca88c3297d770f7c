/**
 * `memory://<name>` — the kit's in-process reference connector (ours; LMCache has none).
 * The conformance engine compares other connectors against it, so it follows every LMCache
 * ownership and prefix rule exactly and implements every optional capability.
 */
import { RuntimeError } from "../../errors";
import { getLogger } from "../../logging";
import type { CacheEngineKey } from "../../keys/cache-engine-key";
import type { DType } from "../../memory/dtypes";
import type { MemoryFormat } from "../../memory/memory-format";
import type { MemoryObj } from "../../memory/memory-obj";
import type { LocalCPUBackend } from "../../storage-backend/local-cpu-backend";
import { type ConnectorInit, RemoteConnector, chunkMetaArgs, errorText } from "../base-connector";
import type { EventLoop } from "../event-loop";
import { redactUrl } from "../redact";

const logger = getLogger("lmcache_connector_kit.memory_connector");

/** One stored chunk: a private copy of the bytes plus what is needed to re-allocate it. */
export interface StoredChunk {
  /** The chunk's bytes: exactly its size, a view into `backing` (never the caller's buffer). */
  bytes: Uint8Array;
  /** The key's private buffer, reused by later puts of the same or a somewhat smaller size. */
  backing: Uint8Array;
  shapes: number[][];
  dtypes: (DType | null)[];
  fmt: MemoryFormat;
}

/**
 * The private buffer a put of `size` bytes copies into: the previous value's buffer when it is
 * large enough and not more than twice the size (so a key overwritten with a much smaller value
 * does not keep the big buffer alive), else a fresh one. Reusing avoids a large allocation — and
 * its page faults — on every overwrite, which is what kept round trips far below memcpy speed.
 */
function backingFor(previous: StoredChunk | undefined, size: number): Uint8Array {
  const old = previous?.backing;
  if (old && old.length >= size && old.length <= 2 * size) return old;
  return new Uint8Array(size);
}

/** Stores shared by name within the process. */
const namedStores = new Map<string, Map<string, StoredChunk>>();

/**
 * A Map-backed store of real bytes.
 * - `put` COPIES `obj.byteArray` (plus shapes, dtypes, format) and never releases `obj`. An
 *   overwrite copies into the key's existing private buffer when it fits (see `backingFor`), so a
 *   steady-state put is one memcpy and no allocation; last write wins.
 * - `get` allocates through `localCpuBackend.allocate(shapes, dtypes, fmt)` (ref count 1) and
 *   copies the bytes in; allocation failure → warning and `null`; any failure after allocating
 *   releases the allocation and returns `null`.
 * - `batchedGet` returns one slot per key: the hits up to the first miss, then `null` for every
 *   later key — it never allocates after the first miss, so nothing can leak (issue #2544).
 * - `batchedContains` / `batchedAsyncContains` count the leading hits.
 * - Connectors created with the same non-empty name share one store; `memory://` alone gets a
 *   fresh anonymous store. Keys are identified by `key.toString()`.
 * - After `close()`, every operation except `close()` throws `RuntimeError` (ours).
 */
export class MemoryConnector extends RemoteConnector {
  readonly loop: EventLoop;
  readonly localCpuBackend: LocalCPUBackend;
  /** The store name (`""` = anonymous). */
  readonly storeName: string;
  private readonly store: Map<string, StoredChunk>;
  private closed = false;

  constructor(init: ConnectorInit, storeName = "") {
    super(...chunkMetaArgs(init.localCpuBackend));
    this.loop = init.loop;
    this.localCpuBackend = init.localCpuBackend;
    this.storeName = storeName;
    if (storeName === "") {
      this.store = new Map();
    } else {
      let store = namedStores.get(storeName);
      if (!store) namedStores.set(storeName, (store = new Map()));
      this.store = store;
    }
  }

  /** Forget the named store `name` (tests); existing connectors keep their reference to it. */
  static dropStore(name: string): boolean {
    return namedStores.delete(name);
  }

  /** Names of the stores created so far in this process. */
  static storeNames(): string[] {
    return [...namedStores.keys()];
  }

  private assertOpen(): void {
    if (this.closed) throw new RuntimeError(`${this.toString()} is closed`);
  }

  override async exists(key: CacheEngineKey): Promise<boolean> {
    return this.existsSync(key);
  }

  override existsSync(key: CacheEngineKey): boolean {
    this.assertOpen();
    return this.store.has(key.toString());
  }

  override async get(key: CacheEngineKey): Promise<MemoryObj | null> {
    this.assertOpen();
    const chunk = this.store.get(key.toString());
    return chunk ? this.materialise(chunk) : null;
  }

  private materialise(chunk: StoredChunk): MemoryObj | null {
    const single = chunk.shapes.length === 1;
    const obj = this.localCpuBackend.allocate(
      single ? chunk.shapes[0]! : chunk.shapes,
      (single ? chunk.dtypes[0] : chunk.dtypes) as DType & DType[],
      chunk.fmt,
    );
    if (!obj) {
      logger.warning("Failed to allocate memory during remote receive");
      return null;
    }
    try {
      if (obj.byteArray.length !== chunk.bytes.length) {
        throw new RuntimeError(`allocated ${obj.byteArray.length} bytes for a ${chunk.bytes.length}-byte chunk`);
      }
      obj.byteArray.set(chunk.bytes);
      return obj;
    } catch (error) {
      logger.error(`Failed to read chunk: ${errorText(error)}`);
      obj.refCountDown();
      return null;
    }
  }

  override async put(key: CacheEngineKey, obj: MemoryObj): Promise<void> {
    this.assertOpen();
    const id = key.toString();
    const src = obj.byteArray;
    const backing = backingFor(this.store.get(id), src.length);
    backing.set(src);
    this.store.set(id, {
      // Only the first `src.length` bytes are ever read, so a shrinking overwrite cannot expose
      // the previous value's tail.
      bytes: backing.length === src.length ? backing : backing.subarray(0, src.length),
      backing,
      shapes: obj.getShapes().map((s) => [...s]),
      dtypes: [...obj.getDtypes()],
      fmt: obj.getMemoryFormat(),
    });
  }

  override async list(): Promise<string[]> {
    this.assertOpen();
    return [...this.store.keys()];
  }

  override async close(): Promise<void> {
    this.closed = true;
  }

  override supportPing(): boolean {
    return true;
  }

  override async ping(): Promise<number> {
    this.assertOpen();
    return 0;
  }

  override supportBatchedGet(): boolean {
    return true;
  }

  override async batchedGet(keys: CacheEngineKey[]): Promise<(MemoryObj | null)[]> {
    this.assertOpen();
    const out: (MemoryObj | null)[] = [];
    let missed = false;
    for (const key of keys) {
      const chunk = missed ? undefined : this.store.get(key.toString());
      const obj = chunk ? this.materialise(chunk) : null;
      if (!obj) missed = true;
      out.push(obj);
    }
    return out;
  }

  override supportBatchedPut(): boolean {
    return true;
  }

  override async batchedPut(keys: CacheEngineKey[], objs: MemoryObj[]): Promise<void> {
    this.assertOpen();
    if (keys.length !== objs.length) {
      throw new RuntimeError(`batchedPut got ${keys.length} keys but ${objs.length} objects`);
    }
    for (let i = 0; i < keys.length; i++) await this.put(keys[i]!, objs[i]!);
  }

  override supportBatchedContains(): boolean {
    return true;
  }

  override batchedContains(keys: CacheEngineKey[]): number {
    this.assertOpen();
    let hits = 0;
    while (hits < keys.length && this.store.has(keys[hits]!.toString())) hits++;
    return hits;
  }

  override removeSync(key: CacheEngineKey): boolean {
    this.assertOpen();
    return this.store.delete(key.toString());
  }

  /** `<MemoryConnector name>`; a name that reads as `user:password@host` shows `user:***@host` (ours: reports print reprs). */
  override toString(): string {
    const scheme = "memory://";
    return `<MemoryConnector ${this.storeName === "" ? "(anonymous)" : redactUrl(scheme + this.storeName).slice(scheme.length)}>`;
  }
}
