/** Every core call settles promptly (C3.2 / C10.3). */
import { defineCases, LIST_IS_ADVISORY, putPayload, SPECS } from "./common";

export default defineCases([
  {
    id: "deadline.ops-settle",
    category: "deadline",
    title: "Core calls settle within the per-call deadline",
    explanation:
      "RemoteBackend waits for get/batched get/async contains with blocking_timeout_secs (10 s) and then gives up, but contains() waits with NO timeout, and the health check pings with a 5 s ping_timeout; a call that never settles stalls a worker thread or a request. Each of exists, existsSync, get (hit and miss) and put must settle (and list() should: advisory) within the suite's per-call deadline (half the case timeout, at most 2 s).",
    basis: "required for exists, existsSync, get and put: RemoteBackend waits on them (contains() with no timeout); list() is advisory (RemoteBackend never calls it)",
    methods: ["get", "exists", "put", "list", "existsSync"],
    async run(ctx) {
      const [hit, miss] = [ctx.key(1), ctx.key(2)];
      await putPayload(ctx, hit, SPECS.small, 1);
      await ctx.call("exists", () => ctx.connector.exists(hit));
      await ctx.call("exists", () => ctx.connector.exists(miss));
      await ctx.call("existsSync", () => ctx.connector.existsSync(miss));
      const got = await ctx.call("get", () => ctx.connector.get(hit));
      got?.refCountDown();
      await ctx.call("get", () => ctx.connector.get(miss));
      await ctx.advisory(LIST_IS_ADVISORY, async () => void (await ctx.call("list", () => ctx.connector.list())));
    },
  },
]);
