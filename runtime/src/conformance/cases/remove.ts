/** C5.4/C5.5/C7.3: removeSync really removes, and removing a missing key is not an error. */
import { defineCases, expectMiss, expectStored, LIST_IS_ADVISORY, LIST_UPSTREAM, listOwn, putPayload, SPECS } from "./common";

export default defineCases([
  {
    id: "remove.removes",
    category: "remove",
    title: "After removeSync(k), k is gone from get, exists, existsSync and list",
    explanation:
      "RemoteBackend.remove(key) calls connection.remove_sync(key) synchronously when LMCache evicts or invalidates a chunk; a remove that reports success but leaves the object readable serves stale KV data later. After removeSync(k): get(k) is null, exists(k) and existsSync(k) are false, list() no longer shows k (advisory), and other keys are untouched. A connector that keeps the base NotImplementedError is skipped (RemoteBackend treats it as 'not removed').",
    lmcacheToo: LIST_UPSTREAM,
    basis: "required: RemoteBackend.remove() calls remove_sync() on eviction and invalidation; the list() part is advisory",
    methods: ["removeSync"],
    async run(ctx) {
      const [gone, kept] = [ctx.key(1), ctx.key(2)];
      await putPayload(ctx, gone, SPECS.small, 1);
      await putPayload(ctx, kept, SPECS.small, 2);
      const result = await ctx.removeOrSkip(gone);
      if (result !== true) ctx.fail("removeSync() of a stored key should return true", { expected: "true", actual: String(result), method: "removeSync" });
      await expectMiss(ctx, gone, "get() after removeSync()");
      ctx.equal(await ctx.call("exists", () => ctx.connector.exists(gone)), false, "exists() after removeSync()", "removeSync");
      ctx.equal(ctx.existsSyncNow(gone), false, "existsSync() after removeSync()", "removeSync");
      await ctx.advisory(LIST_IS_ADVISORY, async () => {
        const listed = await listOwn(ctx);
        if (listed.includes(gone.toString())) ctx.fail("list() still shows the removed key", { expected: `no ${gone.toString()}`, actual: JSON.stringify(listed), method: "removeSync" });
      });
      await expectStored(ctx, kept, SPECS.small, 2, "get() of a key that was not removed");
    },
  },
  {
    id: "remove.missing-key",
    category: "remove",
    title: "removeSync() of a missing key returns false",
    explanation:
      "RemoteBackend.remove returns remove_sync's boolean and treats an exception as False with a WARNING; eviction can race with a remote TTL, so removing a missing key is routine. removeSync(missing) must return false (or throw an error that names the key), never report true for something it did not remove.",
    basis: "required: RemoteBackend.remove() returns remove_sync's boolean as 'removed'",
    methods: ["removeSync"],
    async run(ctx) {
      const missing = ctx.key(9);
      let result: unknown;
      try {
        result = ctx.connector.removeSync(missing);
      } catch (err) {
        if ((err as Error)?.name === "NotImplementedError") ctx.skip("capability-not-declared", "removeSync() raises NotImplementedError (LMCache's base default)");
        if (String((err as Error)?.message).includes(missing.toString())) return;
        ctx.fail("removeSync() of a missing key threw without naming the key", { expected: "false", actual: String(err), method: "removeSync" });
      }
      ctx.equal(result, false, "removeSync() of a missing key", "removeSync");
    },
  },
]);
