/** existsSync agrees with exists. */
import { defineCases, putPayload, SPECS } from "./common";

export default defineCases([
  {
    id: "exists.sync-agrees",
    category: "exists",
    title: "existsSync() agrees with exists() on hits and misses",
    explanation:
      "RemoteBackend.contains calls connection.exists_sync(key) on the caller's thread when extra_config.use_exists_sync is set, and the async exists(key) otherwise; the same deployment can flip between them with one config key. Both must give the same boolean for the same key — hits and misses alike — or the cache hit rate depends on a config flag. existsSync() is called without awaiting: an async existsSync returns a Promise, which LMCache (like Python with a coroutine) takes as true for every key.",
    basis: "required: RemoteBackend.contains() calls exists_sync directly when extra_config.use_exists_sync is set, exists otherwise",
    methods: ["existsSync", "exists"],
    async run(ctx) {
      const keys = [ctx.key(1), ctx.key(2), ctx.key(3), ctx.key(4)];
      await putPayload(ctx, keys[0]!, SPECS.small, 1);
      await putPayload(ctx, keys[2]!, SPECS.small, 3);
      for (const key of keys) {
        const asyncAnswer = await ctx.call("exists", () => ctx.connector.exists(key));
        const syncAnswer = ctx.existsSyncNow(key); // as LMCache calls it: directly, the value used as is
        ctx.equal(syncAnswer, asyncAnswer, `existsSync(${key.toString()}) disagrees with exists()`, "existsSync");
      }
    },
  },
]);
