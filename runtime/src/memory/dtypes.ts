/**
 * Torch dtypes as LMCache uses them, named without the `torch.` prefix, plus the three string
 * tables LMCache keeps for them: element sizes, the key-string names of `CacheEngineKey`
 * (eras E2 and E3) and the integer codes of the `RemoteMetadata` wire header (see
 * `protocol/remote-metadata.ts`).
 */
import { KeyError, ValueError } from "../errors";

/** A torch dtype name without `torch.` (`torch.float16` → `"float16"`). */
export type DType =
  | "bfloat16"
  | "float16"
  | "float32"
  | "float64"
  | "uint8"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "bool"
  | "float8_e4m3fn"
  | "float8_e4m3fnuz"
  | "float8_e5m2"
  | "float8_e5m2fnuz";

/** Bytes per element (`torch.dtype.itemsize`). */
export const DTYPE_ITEM_SIZE: Readonly<Record<DType, number>> = Object.freeze({
  bfloat16: 2,
  float16: 2,
  float32: 4,
  float64: 8,
  uint8: 1,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  bool: 1,
  float8_e4m3fn: 1,
  float8_e4m3fnuz: 1,
  float8_e5m2: 1,
  float8_e5m2fnuz: 1,
});

/** Every supported dtype, in the order of the `DType` union. */
export const ALL_DTYPES: readonly DType[] = Object.freeze(Object.keys(DTYPE_ITEM_SIZE) as DType[]);

/** True when `value` is one of the `DType` names. */
export function isDType(value: unknown): value is DType {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(DTYPE_ITEM_SIZE, value);
}

/** Bytes per element of `dtype` (`torch.dtype.itemsize`). */
export function dtypeItemSize(dtype: DType): number {
  if (!isDType(dtype)) throw new ValueError(`Unsupported dtype: ${String(dtype)}`);
  return DTYPE_ITEM_SIZE[dtype];
}

/** `str(torch.<dtype>)`, e.g. `"torch.float16"` (also what `str(torch.half)` prints). */
export function torchDTypeName(dtype: DType): string {
  return `torch.${dtype}`;
}

/** Torch's own aliases (`torch.half is torch.float16`, …). */
const TORCH_ALIASES: Readonly<Record<string, DType>> = Object.freeze({
  half: "float16",
  float: "float32",
  double: "float64",
  short: "int16",
  int: "int32",
  long: "int64",
});

/**
 * `DType` for a name as people write it: the canonical names (`float16`), torch's aliases
 * (`half`, `float`, `double`, `short`, `int`, `long`), either with a `torch.` prefix, and the
 * E3 key-string names (`fp8_e4m3fn`, …). The E2 names `fp8_e4m3`/`fp8_e5m2` are ambiguous
 * (see `keyStringToDType`) and rejected here. Unknown names raise `ValueError("Unsupported dtype: …")`.
 */
export function parseDType(name: string): DType {
  const bare = typeof name === "string" && name.startsWith("torch.") ? name.slice("torch.".length) : name;
  if (isDType(bare)) return bare;
  if (typeof bare === "string" && Object.prototype.hasOwnProperty.call(TORCH_ALIASES, bare)) {
    return TORCH_ALIASES[bare]!;
  }
  if (typeof name === "string" && !name.startsWith("torch.")) {
    const fromKey = E3_INVERSE.get(name);
    if (fromKey) return fromKey;
  }
  throw new ValueError(`Unsupported dtype: ${String(name)}`);
}

/**
 * Key-string names of the newest layout (E3, LMCache `TORCH_DTYPE_TO_STR_DTYPE`):
 * `half`, `bfloat16`, `float`, `double`, integer names, `bool`, `fp8_e4m3fn`, `fp8_e4m3fnuz`,
 * `fp8_e5m2`, `fp8_e5m2fnuz`. One name per dtype, so E3 key strings round-trip.
 */
export const E3_KEY_DTYPE_STRINGS: Readonly<Record<DType, string>> = Object.freeze({
  float16: "half",
  bfloat16: "bfloat16",
  float32: "float",
  float64: "double",
  int8: "int8",
  uint8: "uint8",
  int16: "int16",
  int32: "int32",
  int64: "int64",
  bool: "bool",
  float8_e4m3fn: "fp8_e4m3fn",
  float8_e4m3fnuz: "fp8_e4m3fnuz",
  float8_e5m2: "fp8_e5m2",
  float8_e5m2fnuz: "fp8_e5m2fnuz",
});

/**
 * Key-string names of layout E2. LMCache E2 wrote both `float8_e4m3fn` and `float8_e4m3fnuz`
 * as `fp8_e4m3` (and both e5m2 variants as `fp8_e5m2`).
 */
export const E2_KEY_DTYPE_STRINGS: Readonly<Record<DType, string>> = Object.freeze({
  ...E3_KEY_DTYPE_STRINGS,
  float8_e4m3fn: "fp8_e4m3",
  float8_e4m3fnuz: "fp8_e4m3",
  float8_e5m2: "fp8_e5m2",
  float8_e5m2fnuz: "fp8_e5m2",
});

/** Python `{v: k for k, v in table.items()}`: for a name used twice, the LATER dtype wins. */
function invert(table: Readonly<Record<DType, string>>): Map<string, DType> {
  const out = new Map<string, DType>();
  // Python dict order of LMCache's table: the fnuz variants are inserted after the fn ones.
  const order: DType[] = [
    "float16", "bfloat16", "float32", "float64", "int8", "uint8", "int16", "int32", "int64", "bool",
    "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz",
  ];
  for (const d of order) out.set(table[d], d);
  return out;
}

const E3_INVERSE = invert(E3_KEY_DTYPE_STRINGS);
const E2_INVERSE = invert(E2_KEY_DTYPE_STRINGS);

/** The key-string name of `dtype` in layout E2 or E3. */
export function dtypeToKeyString(dtype: DType, era: "E2" | "E3" = "E3"): string {
  const table = era === "E2" ? E2_KEY_DTYPE_STRINGS : E3_KEY_DTYPE_STRINGS;
  if (!isDType(dtype)) throw new ValueError(`Unsupported dtype in CacheEngineKey: ${String(dtype)}`);
  return table[dtype];
}

/**
 * The dtype named by a key string (LMCache `STR_DTYPE_TO_TORCH_DTYPE[s]`). Unknown names raise
 * `KeyError('<name>')` as the Python dict lookup does.
 *
 * LMCache oddity (E2): the table is built by inverting the dtype→name dict, so `fp8_e4m3` maps
 * back to `float8_e4m3fnuz` and `fp8_e5m2` to `float8_e5m2fnuz` — an E2 key made with
 * `float8_e4m3fn` parses back to a key with a different dtype. Reproduced here.
 */
export function keyStringToDType(name: string, era: "E2" | "E3" = "E3"): DType {
  const found = (era === "E2" ? E2_INVERSE : E3_INVERSE).get(name);
  if (!found) throw new KeyError(`'${name}'`);
  return found;
}
