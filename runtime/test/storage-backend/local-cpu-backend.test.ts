import { beforeEach, describe, expect, it } from "vitest";
import { CacheEngineKey } from "../../src/keys/cache-engine-key";
import { clearLogRecords, getLogRecords } from "../../src/logging";
import { MemoryAllocator } from "../../src/memory/allocator";
import { MemoryFormat } from "../../src/memory/memory-format";
import { MemoryObj } from "../../src/memory/memory-obj";
import { createTestMetadata } from "../../src/metadata";
import { LocalCPUBackend, LocalCPUBackendConfig, NO_EVICTION_CANDIDATES_WARNING } from "../../src/storage-backend/local-cpu-backend";

const key = (h: number, extra: Partial<ConstructorParameters<typeof CacheEngineKey>[0]> = {}) =>
  new CacheEngineKey({ modelName: "m", worldSize: 1, workerId: 0, chunkHash: BigInt(h), dtype: "bfloat16", ...extra });

/** A backend whose allocator holds exactly `slots` 4 KiB objects. */
function backend(slots: number, config: LocalCPUBackendConfig = {}): LocalCPUBackend {
  return new LocalCPUBackend({
    config,
    metadata: createTestMetadata(),
    allocator: new MemoryAllocator({ capacityBytes: slots * 4096 }),
  });
}

/** Allocate, fill and cache one object; the caller's reference is released, so the cache holds the only one. */
function put(b: LocalCPUBackend, k: CacheEngineKey, fill = 1): MemoryObj {
  const obj = b.allocate([4096], "uint8")!;
  obj.byteArray.fill(fill);
  b.submitPutTask(k, obj);
  obj.refCountDown();
  return obj;
}

