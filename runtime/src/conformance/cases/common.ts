/**
 * Shared pieces of the case modules: payload shapes of the conformance model and the put/get
 * steps every category repeats.
 */
import type { CacheEngineKey } from "../../keys/cache-engine-key";
import { MemoryFormat } from "../../memory/memory-format";
import type { MemoryObj } from "../../memory/memory-obj";
import type { CaseContext } from "../context";
import { releaseOnce } from "../context";
import { CHUNK_TOKENS, KV_SHAPE } from "../env";
import { inNamespace } from "../keys";
import type { PayloadSpec } from "../payload";
import type { ConformanceCase } from "../types";

const [LAYERS, , , HEADS, HEAD_SIZE] = KV_SHAPE;
const HIDDEN = HEADS * HEAD_SIZE;

/** A KV_2LTD bfloat16 chunk of `tokens` tokens of the conformance model: `[2, layers, tokens, hidden]`. */
export function kvChunk(tokens: number): PayloadSpec {
  return { shape: [2, LAYERS, tokens, HIDDEN], dtype: "bfloat16", fmt: MemoryFormat.KV_2LTD };
}

/** Payload shapes used across the categories. */
export const SPECS = {
  oneByte: { shape: [1], dtype: "uint8", fmt: MemoryFormat.BINARY } as PayloadSpec,
  fourKiB: { shape: [2, 16, 64], dtype: "float16", fmt: MemoryFormat.KV_2TD } as PayloadSpec,
  small: kvChunk(16),
  fullChunk: kvChunk(CHUNK_TOKENS),
  partialChunk: kvChunk(100),
  /** 8 MiB: `[2, 8, 256, 1024]` bfloat16. */
  large: { shape: [2, 8, 256, 1024], dtype: "bfloat16", fmt: MemoryFormat.KV_2LTD } as PayloadSpec,
  oddSize: { shape: [3, 5, 7], dtype: "float64", fmt: MemoryFormat.UNDEFINED } as PayloadSpec,
} as const;

/** Checks the case's shape; keeps every case module a list of plain objects. */
export function defineCases(cases: ConformanceCase[]): ConformanceCase[] {
  return cases;
}

/** Puts a payload the way LMCache's test does (caller keeps a reference); returns the caller's object. */
export async function putPayload(ctx: CaseContext, key: CacheEngineKey, spec: PayloadSpec, variant: number): Promise<MemoryObj> {
  const obj = ctx.ownedPayload(spec, variant);
  await ctx.call("put", () => ctx.connector.put(key, obj));
  return obj;
}

/** Gets `key` and checks it holds `variant` of `spec`; the returned object is released afterwards. */
export async function expectStored(ctx: CaseContext, key: CacheEngineKey, spec: PayloadSpec, variant: number, what: string): Promise<void> {
  const got = await ctx.call("get", () => ctx.connector.get(key));
  try {
    ctx.expectPayload(got, spec, variant, what);
  } finally {
    if (got && typeof (got as MemoryObj).isValid === "function") releaseOnce(got);
  }
}

/** Gets `key` and fails unless the result is exactly `null` (LMCache's "miss is None"). */
export async function expectMiss(ctx: CaseContext, key: CacheEngineKey, what: string): Promise<void> {
  const got = await ctx.call("get", () => ctx.connector.get(key));
  if (got !== null) {
    if (got && typeof (got as MemoryObj).isValid === "function") releaseOnce(got);
    ctx.fail(`${what}: get() should resolve to null`, { expected: "null", actual: got === undefined ? "undefined" : "<MemoryObj>", method: "get" });
  }
}

/** `list()` entries of this case's namespace. */
export async function listOwn(ctx: CaseContext): Promise<string[]> {
  const listed = await ctx.call("list", () => ctx.connector.list());
  if (!Array.isArray(listed)) ctx.fail("list() must resolve to an array of strings", { expected: "string[]", actual: String(listed), method: "list" });
  for (const entry of listed) {
    if (typeof entry !== "string") ctx.fail("list() returned a non-string entry", { expected: "string", actual: typeof entry, method: "list" });
  }
  return listed.filter((s) => inNamespace(s, ctx.namespace));
}
