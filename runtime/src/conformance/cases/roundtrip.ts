/** C4: real bytes survive put → get at several sizes, with shape, dtype and format. */
import type { PayloadSpec } from "../payload";
import { describeSpec, specBytes } from "../payload";
import type { ConformanceCase } from "../types";
import { defineCases, expectStored, putPayload, SPECS } from "./common";

function roundTrip(name: string, title: string, spec: PayloadSpec, why: string, capacityBytes?: number): ConformanceCase {
  return {
    id: `roundtrip.${name}`,
    category: "roundtrip",
    title,
    explanation:
      `Puts ${describeSpec(spec)} (${specBytes(spec)} bytes of seeded pseudo-random data), checks exists() turns true, then get() must return an object with the same shape, dtype and memory format and identical bytes. ` +
      `This is LMCache's own connector test (tests/v1/test_connector.py: exists False → put → exists True → check_mem_obj_equal) and the RemoteBackend health self-test (put → contains → get with byte equality); ${why}`,
    methods: ["put", "get", "exists"],
    capacityBytes,
    async run(ctx) {
      const key = ctx.key(1);
      ctx.equal(await ctx.call("exists", () => ctx.connector.exists(key)), false, "exists() before put should be false", "exists");
      await putPayload(ctx, key, spec, 1);
      ctx.equal(await ctx.call("exists", () => ctx.connector.exists(key)), true, "exists() after put should be true", "exists");
      await expectStored(ctx, key, spec, 1, "get() after put");
    },
  };
}

export default defineCases([
  roundTrip("one-byte", "1-byte object round trip", SPECS.oneByte, "a 1-byte object catches off-by-one framing and empty-payload shortcuts."),
  roundTrip("4kib", "4 KiB object round trip", SPECS.fourKiB, "4 KiB is one allocator page (ALIGN_BYTES = 4096), where logical and physical sizes coincide."),
  roundTrip("odd-size", "Non-power-of-two object round trip (float64)", SPECS.oddSize, "840 bytes is shorter than its 4096-byte physical allocation, so a connector that writes getPhysicalSize() bytes or a whole page instead of getSize() fails."),
  roundTrip("full-chunk", "Full KV chunk round trip", SPECS.fullChunk, "a full chunk (full_chunk_size_bytes) is what the cache engine stores for every complete 256-token chunk."),
  roundTrip(
    "partial-chunk",
    "Partial KV chunk round trip",
    SPECS.partialChunk,
    "the last chunk of a prompt is partial (save_unfull_chunk); its token dimension must come back as stored (LMCache's reshape_partial_chunk path when chunk meta is not saved).",
  ),
  roundTrip("large", "8 MiB object round trip", SPECS.large, "objects of several MiB are routine for large models and catch size limits, truncation and chunked-transfer bugs.", 40 * 1024 * 1024),
]);
