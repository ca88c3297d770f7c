/**
 * LMCache `TensorMemoryAllocator` + `AddressManager` (`lmcache/v1/memory_management.py`):
 * one arena, aligned first-fit allocation from an address-sorted free list, coalescing on free.
 */
import { AssertionError, ValueError } from "../errors";
import { getLogger } from "../logging";
import { DType, isDType } from "./dtypes";
import { MemoryFormat } from "./memory-format";
import { MemoryObj, MemoryObjParent, tensorBytes } from "./memory-obj";

const logger = getLogger("lmcache.v1.memory_management");

/** LMCache `TensorMemoryAllocator.ALIGN_BYTES` (512 in older copies). */
export const DEFAULT_ALIGN_BYTES = 4096;

/** Byte pattern written over freed memory when `poisonOnFree` is on (the kit's debug aid). */
export const POISON_BYTE = 0xdb;

/** Options of `MemoryAllocator`. */
export interface MemoryAllocatorOptions {
  /** Arena size in bytes. The arena is created on the first allocation (the OS maps pages lazily). */
  capacityBytes: number;
  /** Alignment of addresses and physical sizes; a power of two. Default 4096. */
  alignBytes?: number;
  /** Fill freed bytes with 0xDB so a connector that keeps a view of a freed buffer reads garbage. */
  poisonOnFree?: boolean;
}

/** Allocator accounting (the kit's; LMCache only keeps `total_allocated_size`). */
export interface MemoryAllocatorStats {
  capacityBytes: number;
  /** Sum of the physical (aligned) sizes of live objects. */
  usedBytes: number;
  liveObjects: number;
  /** Successful allocations since creation. */
  allocations: number;
  /** Objects returned to the arena since creation. */
  frees: number;
  /** `refCountDown()` calls that drove a ref count below 0 ("Double free" warnings). */
  doubleFrees: number;
  /** Free bytes and the largest free block (fragmentation check). */
  freeBytes: number;
  largestFreeBlock: number;
}

interface FreeBlock {
  start: number;
  size: number;
}

/** Shape(s) accepted by `allocate`: one shape, or one per group. */
export type ShapeArg = readonly number[] | readonly (readonly number[])[];

function isShapeList(shape: ShapeArg): shape is readonly (readonly number[])[] {
  return shape.length > 0 && Array.isArray(shape[0]);
}

/** Normalise `(shape | shapes, dtype | dtypes)` like LMCache `_adapt_shapes_and_dtypes`. */
export function adaptShapesAndDtypes(
  shape: ShapeArg,
  dtype: DType | readonly DType[],
): { shapes: number[][]; dtypes: DType[] } {
  const shapes = isShapeList(shape) ? shape.map((s) => [...s]) : [[...(shape as readonly number[])]];
  const dtypes = Array.isArray(dtype) ? [...dtype] : [dtype as DType];
  if (shapes.length !== dtypes.length) {
    throw new AssertionError(
      `shapes and dtypes must have the same length, got ${shapes.length} and ${dtypes.length}, ` +
        `shapes: ${JSON.stringify(shapes)}, dtypes: ${JSON.stringify(dtypes)}`,
    );
  }
  for (const s of shapes) {
    for (const d of s) {
      if (!Number.isSafeInteger(d) || d < 0) {
        throw new ValueError(`Invalid shape ${JSON.stringify(s)}: dimensions must be non-negative integers`);
      }
    }
  }
  for (const d of dtypes) if (!isDType(d)) throw new ValueError(`Unsupported dtype: ${String(d)}`);
  return { shapes, dtypes };
}

/**
 * LMCache `TensorMemoryAllocator` over ONE `ArrayBuffer` of `capacityBytes`.
 *
 * `allocate` returns null when no free block is large enough (LMCache's address manager raises
 * and the allocator turns that into `None`; the warning text is LMCache's), including requests
 * larger than the whole arena. Zero-byte requests get a zero-size object without touching the
 * free list (ours; LMCache never asks for 0 bytes).
 */
export class MemoryAllocator implements MemoryObjParent {
  readonly capacityBytes: number;
  readonly alignBytes: number;
  readonly poisonOnFree: boolean;
  private arena: ArrayBuffer | null = null;
  /** Address-sorted, fully coalesced free blocks. */
  private freeList: FreeBlock[];
  private readonly live = new Set<MemoryObj>();
  private usedBytes = 0;
  private allocations = 0;
  private frees = 0;
  private doubleFrees = 0;
  private closed = false;

