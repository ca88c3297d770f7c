/** C1: construction, post-init, close, and calls after close. */
import { DeadlineExceeded } from "../timeouts";
import { describeError } from "../recording-proxy";
import { defineCases, SPECS } from "./common";

const ABSTRACT = ["exists", "existsSync", "get", "put", "list", "close"] as const;

export default defineCases([
  {
    id: "lifecycle.construct",
    category: "lifecycle",
    title: "Constructs from the URL and postInit() is harmless",
    explanation:
      "The connector is built exactly as LMCache builds it: CreateConnector(url, …) finds the adapter, constructs the class with {loop, localCpuBackend, config} and wraps it in InstrumentedRemoteConnector. The wrapped connector must implement the six abstract methods (Python's ABC refuses to instantiate otherwise), and postInit() must not throw: Era A's ConnectorManager called it right after construction, newer LMCache never does, so it may be called or not.",
    methods: ["constructor", "postInit"],
    async run(ctx) {
      const inner = ctx.connector.getWrappedConnector() as unknown as Record<string, unknown>;
      for (const name of ABSTRACT) {
        if (typeof inner[name] !== "function") ctx.fail(`the connector has no ${name}() method`, { expected: "a function", actual: typeof inner[name], method: name });
      }
      if (typeof inner.postInit === "function") await ctx.call("postInit", () => (inner.postInit as () => unknown).call(inner));
      const repr = String(ctx.connector.getWrappedConnector());
      if (repr.length === 0) ctx.fail("the connector's repr (toString) is empty", { expected: "<ClassName>", actual: "''", method: "toString" });
    },
  },
  {
    id: "lifecycle.close-twice",
    category: "lifecycle",
    title: "close() resolves, and a second close() is harmless",
    explanation:
      "RemoteBackend.close() runs connection.close() on the loop and only logs errors, and LMCache closes backends during shutdown, health-check fallbacks and reconnects, so close() can be reached twice. It must resolve within the op deadline both times; a close() that throws or hangs the second time turns an ordinary shutdown into an error path.",
    methods: ["close"],
    async run(ctx) {
      await ctx.call("close", () => ctx.connector.close());
      await ctx.call("close", () => ctx.connector.close());
    },
  },
  {
    id: "lifecycle.ops-after-close",
    category: "lifecycle",
    title: "Calls after close() fail cleanly (reject or throw, never hang)",
    explanation:
      "After close() the connection is gone; LMCache's RemoteBackend wraps every call in try/except and turns an exception into a miss (None/False), but a call that hangs blocks its caller (contains() waits with no timeout at all). So exists, get, put and list after close() must reject or throw promptly — not silently succeed against released resources and not hang.",
    methods: ["exists", "get", "put", "list"],
    async run(ctx) {
      const key = ctx.key(1);
      const obj = ctx.ownedPayload(SPECS.small, 1);
      await ctx.call("close", () => ctx.connector.close());
      const attempts: [string, () => unknown][] = [
        ["exists", () => ctx.connector.exists(key)],
        ["get", () => ctx.connector.get(key)],
        ["put", () => ctx.connector.put(key, obj)],
        ["list", () => ctx.connector.list()],
      ];
      for (const [method, fn] of attempts) {
        const err = await ctx.callForError(method, fn);
        if (err === null) ctx.fail(`${method}() after close() succeeded`, { expected: "a rejection or throw", actual: "resolved normally", method });
        if (err instanceof DeadlineExceeded) ctx.fail(`${method}() after close() hung`, { expected: "a prompt rejection", actual: describeError(err), method });
      }
    },
  },
]);
