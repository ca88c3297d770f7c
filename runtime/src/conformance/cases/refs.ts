/** C4.5 and LMCache's ref-count duties (§2.4): who holds which reference, and nothing leaks. */
import { releaseOnce } from "../context";
import { defineCases, putPayload, SPECS } from "./common";

export default defineCases([
  {
    id: "refs.put-keeps-caller-ref",
    category: "refs",
    title: "put() does not release the caller's reference (the wrapper does)",
    explanation:
      "Exactly LMCache's test (tests/v1/test_connector.py): allocate (ref 1), ref_count_up() (ref 2), await put through CreateConnector's InstrumentedRemoteConnector, then get_ref_count() == 1. Since PR #650 the wrapper releases the in-flight put's reference in a finally; a connector that also calls ref_count_down() double-frees ('Ref count … is negative … Double free', issue #1365) and hands the buffer back to the allocator while the engine still uses it.",
    basis: "required: exactly LMCache's tests/v1/test_connector.py (get_ref_count() == 1 after a wrapped put); a second release double-frees (issue #1365)",
    methods: ["put"],
    async run(ctx) {
      const before = ctx.stats().doubleFrees;
      const obj = await putPayload(ctx, ctx.key(1), SPECS.small, 1);
      ctx.equal(obj.isValid() ? obj.getRefCount() : 0, 1, "caller's reference count after put (LMCache asserts 1)", "put");
      ctx.equal(ctx.stats().doubleFrees, before, "double frees during put", "put");
    },
  },
  {
    id: "refs.get-fresh-object",
    category: "refs",
    title: "get() returns a fresh allocation with reference count 1",
    explanation:
      "LMCache requires get() to allocate the destination from local_cpu_backend.allocate(...) (a new object, ref 1) and hand it over; the cache engine releases it after the GPU transfer (maintainer comment in PR #2259). Returning the put object itself, an object with extra references, or memory overlapping another live object corrupts the hot cache when the engine releases or overwrites it. Releasing the returned object once must free it.",
    basis: "required: the cache engine releases get()'s object after the GPU transfer (PR #2259), so it must be a fresh allocation of its own",
    methods: ["get"],
    async run(ctx) {
      const key = ctx.key(1);
      const put = await putPayload(ctx, key, SPECS.small, 1);
      const got = ctx.expectPayload(await ctx.call("get", () => ctx.connector.get(key)), SPECS.small, 1, "get() after put");
      if (got === put) ctx.fail("get() returned the very object that was put", { expected: "a new MemoryObj", actual: "the put object", method: "get" });
      const a = got.byteArray;
      const b = put.byteArray;
      if (a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.length && b.byteOffset < a.byteOffset + a.length) {
        ctx.fail("get()'s object shares memory with the put object", { expected: "its own allocation", actual: `overlapping bytes at offset ${a.byteOffset}`, method: "get" });
      }
      ctx.equal(got.getRefCount(), 1, "reference count of the object get() returned", "get");
      const live = ctx.stats().liveObjects;
      got.refCountDown();
      ctx.equal(got.isValid(), false, "the object get() returned should be freed by the caller's one release", "get");
      ctx.equal(ctx.stats().liveObjects, live - 1, "live allocator objects after releasing get()'s object", "get");
    },
  },
  {
    id: "refs.no-leak-on-miss",
    category: "refs",
    title: "Misses leave nothing allocated behind",
    explanation:
      "LMCache expects that if a connector allocates before it knows whether the key exists, it must release that allocation itself before returning None (PR #1656's FS connector leak fix, PR #2259's S3 fix: 'when returning None, the connector must release'). A leak per miss exhausts the LocalCPUBackend in production, because misses are the majority of lookups. Allocator live objects and used bytes must be unchanged after repeated get/exists misses.",
    basis: "required: in LMCache a connector that returns None must release what it allocated (PR #1656, PR #2259); misses dominate lookups",
    methods: ["get"],
    async run(ctx) {
      await putPayload(ctx, ctx.key(1), SPECS.small, 1);
      const before = ctx.stats();
      for (let i = 0; i < 3; i++) {
        const got = await ctx.call("get", () => ctx.connector.get(ctx.key(100 + i)));
        if (got) releaseOnce(got);
        await ctx.call("exists", () => ctx.connector.exists(ctx.key(100 + i)));
      }
      const after = ctx.stats();
      if (after.liveObjects !== before.liveObjects || after.usedBytes !== before.usedBytes) {
        ctx.fail("get() misses left allocations behind", {
          expected: `${before.liveObjects} live objects, ${before.usedBytes} B used`,
          actual: `${after.liveObjects} live objects, ${after.usedBytes} B used`,
          method: "get",
        });
      }
    },
  },
  {
    id: "refs.no-leak-on-hit",
    category: "refs",
    title: "A get() hit allocates exactly the object it returns",
    explanation:
      "LMCache's cache engine releases exactly the object get() returned; any scratch allocation a connector makes on the way (a staging buffer, a header read) must be released inside get(). After releasing the returned object the allocator must be back to where it was before the get.",
    basis: "required: the engine releases exactly the object get() returned; scratch allocations would leak per hit",
    methods: ["get"],
    async run(ctx) {
      const key = ctx.key(1);
      await putPayload(ctx, key, SPECS.small, 1);
      const before = ctx.stats();
      const got = ctx.expectPayload(await ctx.call("get", () => ctx.connector.get(key)), SPECS.small, 1, "get() after put");
      releaseOnce(got);
      const after = ctx.stats();
      ctx.equal(after.liveObjects, before.liveObjects, "live allocator objects after get() + release", "get");
    },
  },
]);