  constructor(opts: MemoryAllocatorOptions) {
    const { capacityBytes, alignBytes = DEFAULT_ALIGN_BYTES, poisonOnFree = false } = opts;
    if (!Number.isSafeInteger(capacityBytes) || capacityBytes < 0) {
      throw new ValueError(`capacityBytes must be a non-negative integer, got ${capacityBytes}`);
    }
    if (!Number.isSafeInteger(alignBytes) || alignBytes <= 0 || (alignBytes & (alignBytes - 1)) !== 0) {
      throw new ValueError(`alignBytes must be a power of two, got ${alignBytes}`);
    }
    this.capacityBytes = capacityBytes;
    this.alignBytes = alignBytes;
    this.poisonOnFree = poisonOnFree;
    this.freeList = capacityBytes > 0 ? [{ start: 0, size: capacityBytes }] : [];
  }

  /** `compute_aligned_size`: `raw` rounded up to a multiple of `alignBytes`. */
  alignUp(raw: number): number {
    return Math.ceil(raw / this.alignBytes) * this.alignBytes;
  }

  /**
   * Backs the arena with `buffer` instead of a fresh `ArrayBuffer` (ours: the Python bridge's
   * shared mapping, so the connector's process sees the engine's bytes without a copy). Only
   * before the arena exists (no allocation yet) and with exactly `capacityBytes`; false otherwise.
   */
  adoptArena(buffer: ArrayBuffer): boolean {
    if (this.arena !== null || this.closed || this.capacityBytes === 0 || buffer.byteLength !== this.capacityBytes) return false;
    this.arena = buffer;
    return true;
  }

  private getArena(): ArrayBuffer {
    if (!this.arena) this.arena = new ArrayBuffer(this.capacityBytes);
    return this.arena;
  }

  /** Find and carve a block (first fit). Returns the address or -1. */
  private carve(alignedSize: number): number {
    const i = this.freeList.findIndex((b) => b.size >= alignedSize);
    if (i < 0) return -1;
    const block = this.freeList[i]!;
    const address = block.start;
    if (block.size > alignedSize) {
      this.freeList[i] = { start: block.start + alignedSize, size: block.size - alignedSize };
    } else {
      this.freeList.splice(i, 1);
    }
    return address;
  }

