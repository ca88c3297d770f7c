import { beforeEach, describe, expect, it } from "vitest";
import { clearLogRecords, getLogRecords } from "../../src/logging";
import { MemoryAllocator, POISON_BYTE } from "../../src/memory/allocator";
import { MemoryFormat } from "../../src/memory/memory-format";
import { createBytesObj } from "../../src/memory/memory-obj";

const warnings = () => getLogRecords().filter((r) => r.level === "warning").map((r) => r.message);

describe("MemoryObj ref and pin counting", () => {
  let alloc: MemoryAllocator;
  beforeEach(() => {
    clearLogRecords();
    alloc = new MemoryAllocator({ capacityBytes: 64 * 1024 });
  });

  it("starts at ref 1, pin 0, and exposes exactly getSize() bytes", () => {
    const obj = alloc.allocate([2, 2, 3, 5], "float16", MemoryFormat.KV_2LTD)!;
    expect(obj.getRefCount()).toBe(1);
    expect(obj.isPinned).toBe(false);
    expect(obj.canEvict).toBe(true);
    expect(obj.getSize()).toBe(2 * 2 * 3 * 5 * 2);
    expect(obj.byteArray.length).toBe(obj.getSize());
    expect(obj.getPhysicalSize()).toBe(4096);
    expect(obj.getNumTokens()).toBe(3);
    expect(obj.getShapes()).toEqual([[2, 2, 3, 5]]);
    expect(obj.getDtypes()).toEqual(["float16"]);
  });

  it("frees at ref 0 and invalidates: empty byteArray, arena bytes returned", () => {
    const obj = alloc.allocate([1024], "uint8")!;
    obj.refCountUp();
    expect(obj.canEvict).toBe(false);
    obj.refCountDown();
    expect(obj.isValid()).toBe(true);
    obj.refCountDown();
    expect(obj.isValid()).toBe(false);
    expect(obj.byteArray.length).toBe(0);
    expect(alloc.stats()).toMatchObject({ usedBytes: 0, liveObjects: 0, frees: 1, doubleFrees: 0 });
  });

  it("a pinned object survives ref 0 and is freed by the last unpin", () => {
    const obj = alloc.allocate([100], "float32")!;
    obj.pin();
    obj.pin();
    obj.refCountDown();
    expect(obj.isValid()).toBe(true);
    expect(obj.canEvict).toBe(false);
    obj.unpin();
    expect(obj.isValid()).toBe(true);
    obj.unpin();
    expect(obj.isValid()).toBe(false);
    expect(alloc.stats().liveObjects).toBe(0);
  });

  it("double free logs LMCache's warning, clamps to 0 and is counted", () => {
    const obj = alloc.allocate([10], "uint8")!;
    obj.refCountDown();
    obj.refCountDown();
    expect(obj.getRefCount()).toBe(0);
    expect(alloc.stats().doubleFrees).toBe(1);
    expect(alloc.stats().frees).toBe(1);
    expect(warnings()).toContain(
      `Ref count of MemoryObj ${obj.meta.address}is negative: -1.Double free occurred somewhere.Setting ref count back to 0 as a hack but please find the bug.`,
    );
  });

  it("unpin below zero warns and clamps", () => {
    const obj = alloc.allocate([10], "uint8")!;
    expect(obj.unpin()).toBe(true);
    expect(obj.meta.pinCount).toBe(0);
    expect(obj.isValid()).toBe(true);
    expect(warnings().some((w) => w.includes("Double unpin occurred somewhere."))).toBe(true);
  });

  it("poisonOnFree makes a kept view read 0xDB garbage", () => {
    const poisoned = new MemoryAllocator({ capacityBytes: 16 * 1024, poisonOnFree: true });
    const obj = poisoned.allocate([256], "uint8")!;
    const kept = obj.byteArray;
    kept.fill(7);
    obj.refCountDown();
    expect(kept.every((b) => b === POISON_BYTE)).toBe(true);
    expect(obj.byteArray.length).toBe(0);
  });

  it("without poisoning a kept view still sees the old bytes (why poisoning exists)", () => {
    const obj = alloc.allocate([256], "uint8")!;
    const kept = obj.byteArray;
    kept.fill(7);
    obj.refCountDown();
    expect(kept.every((b) => b === 7)).toBe(true);
  });

  it("setUsedSize narrows byteArray and rejects sizes beyond the physical size", () => {
    const obj = alloc.allocate([1000], "uint8")!;
    obj.setUsedSize(10);
    expect(obj.byteArray.length).toBe(10);
    expect(() => obj.setUsedSize(obj.getPhysicalSize() + 1)).toThrowError(expect.objectContaining({ name: "ValueError" }));
  });

  it("metadataToDict uses LMCache's msgpack keys and torch dtype names", () => {
    const obj = alloc.allocate([2, 4], "bfloat16", MemoryFormat.KV_2TD)!;
    expect(obj.metadataToDict()).toMatchObject({ __type__: "MemoryObjMetadata", shape: [2, 4], dtype: "torch.bfloat16", phy_size: 4096, ref_count: 1, fmt: 3 });
  });

  it("BytesBufferMemoryObj: ref counting is a no-op, evictable unless pinned", () => {
    const obj = createBytesObj(new Uint8Array([1, 2, 3]));
    obj.refCountDown();
    obj.refCountDown();
    expect(obj.getRefCount()).toBe(1);
    expect(obj.isValid()).toBe(true);
    expect(obj.getShape()).toEqual([3, 0, 0, 0]);
    expect(obj.getMemoryFormat()).toBe(MemoryFormat.BINARY_BUFFER);
    expect(obj.canEvict).toBe(true);
    obj.pin();
    expect(obj.canEvict).toBe(false);
    expect([...obj.byteArray]).toEqual([1, 2, 3]);
  });
});
