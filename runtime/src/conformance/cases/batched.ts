/** C11: batched operations, their prefix semantics, and honest support*() flags. */
import type { MemoryObj } from "../../memory/memory-obj";
import { CAPABILITIES, releaseOnce, type CapabilityFlag } from "../context";
import type { CaseContext } from "../context";
import { describeError } from "../recording-proxy";
import { describeObj } from "../payload";
import { defineCases, expectStored, putPayload, SPECS } from "./common";

/** Stores keys 1, 2 and 4 (3 is a miss) and returns [k1, k2, k3, k4]. */
async function hitHitMissHit(ctx: CaseContext) {
  const keys = [ctx.key(1), ctx.key(2), ctx.key(3), ctx.key(4)];
  await putPayload(ctx, keys[0]!, SPECS.small, 1);
  await putPayload(ctx, keys[1]!, SPECS.small, 2);
  await putPayload(ctx, keys[3]!, SPECS.small, 4);
  return keys;
}

function isNotImplemented(err: unknown): boolean {
  return (err as Error | null)?.name === "NotImplementedError";
}

export default defineCases([
  {
    id: "batched.capability-honesty",
    category: "batched",
    title: "Every support*() flag that says yes is backed by a working method",
    explanation:
      "LMCache decides which path to take from the support_*() predicates alone: RemoteBackend calls batched_get when support_batched_get() is true, batched_put when support_batched_put() is true (and the Instrumented wrapper only logs a failing batched_put — the data is silently lost), batched_contains, batched_async_contains and batched_get_non_blocking likewise, and ping() from the health check. A flag that says yes while the method still raises the base NotImplementedError breaks that path; each declared method is called once on a stored key and must work.",
    basis: "required: RemoteBackend picks batched_get, batched_put, batched_contains, batched_async_contains, batched_get_non_blocking and ping from the support_*() flags alone",
    methods: Object.values(CAPABILITIES),
    async run(ctx) {
      const declared = (Object.keys(CAPABILITIES) as CapabilityFlag[]).filter((f) => ctx.capability(f));
      if (declared.length === 0) ctx.skip("capability-not-declared", "every support*() flag returned false");
      const inner = ctx.recorder.wrap(ctx.connector.getWrappedConnector());
      const hit = ctx.key(1);
      await putPayload(ctx, hit, SPECS.small, 1);
      for (const flag of declared) {
        const method = CAPABILITIES[flag];
        let result: unknown;
        try {
          switch (method) {
            case "ping":
              result = await ctx.call("ping", () => inner.ping());
              break;
            case "batchedGet":
              result = await ctx.call("batchedGet", () => inner.batchedGet([hit]));
              for (const o of (result as (MemoryObj | null)[]) ?? []) releaseOnce(o);
              break;
            case "batchedPut": {
              const key = ctx.key(2);
              const obj = ctx.payload(SPECS.small, 2);
              try {
                // Called on the inner connector: the wrapper would swallow NotImplementedError.
                result = await ctx.call("batchedPut", () => inner.batchedPut([key], [obj]));
              } finally {
                releaseOnce(obj); // the wrapper's release, done by hand
              }
              ctx.equal(await ctx.call("exists", () => ctx.connector.exists(key)), true, "supportBatchedPut() is true but batchedPut stored nothing", "batchedPut");
              break;
            }
            case "batchedContains":
              result = await ctx.call("batchedContains", () => inner.batchedContains([hit]));
              break;
            case "batchedAsyncContains":
              result = await ctx.call("batchedAsyncContains", () => inner.batchedAsyncContains("conformance-honesty", [hit]));
              break;
            case "batchedGetNonBlocking":
              result = await ctx.call("batchedGetNonBlocking", () => inner.batchedGetNonBlocking("conformance-honesty", [hit]));
              for (const o of (result as MemoryObj[]) ?? []) releaseOnce(o);
              break;
          }
        } catch (err) {
          const cause = (err as { actual?: string }).actual ?? describeError(err);
          if (isNotImplemented((err as { cause?: unknown }).cause) || /NotImplementedError/.test(cause)) {
            ctx.fail(`${flag}() returns true but ${method}() raises NotImplementedError`, { expected: `a working ${method}()`, actual: cause, method });
          }
          throw err;
        }
        void result;
      }
    },
  },
  {
    id: "batched.get-order",
    category: "batched",
    title: "batchedGet keeps input order, one slot per key",
    explanation:
      "With support_batched_get(), RemoteBackend.batched_get_blocking makes ONE batched_get(keys) call and uses the list as is: it must have one entry per key, in input order, each equal to what get() returns for that key (None for a miss). Hits before the first miss must be present; a hit after a miss may be returned or null (LMCache stops at the first miss, and issue #2017 / PR #2544 show such late hits leak unless released, which the suite does here). An empty batch returns an empty list.",
    basis: "required: batched_get_blocking uses the batched_get list positionally and asserts len(objs) == len(keys)",
    methods: ["batchedGet"],
    async run(ctx) {
      ctx.requireCapability("supportBatchedGet");
      const keys = await hitHitMissHit(ctx);
      const got = await ctx.call("batchedGet", () => ctx.connector.batchedGet(keys));
      try {
        if (!Array.isArray(got) || got.length !== keys.length) {
          ctx.fail("batchedGet() must return one entry per key", { expected: `${keys.length} entries`, actual: Array.isArray(got) ? `${got.length} entries` : String(got), method: "batchedGet" });
        }
        ctx.expectPayload(got[0], SPECS.small, 1, "batchedGet()[0]", "batchedGet");
        ctx.expectPayload(got[1], SPECS.small, 2, "batchedGet()[1]", "batchedGet");
        if (got[2] !== null) ctx.fail("batchedGet()[2] is a miss and must be null", { expected: "null", actual: describeObj(got[2]), method: "batchedGet" });
        if (got[3] !== null) ctx.expectPayload(got[3], SPECS.small, 4, "batchedGet()[3]", "batchedGet");
      } finally {
        if (Array.isArray(got)) for (const o of got) if (o && typeof o.isValid === "function") releaseOnce(o);
      }
      const empty = await ctx.call("batchedGet", () => ctx.connector.batchedGet([]));
      if (!Array.isArray(empty) || empty.length !== 0) ctx.fail("batchedGet([]) must return []", { expected: "[]", actual: String(empty), method: "batchedGet" });
    },
  },
  {
    id: "batched.put",
    category: "batched",
    title: "batchedPut stores every object and leaves the caller's references alone",
    explanation:
      "With support_batched_put(), RemoteBackend.batched_submit_put_task up-refs each object and hands the list to batched_put; the Instrumented wrapper releases every object once afterwards and only LOGS a failure. So batched_put must behave like sequential puts (each key readable with its own bytes) and must not release the objects itself: each caller reference must be intact afterwards.",
    basis: "required: with support_batched_put() RemoteBackend stores exclusively through batched_put, and the wrapper releases each object once afterwards",
    methods: ["batchedPut"],
    async run(ctx) {
      ctx.requireCapability("supportBatchedPut");
      const keys = [ctx.key(1), ctx.key(2), ctx.key(3)];
      const objs = keys.map((_, i) => ctx.ownedPayload(SPECS.small, i + 1));
      await ctx.call("batchedPut", () => ctx.connector.batchedPut(keys, objs));
      for (const [i, obj] of objs.entries()) {
        ctx.equal(obj.isValid() ? obj.getRefCount() : 0, 1, `caller's reference count of object ${i} after batchedPut`, "batchedPut");
      }
      for (const [i, key] of keys.entries()) await expectStored(ctx, key, SPECS.small, i + 1, `get(${key.toString()}) after batchedPut`);
    },
  },
  {
    id: "batched.contains-prefix",
    category: "batched",
    title: "batchedContains returns the hit-prefix count",
    explanation:
      "Era B/C batched_contains(keys) -> int is called synchronously by RemoteBackend.batched_contains and must return the length of the leading run of hits: the lookup only loads a prefix of chunks, so [hit, hit, miss, hit] is 2, a leading miss is 0 and an empty list is 0.",
    basis: "required: RemoteBackend.batched_contains returns the connector's count as the number of prefix chunks to load",
    methods: ["batchedContains"],
    async run(ctx) {
      ctx.requireCapability("supportBatchedContains");
      const keys = await hitHitMissHit(ctx);
      ctx.equal(await ctx.call("batchedContains", () => ctx.connector.batchedContains(keys)), 2, "batchedContains([hit, hit, miss, hit])", "batchedContains");
      ctx.equal(await ctx.call("batchedContains", () => ctx.connector.batchedContains([keys[0]!, keys[1]!])), 2, "batchedContains([hit, hit])", "batchedContains");
      ctx.equal(await ctx.call("batchedContains", () => ctx.connector.batchedContains([keys[2]!, keys[0]!])), 0, "batchedContains([miss, hit])", "batchedContains");
      ctx.equal(await ctx.call("batchedContains", () => ctx.connector.batchedContains([])), 0, "batchedContains([])", "batchedContains");
    },
  },
  {
    id: "batched.async-contains-prefix",
    category: "batched",
    title: "batchedAsyncContains returns the hit-prefix count",
    explanation:
      "batched_async_contains(lookup_id, keys, pin) is what async lookups use (RemoteBackend waits for it with blocking_timeout_secs); LMCache's Era B/C base gathers exists() for all keys and returns the index of the first False. [hit, hit, miss, hit] must give 2, [miss, hit] 0 and [] 0.",
    basis: "required: async lookups use batched_async_contains' count as the hit prefix",
    methods: ["batchedAsyncContains"],
    async run(ctx) {
      ctx.requireCapability("supportBatchedAsyncContains");
      const keys = await hitHitMissHit(ctx);
      const c = ctx.connector;
      ctx.equal(await ctx.call("batchedAsyncContains", () => c.batchedAsyncContains("conformance-1", keys)), 2, "batchedAsyncContains([hit, hit, miss, hit])", "batchedAsyncContains");
      ctx.equal(await ctx.call("batchedAsyncContains", () => c.batchedAsyncContains("conformance-2", [keys[2]!, keys[0]!])), 0, "batchedAsyncContains([miss, hit])", "batchedAsyncContains");
      ctx.equal(await ctx.call("batchedAsyncContains", () => c.batchedAsyncContains("conformance-3", [])), 0, "batchedAsyncContains([])", "batchedAsyncContains");
    },
  },
  {
    id: "batched.get-non-blocking-prefix",
    category: "batched",
    title: "batchedGetNonBlocking returns only the consecutive prefix of hits, leaking nothing",
    explanation:
      "LMCache's Era B/C batched_get_non_blocking gathers get() for all keys and returns ONLY the consecutive prefix of successful objects, releasing every object fetched after the first miss 'to avoid leaks'; the async loader maps the returned list positionally onto the first chunks. [hit, hit, miss, hit] must give exactly [v1, v2], and once those are released the allocator must be back where it started.",
    basis: "required: LMCache's async loader (RemoteBackend.batched_get_non_blocking) maps the returned list positionally onto the first chunks, so anything but the hit prefix loads the wrong KV",
    lmcacheToo: { RedisConnector: "batched_get_non_blocking gathers every get and returns all hits with the misses dropped, not the prefix up to the first miss" },
    methods: ["batchedGetNonBlocking"],
    async run(ctx) {
      ctx.requireCapability("supportBatchedGetNonBlocking");
      const keys = await hitHitMissHit(ctx);
      const before = ctx.stats();
      const got = await ctx.call("batchedGetNonBlocking", () => ctx.connector.batchedGetNonBlocking("conformance-nb", keys));
      try {
        if (!Array.isArray(got) || got.length !== 2) {
          ctx.fail("batchedGetNonBlocking([hit, hit, miss, hit]) must return exactly the 2-object prefix", {
            expected: "2 objects",
            actual: Array.isArray(got) ? `${got.length}: [${got.map((o) => describeObj(o)).join(", ")}]` : String(got),
            method: "batchedGetNonBlocking",
          });
        }
        ctx.expectPayload(got[0], SPECS.small, 1, "batchedGetNonBlocking()[0]", "batchedGetNonBlocking");
        ctx.expectPayload(got[1], SPECS.small, 2, "batchedGetNonBlocking()[1]", "batchedGetNonBlocking");
      } finally {
        if (Array.isArray(got)) for (const o of got) if (o && typeof o.isValid === "function") releaseOnce(o);
      }
      const after = ctx.stats();
      ctx.equal(after.liveObjects, before.liveObjects, "live allocator objects after releasing the returned prefix", "batchedGetNonBlocking");
    },
  },
]);
