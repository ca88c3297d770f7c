/**
 * Deterministic payloads (ours): real bytes from a seeded generator, so a round trip is checked
 * byte for byte and a failure can be replayed with the same seed.
 */
import { createHash } from "node:crypto";
import type { DType } from "../memory/dtypes";
import { dtypeItemSize } from "../memory/dtypes";
import { MemoryFormat } from "../memory/memory-format";
import type { MemoryObj } from "../memory/memory-obj";

/** What to allocate: shape, dtype and format, as `LocalCPUBackend.allocate` takes them. */
export interface PayloadSpec {
  shape: number[];
  dtype: DType;
  fmt: MemoryFormat;
}

/** Bytes of a spec. */
export function specBytes(spec: PayloadSpec): number {
  return spec.shape.reduce((a, b) => a * b, 1) * dtypeItemSize(spec.dtype);
}

/** `[2, 2, 16, 64] bfloat16 KV_2LTD` */
export function describeSpec(spec: PayloadSpec): string {
  return `${JSON.stringify(spec.shape)} ${spec.dtype} ${MemoryFormat[spec.fmt] ?? spec.fmt}`;
}

/** 32-bit mix of a seed and a variant number (splitmix-style), never 0. */
export function mixSeed(seed: number, variant: number): number {
  let h = (seed ^ Math.imul(variant + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h === 0 ? 0x6d2b79f5 : h;
}

/** `length` pseudo-random bytes determined by `(seed, variant)` (xorshift32, word at a time). */
export function patternBytes(length: number, seed: number, variant: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(length / 4));
  let x = mixSeed(seed, variant);
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return new Uint8Array(words.buffer, 0, length);
}

/** Offset of the first differing byte, or -1 when equal (lengths included). */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  const ba = Buffer.from(a.buffer, a.byteOffset, a.length);
  const bb = Buffer.from(b.buffer, b.byteOffset, b.length);
  if (a.length === b.length && ba.equals(bb)) return -1;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/** Short content fingerprint for op logs and differential comparisons. */
export function digest(bytes: Uint8Array): string {
  return createHash("sha1").update(bytes).digest("hex").slice(0, 12);
}

/** A comparable description of an object: size, shape, dtype, format and content digest. */
export function describeObj(obj: MemoryObj | null | undefined): string {
  if (obj === null || obj === undefined) return "null";
  if (!obj.isValid()) return "<invalidated MemoryObj>";
  return `<MemoryObj ${obj.getSize()} B ${JSON.stringify(obj.getShape())} ${obj.getDtype()} ${
    MemoryFormat[obj.getMemoryFormat()] ?? obj.getMemoryFormat()
  } sha1:${digest(obj.byteArray)}>`;
}
