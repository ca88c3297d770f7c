/**
 * LMCache `RemoteMetadata` (`lmcache/v1/protocol.py`): the header FS, Redis and other connectors
 * store in front of a chunk when `save_chunk_meta` is on. Little-endian 32-bit ints:
 * `length, fmt, (dtype, s0, s1, s2, s3) × groups` — 28 bytes for one group.
 */
import { AssertionError, ValueError } from "../errors";
import { DType } from "../memory/dtypes";
import { MemoryFormat, memoryFormatFromInt } from "../memory/memory-format";

/**
 * LMCache `DTYPE_TO_INT`. `torch.half` and `torch.float16` are the same object, so the dict's
 * later entry wins and float16 is written as 2; other dtypes (int8, int16, int32, int64, bool,
 * fnuz fp8s) have no code.
 */
export const DTYPE_TO_INT: ReadonlyMap<DType | null, number> = new Map<DType | null, number>([
  [null, 0],
  ["float16", 2],
  ["bfloat16", 3],
  ["float32", 4],
  ["float64", 5],
  ["uint8", 6],
  ["float8_e4m3fn", 7],
  ["float8_e5m2", 8],
]);

/** LMCache `INT_TO_DTYPE` (code 1, `torch.half`, also decodes to float16). */
export const INT_TO_DTYPE: ReadonlyMap<number, DType | null> = new Map<number, DType | null>([
  [0, null],
  [1, "float16"],
  [2, "float16"],
  [3, "bfloat16"],
  [4, "float32"],
  [5, "float64"],
  [6, "uint8"],
  [7, "float8_e4m3fn"],
  [8, "float8_e5m2"],
]);

/** Header size for `numGroups` groups: `4 * (2 + 5 * numGroups)` (28 for one). */
export function remoteMetadataBytes(numGroups = 1): number {
  if (!Number.isInteger(numGroups) || numGroups < 1) throw new ValueError(`numGroups must be a positive integer, got ${numGroups}`);
  return 4 * (2 + 5 * numGroups);
}

/**
 * Wire code of `dtype`. LMCache's dict lookup raises `KeyError` for dtypes without a code; the
 * kit raises a `ValueError` naming the dtype.
 */
export function dtypeToCode(dtype: DType | null): number {
  const code = DTYPE_TO_INT.get(dtype);
  if (code === undefined) {
    throw new ValueError(`Unsupported dtype for RemoteMetadata: torch.${String(dtype)} (LMCache has no wire code for it)`);
  }
  return code;
}

/** Dtype of a wire code (`ValueError` for unknown codes; LMCache raises `KeyError`). */
export function codeToDType(code: number): DType | null {
  const dtype = INT_TO_DTYPE.get(code);
  if (dtype === undefined) throw new ValueError(`Unknown RemoteMetadata dtype code: ${code}`);
  return dtype;
}

/**
 * LMCache `pad_shape_to_4d` (newest copy): shapes with fewer than 4 dims get TRAILING zeros.
 * We follow that copy (another one prepends 1s) because it is the one whose decoder can undo it
 * (`stripShapePadding`) and it matches the `[n, 0, 0, 0]` byte-buffer convention, so a 4-D
 * header reads the same under both. More than 4 dims is LMCache's AssertionError.
 */
export function padShapeTo4d(shape: readonly number[]): number[] {
  if (shape.length > 4) throw new AssertionError(`Shape dimension must be <= 4 for serialization, got ${shape.length}`);
  return [...shape, ...new Array<number>(4 - shape.length).fill(0)];
}

/**
 * LMCache `strip_shape_padding`: drop trailing zeros (keeping at least one dim), except for
 * `BINARY`/`BINARY_BUFFER`, whose `[n, 0, 0, 0]` shapes are kept as they are.
 */
