/** C5: a missing key is a value (null / false), never an exception. */
import { defineCases, expectMiss, putPayload, SPECS } from "./common";

export default defineCases([
  {
    id: "miss.get-returns-null",
    category: "miss",
    title: "get() of a missing key resolves to null",
    explanation:
      "RemoteConnector.get's contract is 'None if the key does not exist', and RemoteBackend.get_blocking treats None as a plain miss; an exception is logged as a WARNING and counted as a failed remote get, which feeds the health check's failure threshold and can mark the backend unhealthy. Misses are the common case of a cache, so get() must resolve to null without throwing.",
    basis: "required: RemoteConnector.get's contract is 'None if the key does not exist'; RemoteBackend counts an exception as a failed remote get (health threshold)",
    methods: ["get"],
    async run(ctx) {
      await putPayload(ctx, ctx.key(1), SPECS.small, 1);
      await expectMiss(ctx, ctx.key(2), "missing key");
      await expectMiss(ctx, ctx.key(3, { model: "never/stored" }), "missing key of another model");
    },
  },
  {
    id: "miss.exists-false",
    category: "miss",
    title: "exists() and existsSync() of a missing key are false",
    explanation:
      "The lookup path asks contains() for every chunk of every request; RemoteBackend.contains turns an exception into False but logs a WARNING each time, and tests/v1/test_connector.py asserts exists(random_key) is False before any put. Both the async and the sync form must answer false for a key that was never stored, without throwing; existsSync() must answer synchronously (LMCache calls exists_sync directly and uses the result as a boolean).",
    basis: "required: every lookup goes through contains() (exists or exists_sync); tests/v1/test_connector.py asserts exists(random_key) is False",
    methods: ["exists", "existsSync"],
    async run(ctx) {
      await putPayload(ctx, ctx.key(1), SPECS.small, 1);
      const missing = ctx.key(2);
      ctx.equal(await ctx.call("exists", () => ctx.connector.exists(missing)), false, "exists() of a missing key", "exists");
      ctx.equal(ctx.existsSyncNow(missing), false, "existsSync() of a missing key", "existsSync");
    },
  },
]);
