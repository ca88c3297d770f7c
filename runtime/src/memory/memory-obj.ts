/**
 * LMCache `MemoryObjMetadata`, `TensorMemoryObj` and `BytesBufferMemoryObj`
 * (`lmcache/v1/memory_management.py`): a region of the allocator arena with ref and pin counts.
 */
import { ValueError } from "../errors";
import { getLogger } from "../logging";
import { DType, dtypeItemSize } from "./dtypes";
import { MemoryFormat, tokenDim } from "./memory-format";

const logger = getLogger("lmcache.v1.memory_management");

/** LMCache's double-unpin handling (same text, spaces missing as in LMCache): warn, clamp to 0. */
function clampNegativePinCount(meta: { address: number; pinCount: number }): void {
  if (meta.pinCount >= 0) return;
  logger.warning(
    `Pin count of MemoryObj ${meta.address}` +
      `is negative: ${meta.pinCount}.` +
      "Double unpin occurred somewhere." +
      "Setting pin count back to 0 as a hack but please find the bug.",
  );
  meta.pinCount = 0;
}

/** What a `MemoryObj` needs from the allocator that owns it. */
export interface MemoryObjParent {
  /** Return the object's bytes to the arena (LMCache `allocator.free(obj)`; invalidates it). */
  free(obj: MemoryObj): void;
  /** Count one "ref count went negative" event (the kit's accounting; LMCache only logs). */
  noteDoubleFree?(obj: MemoryObj): void;
}

/** LMCache `MemoryObjMetadata` (mutable, like the Python dataclass). */
export interface MemoryObjMetadata {
  shape: number[];
  dtype: DType | null;
  /** Offset of the object in the allocator arena. */
  address: number;
  /** Allocated (aligned) bytes. */
  phySize: number;
  refCount: number;
  pinCount: number;
  fmt: MemoryFormat;
  shapes: number[][] | null;
  dtypes: (DType | null)[] | null;
}

/** Product of the dimensions (`torch.Size.numel()`). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Bytes of a tensor with `shape` and `dtype` (`numel * itemsize`). */
export function tensorBytes(shape: readonly number[], dtype: DType): number {
  return numel(shape) * dtypeItemSize(dtype);
}

/** `MemoryObjMetadata.to_dict()` with LMCache's msgpack keys. */
export interface MemoryObjMetadataDict {
  __type__: "MemoryObjMetadata";
  shape: number[];
  dtype: string | null;
  address: number;
  phy_size: number;
  ref_count: number;
  fmt: number;
  shapes: number[][] | null;
  dtypes: (string | null)[] | null;
}

/**
 * LMCache `TensorMemoryObj`. New objects start with ref count 1 and pin count 0; the object goes
 * back to its allocator when both counts reach 0.
 *
 * - `refCountDown()` below 0 logs LMCache's "Ref count of MemoryObj … is negative … Double free
 *   occurred somewhere…" warning (same text, same missing spaces), clamps to 0 and counts the
 *   event in the allocator's `stats().doubleFrees` (the counter is ours).
 * - `unpin()` below 0 logs LMCache's "Double unpin" warning and clamps to 0; like LMCache it frees
 *   BEFORE clamping when both counts are ≤ 0.
 * - After the object is freed, `isValid()` is false and `byteArray` is an EMPTY `Uint8Array`
 *   (the kit's choice: a connector reading a freed object sees no bytes instead of another
 *   object's). Views taken before the free still point into the arena — with the allocator's
 *   `poisonOnFree` they read 0xDB garbage, which is how the kit catches kept views.
 */
export class MemoryObj {
  /** The Python `meta` attribute: mutable metadata. */
  readonly meta: MemoryObjMetadata;
  private readonly raw: Uint8Array;
  private readonly parentAllocator: MemoryObjParent | null;
  private valid = true;
  private readonly logicalSize: number;
  private usedSizeOverride: number | null = null;
  private view: Uint8Array | null = null;

  /**
   * @param raw the object's physical bytes (a view into the arena, `phySize` long)
   * @param meta metadata; `shapes`/`dtypes` describe the groups (one group when null)
   * @param parentAllocator who frees the object at ref 0 (null: never freed)
   */
  constructor(raw: Uint8Array, meta: MemoryObjMetadata, parentAllocator: MemoryObjParent | null) {
    this.raw = raw;
    this.meta = meta;
    this.parentAllocator = parentAllocator;
    let size = 0;
    if (meta.shapes && meta.dtypes) {
      meta.shapes.forEach((s, i) => {
        const d = meta.dtypes![i];
        size += d ? tensorBytes(s, d) : numel(s);
      });
    } else {
      size = meta.dtype ? tensorBytes(meta.shape, meta.dtype) : numel(meta.shape);
    }
    this.logicalSize = size;
  }

  /**
   * The object's bytes: a writable `Uint8Array` of exactly `getSize()` bytes into the arena
   * (LMCache `byte_array`, whose length is the logical, not the aligned size). Empty once freed.
   */
  get byteArray(): Uint8Array {
    if (!this.valid) return new Uint8Array(0);
    const size = this.getSize();
    if (!this.view || this.view.length !== size) this.view = this.raw.subarray(0, size);
    return this.view;
  }

  /** Offset in the allocator arena (LMCache `data_ptr` is the absolute address). */
  get dataPtr(): number {
    return this.meta.address;
  }

  /** The Python `metadata` property. */
  get metadata(): MemoryObjMetadata {
    return this.meta;
  }

  /** Logical bytes (sum over groups), or the size set by `setUsedSize`. */
  getSize(): number {
    return this.usedSizeOverride ?? this.logicalSize;
  }

