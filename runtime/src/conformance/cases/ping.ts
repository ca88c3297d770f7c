/** C3.1: the ping contract. */
import { callWithDeadline, LMCACHE_PING_TIMEOUT_MS } from "../timeouts";
import { describeError } from "../recording-proxy";
import { defineCases } from "./common";

export default defineCases([
  {
    id: "ping.healthy",
    category: "ping",
    title: "ping() returns 0 within the ping timeout",
    explanation:
      "When support_ping() is true, LMCache's health monitor calls ping() every ping_interval (30 s) with ping_timeout (5 s): 0 means healthy, any other code unhealthy, a timeout is recorded as -1 and an exception as -2; an unhealthy remote is swapped for a BlackholeConnector (old monitor) or bypassed by the fallback policy (new health check). A healthy connector must answer exactly 0, promptly.",
    basis: "required: the health monitor treats any ping() answer but 0 (and a timeout) as unhealthy and bypasses the remote",
    methods: ["ping"],
    async run(ctx) {
      ctx.requireCapability("supportPing");
      const ms = Math.min(LMCACHE_PING_TIMEOUT_MS, ctx.opDeadlineMs);
      let code: unknown;
      try {
        code = await callWithDeadline(() => ctx.connector.ping(), ms, () => `ping() did not return within ${ms} ms (LMCache records -1)`);
      } catch (err) {
        ctx.fail(`ping() failed: ${describeError(err)}`, { expected: "0", actual: describeError(err), method: "ping" });
      }
      ctx.equal(code, 0, "ping() of a healthy connector (0 = healthy)", "ping");
    },
  },
]);
