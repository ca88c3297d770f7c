import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryAllocator } from "../../src/memory/allocator";
import { MemoryObj } from "../../src/memory/memory-obj";

describe("MemoryAllocator", () => {
  it("aligns addresses and physical sizes to alignBytes", () => {
    const alloc = new MemoryAllocator({ capacityBytes: 1 << 20, alignBytes: 512 });
    const a = alloc.allocate([1], "uint8")!;
    const b = alloc.allocate([513], "uint8")!;
    const c = alloc.allocate([512], "uint8")!;
    expect([a.meta.address, b.meta.address, c.meta.address]).toEqual([0, 512, 1536]);
    expect([a.getPhysicalSize(), b.getPhysicalSize(), c.getPhysicalSize()]).toEqual([512, 1024, 512]);
    expect(alloc.stats().usedBytes).toBe(2048);
  });

  it("defaults to 4096-byte alignment and rejects non-power-of-two alignments", () => {
    expect(new MemoryAllocator({ capacityBytes: 8192 }).alignBytes).toBe(4096);
    expect(() => new MemoryAllocator({ capacityBytes: 8192, alignBytes: 1000 })).toThrowError(expect.objectContaining({ name: "ValueError" }));
  });

  it("returns null when there is no room, including requests larger than capacity", () => {
    const alloc = new MemoryAllocator({ capacityBytes: 8192 });
    expect(alloc.allocate([8193], "uint8")).toBeNull();
    const a = alloc.allocate([4096], "uint8")!;
    const b = alloc.allocate([4096], "uint8")!;
    expect(alloc.allocate([1], "uint8")).toBeNull();
    a.refCountDown();
    expect(alloc.allocate([1], "uint8")).not.toBeNull();
    expect(b.isValid()).toBe(true);
  });

  it("multi-group objects take the sum of the groups", () => {
    const alloc = new MemoryAllocator({ capacityBytes: 1 << 20 });
    const obj = alloc.allocate([[2, 3], [4]], ["float32", "bfloat16"])!;
    expect(obj.getSize()).toBe(2 * 3 * 4 + 4 * 2);
    expect(obj.getShapes()).toEqual([[2, 3], [4]]);
    expect(obj.getDtypes()).toEqual(["float32", "bfloat16"]);
    expect(() => alloc.allocate([[2], [3]], ["float32"])).toThrowError(expect.objectContaining({ name: "AssertionError" }));
  });

  it("coalesces neighbours on free so a fragmented arena becomes one block again", () => {
    const alloc = new MemoryAllocator({ capacityBytes: 10 * 4096 });
    const objs = Array.from({ length: 10 }, () => alloc.allocate([4096], "uint8")!);
    for (const i of [1, 3, 5, 7]) objs[i]!.refCountDown();
    expect(alloc.stats().freeBytes).toBe(4 * 4096);
    expect(alloc.stats().largestFreeBlock).toBe(4096);
    expect(alloc.allocate([8192], "uint8")).toBeNull(); // fragmentation: 16 KiB free, no 8 KiB hole
    for (const i of [0, 2, 4, 6, 8, 9]) objs[i]!.refCountDown();
    expect(alloc.freeBlocks()).toEqual([[0, 10 * 4096]]);
    expect(alloc.memcheck()).toBe(true);
  });

  it("is first-fit: a freed low block is reused before higher free space", () => {
    const alloc = new MemoryAllocator({ capacityBytes: 4 * 4096 });
    const a = alloc.allocate([4096], "uint8")!;
    alloc.allocate([4096], "uint8");
    a.refCountDown();
    expect(alloc.allocate([100], "uint8")!.meta.address).toBe(0);
  });

  it("creates the arena lazily, so a 5 GiB allocator costs nothing until used", () => {
    const before = process.memoryUsage().rss;
    const alloc = new MemoryAllocator({ capacityBytes: 5 * 1024 ** 3 });
    const obj = alloc.allocate([1 << 20], "uint8")!;
    obj.byteArray.fill(1);
    expect(process.memoryUsage().rss - before).toBeLessThan(512 * 1024 ** 2);
    expect(alloc.stats().capacityBytes).toBe(5 * 1024 ** 3);
  });

  it("batchedAllocate is all or nothing", () => {
    const alloc = new MemoryAllocator({ capacityBytes: 3 * 4096 });
    expect(alloc.batchedAllocate([4096], "uint8", 4)).toBeNull();
    expect(alloc.stats().liveObjects).toBe(0);
    const objs = alloc.batchedAllocate([4096], "uint8", 3)!;
    expect(objs.map((o) => o.meta.address)).toEqual([0, 4096, 8192]);
  });

  it("keeps accounting exact through random alloc/free storms (no leaks)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ size: fc.integer({ min: 1, max: 20_000 }), freeIndex: fc.nat() }), { maxLength: 200 }),
        (ops) => {
          const alloc = new MemoryAllocator({ capacityBytes: 256 * 1024, alignBytes: 512 });
          const live: MemoryObj[] = [];
          for (const op of ops) {
            const obj = alloc.allocate([op.size], "uint8");
            if (obj) {
              obj.byteArray.fill(live.length & 0xff);
              live.push(obj);
            } else if (live.length) {
              live.splice(op.freeIndex % live.length, 1)[0]!.refCountDown();
            }
            const s = alloc.stats();
            expect(s.usedBytes).toBe(live.reduce((n, o) => n + o.getPhysicalSize(), 0));
            expect(s.liveObjects).toBe(live.length);
            expect(alloc.memcheck()).toBe(true);
          }
          // no two live objects overlap
          const spans = live.map((o) => [o.meta.address, o.meta.address + o.getPhysicalSize()] as const).sort((a, b) => a[0] - b[0]);
          for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
          for (const o of live) o.refCountDown();
          expect(alloc.stats()).toMatchObject({ usedBytes: 0, liveObjects: 0, freeBytes: 256 * 1024 });
          expect(alloc.freeBlocks()).toEqual([[0, 256 * 1024]]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("ignores a second free of an already freed object", () => {
    const alloc = new MemoryAllocator({ capacityBytes: 8192 });
    const obj = alloc.allocate([10], "uint8")!;
    alloc.free(obj);
    alloc.free(obj);
    expect(alloc.stats()).toMatchObject({ frees: 1, usedBytes: 0 });
    expect(alloc.freeBlocks()).toEqual([[0, 8192]]);
  });
});

describe("adoptArena (ours: the Python bridge's shared mapping)", () => {
  it("backs the arena with the given buffer, only before the first allocation and only at capacity", () => {
    const a = new MemoryAllocator({ capacityBytes: 4096 });
    expect(a.adoptArena(new ArrayBuffer(2048))).toBe(false);
    const mine = new ArrayBuffer(4096);
    expect(a.adoptArena(mine)).toBe(true);
    const obj = a.allocate([16], "uint8")!;
    obj.byteArray[0] = 9;
    expect(new Uint8Array(mine)[obj.meta.address]).toBe(9);
    expect(a.adoptArena(new ArrayBuffer(4096))).toBe(false); // the arena exists now

    const used = new MemoryAllocator({ capacityBytes: 4096 });
    used.allocate([16], "uint8")!.refCountDown();
    expect(used.adoptArena(new ArrayBuffer(4096))).toBe(false);
    expect(new MemoryAllocator({ capacityBytes: 0 }).adoptArena(new ArrayBuffer(0))).toBe(false);
  });
});