export function stripShapePadding(dims: readonly number[], fmt: MemoryFormat = MemoryFormat.UNDEFINED): number[] {
  if (fmt === MemoryFormat.BINARY || fmt === MemoryFormat.BINARY_BUFFER) return [...dims];
  let end = dims.length;
  while (end > 1 && dims[end - 1] === 0) end--;
  return dims.slice(0, end);
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function checkInt32(v: number): number {
  if (!Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) {
    throw new ValueError(`'i' format requires ${INT32_MIN} <= number <= ${INT32_MAX} (got ${v})`);
  }
  return v;
}

/** The object fields `RemoteMetadata.forMemoryObj` reads. */
export interface RemoteMetadataSource {
  getSize(): number;
  getShapes(): number[][];
  getDtypes(): (DType | null)[];
  getMemoryFormat(): MemoryFormat;
}

/** LMCache `RemoteMetadata(length, shapes, dtypes, fmt)`. */
export class RemoteMetadata {
  constructor(
    /** Payload byte count. */
    readonly length: number,
    readonly shapes: number[][],
    readonly dtypes: (DType | null)[],
    readonly fmt: MemoryFormat,
  ) {}

  /** Header describing a memory object (length = `getSize()`). */
  static forMemoryObj(obj: RemoteMetadataSource): RemoteMetadata {
    return new RemoteMetadata(obj.getSize(), obj.getShapes(), obj.getDtypes(), obj.getMemoryFormat());
  }

  /** First group's shape (the single-group field of older LMCache). */
  get shape(): number[] {
    return this.shapes[0] ?? [];
  }

  /** First group's dtype. */
  get dtype(): DType | null {
    return this.dtypes[0] ?? null;
  }

  get numGroups(): number {
    return this.shapes.length;
  }

  /** Bytes this header occupies. */
  get byteLength(): number {
    return remoteMetadataBytes(Math.max(1, this.shapes.length));
  }

  private params(): number[] {
    if (this.shapes.length !== this.dtypes.length) {
      const [a, b] = this.shapes.length < this.dtypes.length ? [1, 2] : [2, 1];
      throw new ValueError(`zip() argument ${a} is shorter than argument ${b}`);
    }
    if (this.shapes.length === 0) throw new ValueError("RemoteMetadata needs at least one group");
    const out = [checkInt32(this.length), checkInt32(this.fmt)];
    this.shapes.forEach((shape, i) => {
      out.push(dtypeToCode(this.dtypes[i]!));
      for (const d of padShapeTo4d(shape)) out.push(checkInt32(d));
    });
    return out;
  }

  /** LMCache `serialize()`: the header bytes (little-endian, as CPython writes them on x86-64/arm64). */
  serialize(): Uint8Array {
    const out = new Uint8Array(this.byteLength);
    this.serializeInto(out, 0);
    return out;
  }

  /** LMCache `serialize_into(buffer)`: write the header at `offset` of `buffer`. */
  serializeInto(buffer: Uint8Array, offset = 0): void {
    const params = this.params();
    if (buffer.length - offset < params.length * 4) {
      throw new ValueError(`pack_into requires a buffer of at least ${params.length * 4 + offset} bytes (actual buffer size is ${buffer.length})`);
    }
    const dv = new DataView(buffer.buffer, buffer.byteOffset + offset, params.length * 4);
    params.forEach((v, i) => dv.setInt32(i * 4, v, true));
  }

  /**
   * LMCache `deserialize(s)` for `numGroups` groups (default 1). Extra trailing bytes are ignored
   * (`unpack_from`); a short buffer, an unknown format or an unknown dtype code is a `ValueError`.
   * Shapes lose their trailing zeros except for BINARY formats (see `stripShapePadding`).
   */
  static deserialize(buf: Uint8Array, numGroups = 1): RemoteMetadata {
    const need = remoteMetadataBytes(numGroups);
    if (!(buf instanceof Uint8Array) || buf.length < need) {
      throw new ValueError(
        `RemoteMetadata needs at least ${need} bytes for ${numGroups} group(s), got ${buf instanceof Uint8Array ? buf.length : typeof buf}`,
      );
    }
    const dv = new DataView(buf.buffer, buf.byteOffset, need);
    const ints: number[] = [];
    for (let i = 0; i < need / 4; i++) ints.push(dv.getInt32(i * 4, true));
    const fmt = memoryFormatFromInt(ints[1]!);
    const shapes: number[][] = [];
    const dtypes: (DType | null)[] = [];
    for (let i = 2; i < ints.length; i += 5) {
      shapes.push(stripShapePadding(ints.slice(i + 1, i + 5), fmt));
      dtypes.push(codeToDType(ints[i]!));
    }
    return new RemoteMetadata(ints[0]!, shapes, dtypes, fmt);
  }
}