describe("LocalCPUBackend", () => {
  beforeEach(() => clearLogRecords());

  it("put takes one reference; remove releases it and frees the buffer", () => {
    const b = backend(4);
    const obj = b.allocate([4096], "uint8")!;
    const completed: string[] = [];
    b.submitPutTask(key(1), obj, (k) => completed.push(k.toString()));
    expect(obj.getRefCount()).toBe(2);
    expect(completed).toEqual([key(1).toString()]);
    b.submitPutTask(key(1), obj, (k) => completed.push(k.toString())); // already present: no-op, no callback
    expect(obj.getRefCount()).toBe(2);
    expect(completed).toEqual([key(1).toString()]);
    obj.refCountDown();
    expect(b.contains(key(1))).toBe(true);
    expect(b.remove(key(1))).toBe(true);
    expect(obj.isValid()).toBe(false);
    expect(b.remove(key(1))).toBe(false);
    expect(b.getMemoryAllocator().stats()).toMatchObject({ liveObjects: 0, usedBytes: 0 });
  });

  it("keys are matched by identity, not object", () => {
    const b = backend(2);
    put(b, key(7, { requestConfigs: { "lmcache.tag.t": "x", ignored: 1 } }));
    expect(b.contains(CacheEngineKey.fromString("m@1@0@7@bfloat16@t%x"))).toBe(true);
    expect(b.contains(key(7))).toBe(false);
  });

  it("getBlocking returns a +1 reference; an outstanding reference blocks eviction", () => {
    const b = backend(2);
    put(b, key(1), 11);
    put(b, key(2), 22);
    const held = b.getBlocking(key(1))!;
    expect(held.getRefCount()).toBe(2);
    expect(b.getBlocking(key(99))).toBeNull();
    const fresh = b.allocate([4096], "uint8")!; // must evict key 2, not the referenced key 1
    expect(fresh).not.toBeNull();
    expect(b.contains(key(1))).toBe(true);
    expect(b.contains(key(2))).toBe(false);
    expect(held.byteArray[0]).toBe(11);
    held.refCountDown();
    fresh.refCountDown();
  });

  it("allocate evicts in LRU order, touchCache refreshes pinned-then-unpinned hits", () => {
    const b = backend(3);
    for (const h of [1, 2, 3]) put(b, key(h));
    expect(b.contains(key(1), true)).toBe(true);
    b.unpin(key(1));
    b.touchCache();
    expect(b.getKeys().map((k) => Number(k.chunkHash))).toEqual([2, 3, 1]);
    const obj = b.allocate([4096], "uint8")!;
    expect(b.getKeys().map((k) => Number(k.chunkHash))).toEqual([3, 1]);
    obj.refCountDown();
  });

  for (const [policy, evicted] of [["FIFO", 1], ["MRU", 3], ["LFU", 2]] as const) {
    it(`allocate evicts per ${policy}`, () => {
      const b = backend(3, { cachePolicy: policy.toLowerCase() });
      for (const h of [1, 2, 3]) put(b, key(h));
      b.contains(key(1), true);
      b.unpin(key(1));
      b.touchCache(); // a hit on key 1
      b.contains(key(3), true);
      b.unpin(key(3));
      b.touchCache(); // a hit on key 3
      const obj = b.allocate([4096], "uint8")!;
      expect(obj).not.toBeNull();
      const remaining = b.getKeys().map((k) => Number(k.chunkHash));
      expect(remaining).not.toContain(evicted);
      expect(remaining).toHaveLength(2);
    });
  }

  it("pinned entries are never evicted; allocate returns null when nothing can go", () => {
    const b = backend(2);
    put(b, key(1));
    put(b, key(2));
    b.pin(key(1));
    b.pin(key(2));
    expect(b.allocate([4096], "uint8")).toBeNull();
    expect(b.size).toBe(2);
    b.unpin(key(2));
    expect(b.allocate([4096], "uint8")).not.toBeNull();
    expect(b.contains(key(1))).toBe(true);
  });

  it("allocate with eviction=false does not evict", () => {
    const b = backend(1);
    put(b, key(1));
    expect(b.allocate([4096], "uint8", undefined, false)).toBeNull();
    expect(b.contains(key(1))).toBe(true);
  });

  it("allocateAsync waits in 100 ms steps with LMCache's warning and times out with null", async () => {
    const b = backend(1);
    put(b, key(1));
    b.pin(key(1));
    const t0 = Date.now();
    const result = await b.allocateAsync([4096], "uint8", undefined, { timeoutMs: 350 });
    expect(result).toBeNull();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    const warnings = getLogRecords().filter((r) => r.message === NO_EVICTION_CANDIDATES_WARNING);
    expect(warnings.length).toBeGreaterThanOrEqual(2);
    expect(warnings.length).toBeLessThanOrEqual(4);
  });

  it("allocateAsync succeeds once memory is released during the wait", async () => {
    const b = backend(1);
    put(b, key(1));
    b.pin(key(1));
    setTimeout(() => b.unpin(key(1)), 150);
    const obj = await b.allocateAsync([4096], "uint8", MemoryFormat.BINARY, { timeoutMs: 2000 });
    expect(obj).not.toBeNull();
    expect(obj!.getMemoryFormat()).toBe(MemoryFormat.BINARY);
    expect(b.contains(key(1))).toBe(false);
  });

  it("default formats: KV_2LTD, or KV_T2D / KV_2TD in layerwise mode", () => {
    expect(backend(1).allocate([1], "uint8")!.getMemoryFormat()).toBe(MemoryFormat.KV_2LTD);
    expect(backend(1, { useLayerwise: true }).allocate([1], "uint8")!.getMemoryFormat()).toBe(MemoryFormat.KV_T2D);
    expect(backend(1, { useLayerwise: true, enableBlending: true }).allocate([1], "uint8")!.getMemoryFormat()).toBe(MemoryFormat.KV_2TD);
  });

  it("localCpu=false keeps allocation but batched puts cache nothing and clear() is 0", () => {
    const b = backend(2, { localCpu: false });
    expect(b.useHot).toBe(false);
    const obj = b.allocate([4096], "uint8")!;
    b.batchedSubmitPutTask([key(1)], [obj]);
    expect(b.contains(key(1))).toBe(false);
    expect(obj.getRefCount()).toBe(1);
    expect(b.clear()).toBe(0);
  });

  it("batched contains counts the hit prefix and pins hits; batched get takes references", async () => {
    const b = backend(4);
    for (const h of [1, 2, 4]) put(b, key(h));
    expect(await b.batchedAsyncContains("l1", [key(1), key(2), key(3), key(4)], true)).toBe(2);
    expect(b.getBlocking(key(1))!.isPinned).toBe(true);
    expect(b.getBlocking(key(4))!.isPinned).toBe(false);
    const objs = await b.batchedGetNonBlocking("l1", [key(1), key(2)]);
    expect(objs.map((o) => o.getRefCount())).toEqual([3, 2]);
    await expect(b.batchedGetNonBlocking("l1", [key(2), key(3)])).rejects.toMatchObject({ name: "KeyError" });
    expect(objs[1]!.getRefCount()).toBe(2); // no reference taken by the failed call
  });

  it("batchedRemove and clear() release entries and report counts", () => {
    const b = backend(4);
    const shapes = [[2, 2, 16, 16], [2, 2, 16, 16], [2, 2, 16, 16], [2, 2, 5, 16]];
    shapes.forEach((shape, i) => {
      const obj = b.allocate(shape, "bfloat16")!; // KV_2LTD: tokens are dim 2
      b.submitPutTask(key(i + 1), obj);
      obj.refCountDown();
    });
    expect(b.batchedRemove([key(1), key(9), key(2)])).toBe(2);
    b.pin(key(3));
    expect(b.clear()).toBe(5); // only key 4 (5 tokens) is evictable
    expect(b.getKeys().map((k) => Number(k.chunkHash))).toEqual([3]);
  });

  it("getFullChunkSizeBytes and calculateChunkBudget follow the contract formula", () => {
    const md = createTestMetadata(); // [2 layers, 2, 16, 2 heads, 8], bfloat16
    const b = new LocalCPUBackend({ config: { chunkSize: 16, maxLocalCpuSize: 0.001 }, metadata: md, allocator: new MemoryAllocator({ capacityBytes: 1 << 20 }) });
    expect(b.getFullChunkSizeBytes()).toBe(2 * 2 * 16 * 2 * 8 * 2);
    expect(b.calculateChunkBudget()).toBe(Math.floor(Math.floor(0.001 * 1024 ** 3) / 4096));
    const lw = new LocalCPUBackend({ config: { chunkSize: 16, useLayerwise: true }, metadata: md, allocator: new MemoryAllocator({ capacityBytes: 4096 }) });
    expect(lw.getFullChunkSizeBytes()).toBe(2 * 16 * 2 * 8 * 2);
    const noMd = new LocalCPUBackend({ config: {}, allocator: new MemoryAllocator({ capacityBytes: 4096 }) });
    expect(() => noMd.getFullChunkSizeBytes()).toThrowError(expect.objectContaining({ name: "AssertionError" }));
  });

  it("builds its own allocator from maxLocalCpuSize (GB) and rejects unknown policies", () => {
    const b = new LocalCPUBackend({ config: { maxLocalCpuSize: 0.5 } });
    expect(b.memoryAllocator.capacityBytes).toBe(0.5 * 1024 ** 3);
    expect(new LocalCPUBackend({ config: {} }).memoryAllocator.capacityBytes).toBe(5 * 1024 ** 3);
    expect(() => new LocalCPUBackend({ config: { cachePolicy: "nope" } })).toThrowError(expect.objectContaining({ name: "ValueError" }));
  });

  it("no leaks after a put/get/evict storm", () => {
    const b = backend(8);
    const held: MemoryObj[] = [];
    for (let i = 0; i < 500; i++) {
      const k = key(i % 37);
      if (i % 3 === 0) {
        const o = b.getBlocking(k);
        if (o) held.push(o);
      } else if (!b.contains(k)) {
        const obj = b.allocate([1000 + (i % 5000)], "uint8");
        if (obj) {
          b.submitPutTask(k, obj);
          obj.refCountDown();
        }
      }
      if (held.length > 3) held.shift()!.refCountDown();
    }
    for (const o of held) o.refCountDown();
    const stats = b.getMemoryAllocator().stats();
    expect(stats.liveObjects).toBe(b.size);
    expect(stats.doubleFrees).toBe(0);
    b.close();
    expect(b.size).toBe(0);
    expect(b.getMemoryAllocator().stats()).toMatchObject({ liveObjects: 0, usedBytes: 0 });
    expect(b.getMemoryAllocator().memcheck()).toBe(true);
  });
});