  /** Return a block to the free list, merging with its neighbours. */
  private release(start: number, size: number): void {
    if (size === 0) return;
    let lo = 0;
    let hi = this.freeList.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.freeList[mid]!.start < start) lo = mid + 1;
      else hi = mid;
    }
    const prev = lo > 0 ? this.freeList[lo - 1]! : null;
    const succ = lo < this.freeList.length ? this.freeList[lo]! : null;
    const mergePrev = prev !== null && prev.start + prev.size === start;
    const mergeSucc = succ !== null && start + size === succ.start;
    if (mergePrev && mergeSucc) {
      prev!.size += size + succ!.size;
      this.freeList.splice(lo, 1);
    } else if (mergePrev) {
      prev!.size += size;
    } else if (mergeSucc) {
      succ!.start = start;
      succ!.size += size;
    } else {
      this.freeList.splice(lo, 0, { start, size });
    }
  }

  private makeObj(address: number, phySize: number, shapes: number[][], dtypes: DType[], fmt: MemoryFormat): MemoryObj {
    const raw = phySize === 0 ? new Uint8Array(0) : new Uint8Array(this.getArena(), address, phySize);
    const obj = new MemoryObj(
      raw,
      {
        shape: shapes[0] ?? [],
        dtype: dtypes[0] ?? null,
        address,
        phySize,
        refCount: 1,
        pinCount: 0,
        fmt,
        shapes,
        dtypes,
      },
      this,
    );
    this.live.add(obj);
    this.usedBytes += phySize;
    this.allocations += 1;
    return obj;
  }

  /**
   * Allocate an object for one tensor (`shape`, `dtype`) or several groups (`shapes[]`,
   * `dtypes[]`; size = sum). Ref count 1, pin count 0. Null when the arena has no room.
   */
  allocate(shape: ShapeArg, dtype: DType | readonly DType[], fmt: MemoryFormat = MemoryFormat.UNDEFINED): MemoryObj | null {
    const { shapes, dtypes } = adaptShapesAndDtypes(shape, dtype);
    const rawSize = shapes.reduce((acc, s, i) => acc + tensorBytes(s, dtypes[i]!), 0);
    if (this.closed) return null;
    if (rawSize === 0) return this.makeObj(0, 0, shapes, dtypes, fmt);
    const aligned = this.alignUp(rawSize);
    const address = this.carve(aligned);
    if (address < 0) {
      logger.warning(`Failed to allocate memory block of size ${rawSize} because no memory is available`);
      return null;
    }
    return this.makeObj(address, aligned, shapes, dtypes, fmt);
  }

  /**
   * LMCache `batched_allocate`: `batchSize` objects of the same shape(s), all or nothing
   * (null and an untouched free list when they do not all fit).
   */
  batchedAllocate(
    shape: ShapeArg,
    dtype: DType | readonly DType[],
    batchSize: number,
    fmt: MemoryFormat = MemoryFormat.UNDEFINED,
  ): MemoryObj[] | null {
    const { shapes, dtypes } = adaptShapesAndDtypes(shape, dtype);
    if (!Number.isSafeInteger(batchSize) || batchSize < 0) {
      throw new ValueError(`batchSize must be a non-negative integer, got ${batchSize}`);
    }
    const rawSize = shapes.reduce((acc, s, i) => acc + tensorBytes(s, dtypes[i]!), 0);
    if (this.closed) return null;
    const aligned = this.alignUp(rawSize);
    if (aligned > 0) {
      const fits = this.freeList.reduce((n, b) => n + Math.floor(b.size / aligned), 0);
      if (fits < batchSize) {
        logger.warning(
          `Failed to batched allocate ${batchSize} memory blocks of size ${rawSize} ` +
            `because no enough memory is available (short by ${batchSize - fits} blocks)`,
        );
        return null;
      }
    }
    const out: MemoryObj[] = [];
    for (let i = 0; i < batchSize; i++) {
      const address = aligned === 0 ? 0 : this.carve(aligned);
      out.push(this.makeObj(address, aligned, shapes.map((s) => [...s]), [...dtypes], fmt));
    }
    return out;
  }

  /**
   * Return `obj`'s bytes to the arena and invalidate it. Normally reached through
   * `refCountDown()`/`unpin()`, not called directly. Freeing an object that is already invalid
   * is ignored (LMCache's allocator does the same); an object of another allocator is a
   * `ValueError` (ours).
   */
  free(obj: MemoryObj): void {
    if (obj.parent() !== this) throw new ValueError("MemoryObj does not belong to this allocator");
    if (!obj.isValid() || !this.live.has(obj)) return;
    const { address, phySize } = obj.meta;
    if (this.poisonOnFree && phySize > 0 && this.arena) {
      new Uint8Array(this.arena, address, phySize).fill(POISON_BYTE);
    }
    obj.invalidate();
    this.live.delete(obj);
    this.release(address, phySize);
    this.usedBytes -= phySize;
    this.frees += 1;
  }

  /** Called by `MemoryObj.refCountDown` when a ref count went negative. */
  noteDoubleFree(_obj: MemoryObj): void {
    this.doubleFrees += 1;
  }

  stats(): MemoryAllocatorStats {
    const freeBytes = this.freeList.reduce((n, b) => n + b.size, 0);
    return {
      capacityBytes: this.capacityBytes,
      usedBytes: this.usedBytes,
      liveObjects: this.live.size,
      allocations: this.allocations,
      frees: this.frees,
      doubleFrees: this.doubleFrees,
      freeBytes,
      largestFreeBlock: this.freeList.reduce((m, b) => Math.max(m, b.size), 0),
    };
  }

  /** The free list as `[start, size]` pairs, address order (for tests and diagnostics). */
  freeBlocks(): [number, number][] {
    return this.freeList.map((b) => [b.start, b.size]);
  }

  /**
   * LMCache `memcheck()`/`check_consistency()`: free blocks sorted and fully coalesced, and
   * free + used bytes equal the capacity.
   */
  memcheck(): boolean {
    for (let i = 1; i < this.freeList.length; i++) {
      const a = this.freeList[i - 1]!;
      const b = this.freeList[i]!;
      if (a.start + a.size >= b.start) return false;
    }
    return this.stats().freeBytes + this.usedBytes === this.capacityBytes;
  }

  /** Stop allocating (later `allocate` calls return null). Live objects stay readable. */
  close(): void {
    this.closed = true;
  }
}