  /**
   * LMCache `set_used_size(n)` (newest copies): narrow the logical size to `n` bytes after a
   * partial read, so `byteArray` and `getSize()` report `n`. `ValueError` outside `[0, phySize]`.
   */
  setUsedSize(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > this.meta.phySize) {
      throw new ValueError(`set_used_size: n=${n} out of range [0, ${this.meta.phySize}]`);
    }
    this.usedSizeOverride = n;
  }

  /** Allocated (aligned) bytes. */
  getPhysicalSize(): number {
    return this.meta.phySize;
  }

  /** Shape of the first group (LMCache `meta.shape`). */
  getShape(): number[] {
    return this.meta.shape;
  }

  /** Shapes of all groups. */
  getShapes(): number[][] {
    return this.meta.shapes ?? [this.meta.shape];
  }

  /** Dtype of the first group. */
  getDtype(): DType | null {
    return this.meta.dtype;
  }

  /** Dtypes of all groups. */
  getDtypes(): (DType | null)[] {
    return this.meta.dtypes ?? [this.meta.dtype];
  }

  getMemoryFormat(): MemoryFormat {
    return this.meta.fmt;
  }

  /** `shape[fmt.token_dim()]`. */
  getNumTokens(): number {
    return this.meta.shape[tokenDim(this.meta.fmt)] ?? 0;
  }

  /** The allocator that owns the object (LMCache `parent()`), or null. */
  parent(): MemoryObjParent | null {
    return this.parentAllocator;
  }

  isValid(): boolean {
    return this.valid;
  }

  /** Mark the object freed (called by the allocator). */
  invalidate(): void {
    this.valid = false;
  }

  refCountUp(): void {
    this.meta.refCount += 1;
  }

  refCountDown(): void {
    this.meta.refCount -= 1;
    if (this.meta.refCount < 0) {
      logger.warning(
        `Ref count of MemoryObj ${this.meta.address}` +
          `is negative: ${this.meta.refCount}.` +
          "Double free occurred somewhere." +
          "Setting ref count back to 0 as a hack but please find the bug.",
      );
      this.meta.refCount = 0;
      this.parentAllocator?.noteDoubleFree?.(this);
    }
    if (this.meta.refCount === 0 && this.parentAllocator !== null && this.meta.pinCount === 0) {
      this.parentAllocator.free(this);
    }
  }

  getRefCount(): number {
    return this.meta.refCount;
  }

  pin(): boolean {
    this.meta.pinCount += 1;
    return true;
  }

  unpin(): boolean {
    this.meta.pinCount -= 1;
    if (this.meta.pinCount <= 0 && this.meta.refCount <= 0) {
      if (this.parentAllocator === null) {
        logger.error("Parent allocator is None when trying to free MemoryObj.This could cause memory leak");
      } else {
        this.parentAllocator.free(this);
      }
    }
    clampNegativePinCount(this.meta);
    return true;
  }

  get isPinned(): boolean {
    return this.meta.pinCount > 0;
  }

  /** Evictable: not pinned and only one reference (the hot cache's). */
  get canEvict(): boolean {
    return !this.isPinned && this.getRefCount() === 1;
  }

  /** `MemoryObjMetadata.to_dict()` (dtype as `"torch.<name>"`). */
  metadataToDict(): MemoryObjMetadataDict {
    const m = this.meta;
    return {
      __type__: "MemoryObjMetadata",
      shape: [...m.shape],
      dtype: m.dtype ? `torch.${m.dtype}` : null,
      address: m.address,
      phy_size: m.phySize,
      ref_count: m.refCount,
      fmt: m.fmt,
      shapes: m.shapes ? m.shapes.map((s) => [...s]) : null,
      dtypes: m.dtypes ? m.dtypes.map((d) => (d ? `torch.${d}` : null)) : null,
    };
  }

  toString(): string {
    return `MemoryObj(address=${this.meta.address}, size=${this.getSize()}, refCount=${this.meta.refCount}, pinCount=${this.meta.pinCount}, valid=${this.valid})`;
  }
}

/**
 * LMCache `BytesBufferMemoryObj`: wraps plain bytes outside any allocator. Shape
 * `[len, 0, 0, 0]`, dtype null, format `BINARY_BUFFER`; ref counting is a no-op
 * (`getRefCount()` is always 1), `canEvict` = not pinned, `getNumTokens()` = 1, `getDtypes()` = [].
 */
export class BytesBufferMemoryObj extends MemoryObj {
  constructor(bytes: Uint8Array) {
    super(
      bytes,
      {
        shape: [bytes.length, 0, 0, 0],
        dtype: null,
        address: 0,
        phySize: 0,
        refCount: 1,
        pinCount: 0,
        fmt: MemoryFormat.BINARY_BUFFER,
        shapes: null,
        dtypes: null,
      },
      null,
    );
  }

  override getSize(): number {
    return this.meta.shape[0]!;
  }

  override getDtypes(): (DType | null)[] {
    return [];
  }

  override refCountUp(): void {}

  override refCountDown(): void {}

  override getRefCount(): number {
    return 1;
  }

  override getNumTokens(): number {
    return 1;
  }

  override unpin(): boolean {
    this.meta.pinCount -= 1;
    clampNegativePinCount(this.meta);
    return true;
  }

  override get canEvict(): boolean {
    return !this.isPinned;
  }
}

/** A `BytesBufferMemoryObj` over `bytes` (not copied). */
export function createBytesObj(bytes: Uint8Array): BytesBufferMemoryObj {
  return new BytesBufferMemoryObj(bytes);
}
