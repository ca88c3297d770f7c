/**
 * LMCache's `MockConnector` (`connector/mock_connector.py`): a metadata-only "remote" store with
 * an LRU capacity and a latency model (peek latency, read/write throughput). It stores NO
 * payload: `get` returns an uninitialised allocation of the right shape.
 */
import { ValueError } from "../../errors";
import { getLogger } from "../../logging";
import type { CacheEngineKey } from "../../keys/cache-engine-key";
import type { DType } from "../../memory/dtypes";
import type { MemoryFormat } from "../../memory/memory-format";
import type { MemoryObj } from "../../memory/memory-obj";
import type { LocalCPUBackend } from "../../storage-backend/local-cpu-backend";
import { RemoteConnector, chunkMetaArgs } from "../base-connector";
import type { EventLoop } from "../event-loop";
import { pythonStrRepr } from "../url";
import { AsyncLock, AsyncPQExecutor } from "../pq-executor";

const logger = getLogger("lmcache.v1.storage_backend.connector.mock_connector");

/** LMCache's job priorities (`IntEnum`, lower runs first). */
export enum MockPriority {
  PEEK = 1,
  PREFETCH = 2,
  GET = 3,
  PUT = 4,
}

/** What the mock keeps per key: the object's metadata and byte count, never its bytes. */
interface MockMemoryObj {
  key: string;
  shape: number[];
  dtype: DType | null;
  fmt: MemoryFormat;
  numBytes: number;
}

/** Python `str(ValueError(a, b))` — LMCache passes two strings, so the message is a tuple repr. */
export function pythonTupleMessage(...parts: string[]): string {
  return `(${parts.map(pythonStrRepr).join(", ")})`;
}

const sleep = (seconds: number): Promise<void> =>
  seconds > 0 ? new Promise((resolve) => setTimeout(resolve, seconds * 1000)) : Promise.resolve();

/**
 * LMCache's `PressureManager`: one read lock and one write lock model the store's overall
 * throughput (reads and writes independent of each other); peeks only wait, holding no lock.
 */
class PressureManager {
  private readonly readLock = new AsyncLock();
  private readonly writeLock = new AsyncLock();

  constructor(
    private readonly peekingSeconds: number,
    private readonly readSecondsPerByte: number,
    private readonly writeSecondsPerByte: number,
  ) {}

  onExists(): Promise<void> {
    return sleep(this.peekingSeconds);
  }

  onPut(numBytes: number): Promise<void> {
    return this.writeLock.withLock(() => sleep(this.writeSecondsPerByte * numBytes));
  }

  onGet(numBytes: number): Promise<void> {
    return this.readLock.withLock(() => sleep(this.readSecondsPerByte * numBytes));
  }
}

/** Constructor options of `MockConnector` (LMCache's keyword arguments). */
export interface MockConnectorOptions {
  url: string;
  loop: EventLoop;
  localCpuBackend: LocalCPUBackend;
  /** Capacity in GB (`capacity * 1024**3` bytes). */
  capacity: number;
  /** Milliseconds per `exists` (default 1.0). */
  peekingLatency?: number;
  /** GB/s (default 2.0). */
  readThroughput?: number;
  /** GB/s (default 2.0). */
  writeThroughput?: number;
}

/**
 * LMCache's MockConnector:
 * - put of an existing key only refreshes it; otherwise evicts the oldest entries until it fits;
 *   a put larger than the whole capacity throws LMCache's (tuple-shaped) `ValueError`;
 * - `exists` refreshes the key (LRU) and waits `peekingLatency` ms; `existsSync` does neither;
 * - `get`/`batchedGet` wait `bytes / readThroughput`, then allocate (uninitialised bytes);
 *   `batchedGet` stops at the first miss or allocation failure and returns the SHORTER prefix list;
 * - `batchedGetNonBlocking` is `batchedGet` at PREFETCH priority; `batchedAsyncContains` counts
 *   leading hits, paying the peek latency per key;
 * - `close()` forgets everything and shuts the job queue down.
 */
export class MockConnector extends RemoteConnector {
  readonly url: string;
  readonly loop: EventLoop;
  readonly localCpuBackend: LocalCPUBackend;
  readonly capacity: number;
  readonly peekingLatency: number;
  readonly readThroughput: number;
  readonly writeThroughput: number;
  private readonly capacityBytes: number;
  private size = 0;
  private readonly lru = new Map<string, MockMemoryObj>();
  /** `AsyncPQExecutor(loop)`: four workers, so up to four jobs overlap (ours: exposed for tests). */
  readonly executor = new AsyncPQExecutor(4);
  private readonly pressure: PressureManager;

  constructor(options: MockConnectorOptions) {
    super(...chunkMetaArgs(options.localCpuBackend));
    this.url = options.url;
    this.loop = options.loop;
    this.localCpuBackend = options.localCpuBackend;
    this.capacity = options.capacity;
    this.peekingLatency = options.peekingLatency ?? 1.0;
    this.readThroughput = options.readThroughput ?? 2.0;
    this.writeThroughput = options.writeThroughput ?? 2.0;
    this.capacityBytes = this.capacity * 1024 ** 3;
    this.pressure = new PressureManager(
      this.peekingLatency / 1000,
      1 / this.readThroughput / 1024 ** 3,
      1 / this.writeThroughput / 1024 ** 3,
    );
  }

