/** existsSync agrees with exists. */
import { defineCases, putPayload, SPECS } from "./common";

export default defineCases([
  {
    id: "exists.sync-agrees",
    category: "exists",
    title: "existsSync() agrees with exists() on hits and misses",
    explanation:
      "RemoteBackend.contains calls connection.exists_sync(key) on the caller's thread when extra_config.use_exists_sync is set, and the async exists(key) otherwise; the same deployment can flip between them with one config key. Both must give the same boolean for the same key — hits and misses alike — or the cache hit rate depends on a config flag.",
    methods: ["existsSync", "exists"],
    async run(ctx) {
      const keys = [ctx.key(1), ctx.key(2), ctx.key(3), ctx.key(4)];
      await putPayload(ctx, keys[0]!, SPECS.small, 1);
      await putPayload(ctx, keys[2]!, SPECS.small, 3);
      for (const key of keys) {
        const asyncAnswer = await ctx.call("exists", () => ctx.connector.exists(key));
        const syncAnswer = await ctx.call("existsSync", () => ctx.connector.existsSync(key));
        if (typeof syncAnswer !== "boolean") ctx.fail("existsSync() must return a boolean synchronously", { expected: "true or false", actual: String(syncAnswer), method: "existsSync" });
        ctx.equal(syncAnswer, asyncAnswer, `existsSync(${key.toString()}) disagrees with exists()`, "existsSync");
      }
    },
  },
]);
