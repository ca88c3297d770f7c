/** C4: real bytes survive put → get at several sizes, with shape, dtype and format. */
import type { MemoryObj } from "../../memory/memory-obj";
import { MemoryFormat } from "../../memory/memory-format";
import { releaseOnce } from "../context";
import type { PayloadSpec } from "../payload";
import { describeObj, describeSpec, specBytes } from "../payload";
import { describeError } from "../recording-proxy";
import { DeadlineExceeded } from "../timeouts";
import type { ConformanceCase } from "../types";
import type { UpstreamPort } from "../types";
import { defineCases, expectStored, putPayload, requireLMCacheSends, SPECS } from "./common";

/** `[0, 8, 128] float16`: zero bytes, but a shape and dtype that must still come back as put. */
const ZERO_BYTES: PayloadSpec = { shape: [0, 8, 128], dtype: "float16", fmt: MemoryFormat.KV_2TD };

/**
 * C4.2, zero bytes. LMCache's TensorMemoryAllocator has no "size > 0" guard (contract §5.3: the
 * size is `prod(shape) * itemsize`, aligned up, so 0 stays 0) and neither has this runtime's
 * allocator (it returns a zero-size object), so a 0-byte object can reach `put`. The contract
 * does not say a connector must store it, so either outcome is conformant (the kit's rule):
 * a round trip, or a put that rejects with a clear error; a silent wrong answer is not.
 */
const zeroBytes: ConformanceCase = {
  id: "roundtrip.zero-bytes",
  category: "roundtrip",
  title: "0-byte object: round trips, or put rejects clearly",
  explanation:
    `Puts ${describeSpec(ZERO_BYTES)} (0 bytes). LMCache's TensorMemoryAllocator does not refuse a zero-size allocation (prod(shape) * itemsize = 0, aligned to 0), so such an object can reach put(). ` +
    "Either outcome is accepted: put() resolves, exists() turns true and get() returns an object of size 0 with the same shape, dtype and format; or put() rejects with a clear error and the key stays a miss. " +
    "What fails is a silent wrong answer: exists() true while get() returns null (RemoteBackend.contains() says hit, get_blocking then misses — the classic `if not data: return None` on an empty payload), or get() returning a non-empty or reshaped object. " +
    "Skipped (not applicable) with save_chunk_meta false: LMCache then only puts KV chunks of the model's shape.",
  basis: "required: RemoteBackend.contains() and get_blocking() must agree on every object that can reach put() (a hit that reads back as a miss is a wrong lookup)",
  methods: ["get", "put", "exists"],
  async run(ctx) {
    requireLMCacheSends(ctx, ZERO_BYTES, "a 0-byte object");
    const key = ctx.key(1);
    const obj = ctx.ownedPayload(ZERO_BYTES, 1);
    const putError = await ctx.callForError("put", () => ctx.connector.put(key, obj));
    if (putError instanceof DeadlineExceeded) ctx.fail("put() of a 0-byte object hung", { expected: "resolve or reject promptly", actual: describeError(putError), method: "put" });
    const exists = await ctx.call("exists", () => ctx.connector.exists(key));
    const got: MemoryObj | null = await ctx.call("get", () => ctx.connector.get(key));
    try {
      if (putError !== null) {
        if (!(putError instanceof Error) || putError.message.trim() === "") {
          ctx.fail("put() of a 0-byte object rejected without a clear error", { expected: "an Error with a message", actual: describeError(putError), method: "put" });
        }
        if (exists !== false || got !== null) {
          ctx.fail("put() of a 0-byte object rejected, yet the key reads as stored", {
            expected: "exists() false and get() null after a rejected put",
            actual: `exists() ${String(exists)}, get() ${describeObj(got)}`,
            method: exists !== false ? "exists" : "get",
          });
        }
        return;
      }
      if (exists !== true) ctx.fail("put() of a 0-byte object resolved but exists() is not true", { expected: "true", actual: String(exists), method: "exists" });
      if (got === null) {
        ctx.fail("exists() is true for a 0-byte object but get() returns null (an empty payload read as a miss)", {
          expected: `${describeSpec(ZERO_BYTES)}, 0 B`,
          actual: "null",
          method: "get",
        });
      }
      if (typeof got?.getSize === "function" && got.getSize() !== 0) {
        ctx.fail("get() of a 0-byte object returned a non-empty object", { expected: `${describeSpec(ZERO_BYTES)}, 0 B`, actual: describeObj(got), method: "get" });
      }
      ctx.expectPayload(got, ZERO_BYTES, 1, "get() of a 0-byte object");
    } finally {
      if (got && typeof got.isValid === "function") releaseOnce(got);
    }
  },
};