  private touch(keyString: string): MockMemoryObj | undefined {
    const entry = this.lru.get(keyString);
    if (entry) {
      this.lru.delete(keyString);
      this.lru.set(keyString, entry);
    }
    return entry;
  }

  private allocateFor(entry: MockMemoryObj): MemoryObj | null {
    return this.localCpuBackend.allocate(entry.shape, entry.dtype as DType, entry.fmt);
  }

  override exists(key: CacheEngineKey): Promise<boolean> {
    return this.executor.submit(MockPriority.PEEK, async () => {
      await this.pressure.onExists();
      return this.touch(key.toString()) !== undefined;
    });
  }

  override existsSync(key: CacheEngineKey): boolean {
    return this.lru.has(key.toString());
  }

  override get(key: CacheEngineKey): Promise<MemoryObj | null> {
    return this.executor.submit(MockPriority.GET, async () => {
      const entry = this.touch(key.toString());
      if (!entry) return null;
      await this.pressure.onGet(entry.numBytes);
      const obj = this.allocateFor(entry);
      if (!obj) {
        logger.warning("Failed to allocate memory during remote receive");
        return null;
      }
      return obj;
    });
  }

  override put(key: CacheEngineKey, obj: MemoryObj): Promise<void> {
    return this.executor.submit(MockPriority.PUT, async () => {
      const entry: MockMemoryObj = {
        key: key.toString(),
        shape: [...obj.getShape()],
        dtype: obj.getDtype(),
        fmt: obj.getMemoryFormat(),
        numBytes: obj.byteArray.length,
      };
      this.lruPut(entry);
      await this.pressure.onPut(entry.numBytes);
    });
  }

  private lruPut(entry: MockMemoryObj): void {
    const allocSize = entry.numBytes;
    if (allocSize > this.capacityBytes) {
      // LMCache passes two arguments and forgets the f-prefix on the second one.
      throw new ValueError(pythonTupleMessage(`Allocation size ${allocSize} is`, " greater than capacity {self.capacity}"));
    }
    if (this.touch(entry.key)) return;
    this.lru.set(entry.key, entry);
    while (this.size + allocSize > this.capacityBytes) {
      const [oldest, popped] = this.lru.entries().next().value as [string, MockMemoryObj];
      this.lru.delete(oldest);
      this.size -= popped.numBytes;
    }
    this.size += allocSize;
  }

  override async list(): Promise<string[]> {
    return [...this.lru.keys()];
  }

  override supportBatchedGet(): boolean {
    return true;
  }

  private async batchedGetJob(keys: CacheEngineKey[]): Promise<MemoryObj[]> {
    const entries = keys.map((k) => this.lru.get(k.toString()) ?? null);
    const totalBytes = entries.reduce((sum, e) => sum + (e ? e.numBytes : 0), 0);
    await this.pressure.onGet(totalBytes);
    const objs: MemoryObj[] = [];
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      if (!entry) {
        logger.warning(`Mock object is None on ${i} out of ${entries.length} objects`);
        break;
      }
      const obj = this.allocateFor(entry);
      if (!obj) {
        logger.warning(`Failed to allocate memory even with busy loop on ${i} out of ${entries.length} objects`);
        break;
      }
      objs.push(obj);
    }
    return objs;
  }

  override batchedGet(keys: CacheEngineKey[]): Promise<(MemoryObj | null)[]> {
    return this.executor.submit(MockPriority.GET, () => this.batchedGetJob(keys));
  }

  override supportBatchedAsyncContains(): boolean {
    return true;
  }

  override batchedAsyncContains(_lookupId: string, keys: CacheEngineKey[], _pin = false): Promise<number> {
    return this.executor.submit(MockPriority.PEEK, async () => {
      let hits = 0;
      for (const key of keys) {
        await this.pressure.onExists();
        if (this.touch(key.toString()) === undefined) return hits;
        hits++;
      }
      return hits;
    });
  }

  override supportBatchedGetNonBlocking(): boolean {
    return true;
  }

  override batchedGetNonBlocking(_lookupId: string, keys: CacheEngineKey[]): Promise<MemoryObj[]> {
    return this.executor.submit(MockPriority.PREFETCH, () => this.batchedGetJob(keys));
  }

  override async close(): Promise<void> {
    this.lru.clear();
    this.size = 0;
    await this.executor.shutdown();
  }

  override toString(): string {
    return (
      `MockConnector(capacity=${this.capacity}GB, peeking_latency=${pyFloatRepr(this.peekingLatency)}ms, ` +
      `read_throughput=${pyFloatRepr(this.readThroughput)}GB/s, write_throughput=${pyFloatRepr(this.writeThroughput)}GB/s)`
    );
  }
}

/** Python `repr(float)` for ordinary values (`1` → `1.0`). */
function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  return Number.isInteger(x) && Math.abs(x) < 1e16 ? x.toFixed(1) : String(x);
}
