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
    basis:
      "required: LMCache's CreateConnector builds every connector this way (ABC instantiation refuses a class missing an abstract method), and Era A's ConnectorManager calls post_init().",
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
    title: "close() settles, and a second close() is harmless",
    explanation:
      "RemoteBackend.close() runs connection.close() on the loop and waits for it with future.result() — no timeout — then only logs an error; LMCache closes backends during shutdown, health-check fallbacks and reconnects, so close() can be reached twice. " +
      "Required: both close() calls settle within the op deadline (a hanging close() hangs LMCache's shutdown). Advisory: that neither throws (LMCache only logs the error, so a throwing close() costs a WARNING, not a failure).",
    basis:
      "required that close() settles: RemoteBackend.close() waits on run_coroutine_threadsafe(connection.close()).result() with no timeout; a throw is advisory, because RemoteBackend.close() catches and logs it",
    methods: ["close"],
    async run(ctx) {
      for (const which of ["first", "second"]) {
        const err = await ctx.callForError("close", () => ctx.connector.close());
        if (err instanceof DeadlineExceeded) ctx.fail(`the ${which} close() never settled`, { expected: `settle within ${ctx.opDeadlineMs} ms`, actual: describeError(err), method: "close" });
        if (err !== null) {
          await ctx.advisory("RemoteBackend.close() catches the exception and only logs it (errors during close are not failures in LMCache)", () =>
            ctx.fail(`the ${which} close() threw ${describeError(err)}`, { expected: "close() to resolve", actual: describeError(err), method: "close" }),
          );
        }
      }
    },
  },
  {
    id: "lifecycle.ops-after-close",
    category: "lifecycle",
    title: "Calls after close() fail cleanly (reject or throw, never hang)",
    explanation:
      "Advisory (good practice LMCache does not rely on): after close() the connection is gone, so exists, get, put and list should reject or throw promptly rather than silently succeed against released resources or hang. " +
      "LMCache never calls a connector after closing it — RemoteBackend.close() is the end of the backend's life — and LMCache's own FSConnector.close() only logs ('Closed the file system connector'), so its calls keep working afterwards.",
    level: "advisory",
    basis: "LMCache never calls a connector after RemoteBackend.close(), and its own FSConnector.close() only logs, so calls after close keep working there",
    lmcacheToo: {
      FSConnector: "close() only logs, so exists/get/put/list keep working after it",
      RedisConnector: "close() closes the client, but list() is `pass` and answers after close",
    },
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
