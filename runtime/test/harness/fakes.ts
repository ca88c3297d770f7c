/** Test doubles for the harness: a scriptable instrumented connection over real allocator objects. */
import { CacheEngineKey } from "../../src/keys/cache-engine-key";
import { MemoryAllocator } from "../../src/memory/allocator";
import type { MemoryObj } from "../../src/memory/memory-obj";
import type { RemoteConnection } from "../../src/harness/remote-connection";

export function key(hash: number): CacheEngineKey {
  return new CacheEngineKey({ modelName: "test-model", worldSize: 1, workerId: 0, chunkHash: hash, dtype: "uint8" });
}

export function allocator(): MemoryAllocator {
  return new MemoryAllocator({ capacityBytes: 1 << 20 });
}

/** An object of `size` bytes filled with `fill`. */
export function filled(alloc: MemoryAllocator, size: number, fill: number): MemoryObj {
  const obj = alloc.allocate([size], "uint8")!;
  obj.byteArray.fill(fill);
  return obj;
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}
export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * A dictionary-backed connection whose behaviour tests override per method. Like
 * `InstrumentedRemoteConnector`, its `put` releases the object's reference when the inner put ends.
 */
export class FakeConnection implements RemoteConnection {
  readonly store = new Map<string, Uint8Array>();
  readonly calls: string[] = [];
  innerPut: (k: CacheEngineKey, o: MemoryObj) => Promise<void> = async (k, o) => void this.store.set(k.toString(), o.byteArray.slice());
  innerGet: (k: CacheEngineKey) => Promise<MemoryObj | null> = async (k) => {
    const bytes = this.store.get(k.toString());
    if (!bytes) return null;
    const obj = this.alloc.allocate([bytes.length], "uint8")!;
    obj.byteArray.set(bytes);
    return obj;
  };
  pingImpl: () => Promise<number> = async () => 0;
  batched = false;

  constructor(readonly alloc: MemoryAllocator) {}

  async exists(k: CacheEngineKey): Promise<boolean> {
    this.calls.push("exists");
    return this.store.has(k.toString());
  }
  existsSync(k: CacheEngineKey): boolean {
    this.calls.push("existsSync");
    return this.store.has(k.toString());
  }
  get(k: CacheEngineKey): Promise<MemoryObj | null> {
    this.calls.push("get");
    return this.innerGet(k);
  }
  async put(k: CacheEngineKey, o: MemoryObj): Promise<void> {
    this.calls.push("put");
    try {
      await this.innerPut(k, o);
    } finally {
      o.refCountDown();
    }
  }
  async list(): Promise<string[]> {
    return [...this.store.keys()];
  }
  async close(): Promise<void> {}
  supportPing(): boolean {
    return true;
  }
  ping(): Promise<number> {
    return this.pingImpl();
  }
  supportBatchedGet(): boolean {
    return this.batched;
  }
  async batchedGet(keys: CacheEngineKey[]): Promise<(MemoryObj | null)[]> {
    this.calls.push("batchedGet");
    return Promise.all(keys.map((k) => this.innerGet(k)));
  }
  /** Flags of the optional capabilities; tests switch them on. */
  batchedPutSupported = false;
  batchedContainsSupported = false;
  asyncContainsSupported = false;
  nonBlockingSupported = false;
  supportBatchedPut(): boolean {
    return this.batchedPutSupported;
  }
  /** Like the instrumented wrapper: every object's reference is released when the inner batch ends. */
  async batchedPut(keys: CacheEngineKey[], objs: MemoryObj[]): Promise<void> {
    this.calls.push("batchedPut");
    try {
      await this.innerBatchedPut(keys, objs);
    } finally {
      for (const o of objs) o.refCountDown();
    }
  }
  innerBatchedPut: (keys: CacheEngineKey[], objs: MemoryObj[]) => Promise<void> = async (keys, objs) => {
    keys.forEach((k, i) => this.store.set(k.toString(), objs[i]!.byteArray.slice()));
  };
  supportBatchedContains(): boolean {
    return this.batchedContainsSupported;
  }
  batchedContains(keys: CacheEngineKey[]): number {
    this.calls.push("batchedContains");
    let n = 0;
    while (n < keys.length && this.store.has(keys[n]!.toString())) n++;
    return n;
  }
  supportBatchedAsyncContains(): boolean {
    return this.asyncContainsSupported;
  }
  batchedAsyncContains: (lookupId: string, keys: CacheEngineKey[], pin?: boolean) => Promise<number> = async (_id, keys) => {
    this.calls.push("batchedAsyncContains");
    return this.batchedContains(keys);
  };
  supportBatchedGetNonBlocking(): boolean {
    return this.nonBlockingSupported;
  }
  batchedGetNonBlocking: (lookupId: string, keys: CacheEngineKey[]) => Promise<MemoryObj[]> = async (_id, keys) => {
    this.calls.push("batchedGetNonBlocking");
    const out: MemoryObj[] = [];
    for (const k of keys) {
      const obj = await this.innerGet(k);
      if (!obj) break;
      out.push(obj);
    }
    return out;
  };
  removeSync(k: CacheEngineKey): boolean {
    this.calls.push("removeSync");
    return this.store.delete(k.toString());
  }
}
