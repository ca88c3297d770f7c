/** C7: list() shows every stored key string exactly once. */
import { defineCases, LIST_IS_ADVISORY, LIST_UPSTREAM, listOwn, putPayload, SPECS } from "./common";

export default defineCases([
  {
    id: "list.every-key-once",
    category: "list",
    title: "list() returns every stored key's string exactly once",
    explanation:
      "Advisory. list() is 'List all keys in the remote server'; RemoteBackend never calls it, but LMCache's tooling and tests do (the FS test asserts list() == [key.to_string()] for keys without '/'). It should return the key.toString() of every stored key exactly once, nothing of ours before any put, and no invented entries. " +
      "LMCache's own connectors do not: FSConnector lists escaped file stems ('/' → '-SEP-'), RedisConnector's list() is `pass`.",
    level: "advisory",
    basis: LIST_IS_ADVISORY,
    lmcacheToo: LIST_UPSTREAM,
    methods: ["list"],
    async run(ctx) {
      const before = await listOwn(ctx);
      if (before.length > 0) ctx.fail("list() shows keys of this run before anything was put", { expected: "[]", actual: JSON.stringify(before), method: "list" });
      const keys = [1, 2, 3, 4, 5].map((i) => ctx.key(i));
      for (const [i, key] of keys.entries()) await putPayload(ctx, key, SPECS.small, i + 1);
      const listed = await listOwn(ctx);
      const expected = keys.map((k) => k.toString()).sort();
      const actual = [...listed].sort();
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        ctx.fail("list() does not hold each stored key exactly once", { expected: JSON.stringify(expected), actual: JSON.stringify(actual), method: "list" });
      }
    },
  },
]);
