/**
 * `memory://<name>` — the kit's in-process reference connector (ours; LMCache has none).
 * The conformance engine compares other connectors against it, so it follows every LMCache
 * ownership and prefix rule exactly and implements every optional capability.
 * Like a real store with a memory limit (Redis with `maxmemory` and `allkeys-lru`), it holds at
 * most `extra_config.memory_capacity_bytes` bytes (default {@link defaultMemoryCapacityBytes})
 * and evicts the least recently used entries to make room, counting every eviction.
 */
import { totalmem } from "node:os";
import { RuntimeError, ValueError } from "../../errors";
import { getExtraConfigValue } from "../../config/engine-config";
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

/** The `extra_config` key that sets a memory:// store's capacity in bytes (ours). */
export const MEMORY_CAPACITY_KEY = "memory_capacity_bytes";

/** Default capacity: 2 GiB, or a quarter of the machine's memory when that is less. */
export function defaultMemoryCapacityBytes(): number {
  return Math.min(2 * 1024 ** 3, Math.floor(totalmem() / 4));
}

/** `extra_config.memory_capacity_bytes` (a positive integer, or a string of digits), else the default. */
export function memoryCapacityFrom(config: ConnectorInit["config"]): number {
  const raw = getExtraConfigValue<unknown>(config, MEMORY_CAPACITY_KEY, null);
  if (raw === null || raw === undefined) return defaultMemoryCapacityBytes();
  const n = typeof raw === "string" && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n <= 0) {
    throw new ValueError(`extra_config.${MEMORY_CAPACITY_KEY} must be a positive integer number of bytes, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** What a store holds and has evicted (`MemoryConnector.stats()`). */
export interface MemoryStoreStats {
  entries: number;
  /** Bytes held: the private buffers of all entries. */
  bytes: number;
  capacityBytes: number;
  /** Entries dropped to make room, since the store was created. */
  evictions: number;
  evictedBytes: number;
}

/** One store: its entries in least-recently-used-first order (a Map keeps insertion order), and its accounting. */
interface StoreState {
  entries: Map<string, StoredChunk>;
  bytes: number;
  capacityBytes: number;
  evictions: number;
  evictedBytes: number;
  warned: boolean;
}

/** Stores shared by name within the process (the first connector of a name sets its capacity). */
const namedStores = new Map<string, StoreState>();

function newStore(capacityBytes: number): StoreState {
  return { entries: new Map(), bytes: 0, capacityBytes, evictions: 0, evictedBytes: 0, warned: false };
}

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
 * - Capacity (ours): the store holds at most `extra_config.memory_capacity_bytes` bytes (default
 *   2 GiB or a quarter of RAM). A put that does not fit evicts least recently used entries (a put
 *   and a get hit count as a use; `exists` does not) until it fits; the first eviction logs a
 *   warning, and `stats()` counts them. A single value larger than the capacity is refused with
 *   `RuntimeError`, as a store refuses a write over its memory limit.
 */
export class MemoryConnector extends RemoteConnector {
  readonly loop: EventLoop;
  readonly localCpuBackend: LocalCPUBackend;
  /** The store name (`""` = anonymous). */
  readonly storeName: string;
  private readonly store: Map<string, StoredChunk>;
  private readonly state: StoreState;
  private closed = false;

  constructor(init: ConnectorInit, storeName = "") {
    super(...chunkMetaArgs(init.localCpuBackend));
    this.loop = init.loop;
    this.localCpuBackend = init.localCpuBackend;
    this.storeName = storeName;
    const capacityBytes = memoryCapacityFrom(init.config);
    if (storeName === "") {
      this.state = newStore(capacityBytes);
    } else {
      let state = namedStores.get(storeName);
      if (!state) namedStores.set(storeName, (state = newStore(capacityBytes)));
      this.state = state;
    }
    this.store = this.state.entries;
  }

  /** What the store holds and has evicted (ours; shared by every connector of a named store). */
  stats(): MemoryStoreStats {
    const { entries, bytes, capacityBytes, evictions, evictedBytes } = this.state;
    return { entries: entries.size, bytes, capacityBytes, evictions, evictedBytes };
  }

  /** Marks `id` as most recently used (moves it to the end of the Map's order). */
  private touch(id: string, chunk: StoredChunk): void {
    this.store.delete(id);
    this.store.set(id, chunk);
  }

  /** Drops `id` and its bytes from the accounting; whether it was there. */
  private drop(id: string): boolean {
    const chunk = this.store.get(id);
    if (!chunk) return false;
    this.store.delete(id);
    this.state.bytes -= chunk.backing.length;
    return true;
  }

  /** A value larger than the whole capacity → `RuntimeError`. */
  private assertFits(size: number): void {
    if (size > this.state.capacityBytes) {
      throw new RuntimeError(`${this.toString()}: a value of ${size} bytes does not fit in the store's capacity of ${this.state.capacityBytes} bytes (extra_config.${MEMORY_CAPACITY_KEY})`);
    }
  }

  /** Evicts least recently used entries until `incoming` more bytes fit. */
  private makeRoom(incoming: number): void {
    const st = this.state;
    this.assertFits(incoming);
    while (st.bytes + incoming > st.capacityBytes) {
      const oldest = this.store.keys().next();
      if (oldest.done) break;
      const size = this.store.get(oldest.value)!.backing.length;
      this.drop(oldest.value);
      st.evictions++;
      st.evictedBytes += size;
      if (!st.warned) {
        st.warned = true;
        logger.warning(`${this.toString()} reached its capacity of ${st.capacityBytes} bytes (extra_config.${MEMORY_CAPACITY_KEY}); evicting least recently used entries`);
      }
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
    const id = key.toString();
    const chunk = this.store.get(id);
    if (!chunk) return null;
    this.touch(id, chunk);
    return this.materialise(chunk);
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
    const previous = this.store.get(id);
    // refused before anything changes: the old value stays, as a store keeps it when it refuses a write
    this.assertFits(src.length);
    let backing = backingFor(previous, src.length);
    // a reused buffer may be up to twice the size: never let it alone overflow the capacity
    if (backing.length > this.state.capacityBytes) backing = new Uint8Array(src.length);
    // the key's old value is replaced: its bytes leave the accounting first (a reused buffer comes back below)
    if (previous) this.drop(id);
    this.makeRoom(backing.length);
    backing.set(src);
    this.state.bytes += backing.length;
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
      const id = key.toString();
      const chunk = missed ? undefined : this.store.get(id);
      if (chunk) this.touch(id, chunk);
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
    return this.drop(key.toString());
  }

  /** `<MemoryConnector name>`; a name that reads as `user:password@host` shows `user:***@host` (ours: reports print reprs). */
  override toString(): string {
    const scheme = "memory://";
    return `<MemoryConnector ${this.storeName === "" ? "(anonymous)" : redactUrl(scheme + this.storeName).slice(scheme.length)}>`;
  }
}
