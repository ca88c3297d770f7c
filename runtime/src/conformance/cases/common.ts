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

/** Why `list()` checks are advisory (cited by every case that looks at `list()`). */
export const LIST_IS_ADVISORY =
  "RemoteBackend never calls list() (contract §6.5; only LMCache's tests and tools do), and LMCache's own connectors do not list key strings: FSConnector returns file stems with '/' escaped to '-SEP-', RedisConnector's list() is `pass` (None)";

/** LMCache's own connectors' list() behaviour, for `lmcacheToo` of the cases that look at list(). */
export const LIST_UPSTREAM = {
  FSConnector: "list() returns the file stems, with '/' replaced by '-SEP-', not key.to_string()",
  RedisConnector: "list() is `pass`, so it returns None",
} as const;

/**
 * True when LMCache can send `spec` with this run's `save_chunk_meta`: always with chunk meta;
 * without it only full or partial KV chunks of the model's shape (LMCache reads them back by
 * `reshape_partial_chunk(memory_obj, bytes_read)`, which refuses any other size).
 */
export function lmcacheSends(spec: PayloadSpec, saveChunkMeta: boolean): boolean {
  if (saveChunkMeta) return true;
  const [two, layers, tokens, hidden] = spec.shape;
  return (
    spec.shape.length === 4 && two === 2 && layers === LAYERS && hidden === HIDDEN && spec.dtype === "bfloat16" &&
    spec.fmt === MemoryFormat.KV_2LTD && tokens !== undefined && tokens >= 1 && tokens <= CHUNK_TOKENS
  );
}

/** Skips (not-applicable) a payload LMCache never sends with this run's `save_chunk_meta`. */
export function requireLMCacheSends(ctx: CaseContext, spec: PayloadSpec, what: string): void {
  if (!lmcacheSends(spec, ctx.saveChunkMeta)) {
    ctx.skip(
      "not-applicable",
      `save_chunk_meta is false: LMCache then puts only full or partial KV chunks of the model's shape, never ${what} (without the header it could not read one back: reshape_partial_chunk refuses its size)`,
    );
  }
}

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