/** What LMCache sends in each round-trip case, and whether it needs `save_chunk_meta`. */
interface RoundTripInfo {
  /** "a 1-byte object": shown in the not-applicable skip when `save_chunk_meta` is false. */
  what: string;
  lmcacheToo?: Partial<Record<UpstreamPort, string>>;
}

function roundTrip(name: string, title: string, spec: PayloadSpec, why: string, info: RoundTripInfo, capacityBytes?: number): ConformanceCase {
  return {
    id: `roundtrip.${name}`,
    category: "roundtrip",
    title,
    explanation:
      `Puts ${describeSpec(spec)} (${specBytes(spec)} bytes of seeded pseudo-random data), checks exists() turns true, then get() must return an object with the same shape, dtype and memory format and identical bytes. ` +
      `This is LMCache's own connector test (tests/v1/test_connector.py: exists False → put → exists True → check_mem_obj_equal) and the RemoteBackend health self-test (put → contains → get with byte equality); ${why}`,
    basis:
      "required: LMCache's connector test and RemoteBackendHealthCheck's put → contains → get self-test assert exactly this round trip; with save_chunk_meta false only model-shaped KV chunks are sent (others are skipped as not applicable)",
    lmcacheToo: info.lmcacheToo,
    methods: ["put", "get", "exists"],
    capacityBytes,
    async run(ctx) {
      requireLMCacheSends(ctx, spec, info.what);
      const key = ctx.key(1);
      ctx.equal(await ctx.call("exists", () => ctx.connector.exists(key)), false, "exists() before put should be false", "exists");
      await putPayload(ctx, key, spec, 1);
      ctx.equal(await ctx.call("exists", () => ctx.connector.exists(key)), true, "exists() after put should be true", "exists");
      await expectStored(ctx, key, spec, 1, "get() after put");
    },
  };
}

export default defineCases([
  zeroBytes,
  roundTrip(
    "one-byte",
    "1-byte object round trip",
    SPECS.oneByte,
    "a 1-byte BINARY object (what a serde such as cachegen hands to put) catches off-by-one framing and empty-payload shortcuts. LMCache's own connectors fail it: RemoteMetadata stores a 1-D shape padded to four dims, [1, 0, 0, 0], and reading it back allocates a 0-element object.",
    {
      what: "a 1-byte BINARY object",
      lmcacheToo: {
        FSConnector: "the header's shape [1] is padded to [1, 0, 0, 0], so get() allocates a 0-element object and the byte is lost",
        RedisConnector: "the metadata's shape [1] comes back as [1, 0, 0, 0]; the 0-element allocation cannot take the stored byte (memoryview assignment fails)",
      },
    },
  ),
  roundTrip("4kib", "4 KiB object round trip", SPECS.fourKiB, "4 KiB is one allocator page (ALIGN_BYTES = 4096), where logical and physical sizes coincide.", { what: "a KV_2TD float16 object" }),
  roundTrip(
    "odd-size",
    "Non-power-of-two object round trip (float64)",
    SPECS.oddSize,
    "840 bytes is shorter than its 4096-byte physical allocation, so a connector that writes getPhysicalSize() bytes or a whole page instead of getSize() fails.",
    { what: "an 840-byte float64 object" },
  ),
  roundTrip("full-chunk", "Full KV chunk round trip", SPECS.fullChunk, "a full chunk (full_chunk_size_bytes) is what the cache engine stores for every complete 256-token chunk.", { what: "a full chunk" }),
  roundTrip(
    "partial-chunk",
    "Partial KV chunk round trip",
    SPECS.partialChunk,
    "the last chunk of a prompt is partial (save_unfull_chunk); its token dimension must come back as stored (LMCache's reshape_partial_chunk path when chunk meta is not saved).",
    { what: "a partial chunk" },
  ),
  roundTrip(
    "large",
    "8 MiB object round trip",
    SPECS.large,
    "objects of several MiB are routine for large models and catch size limits, truncation and chunked-transfer bugs.",
    { what: "an 8 MiB object larger than one chunk of the model" },
    40 * 1024 * 1024,
  ),
]);
