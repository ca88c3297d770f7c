/** C6.1: last write wins. */
import { defineCases, expectStored, LIST_IS_ADVISORY, LIST_UPSTREAM, listOwn, putPayload, SPECS } from "./common";

export default defineCases([
  {
    id: "overwrite.last-write-wins",
    category: "overwrite",
    title: "A second put() of the same key replaces the first",
    explanation:
      "LMCache re-puts a key when the chunk was evicted remotely or recomputed, and with a different shape when a partial chunk later becomes full; RemoteBackend only deduplicates puts that are in flight at the same time. After put(k, v1) then put(k, v2), get(k) must return v2 (bytes and shape). Advisory: list() still shows k once (RemoteBackend never calls list()).",
    basis: "required: RemoteBackend re-puts evicted or recomputed chunks and get_blocking must then read the new bytes; the list() part is advisory",
    lmcacheToo: LIST_UPSTREAM,
    methods: ["put", "get", "list"],
    async run(ctx) {
      const key = ctx.key(1);
      await putPayload(ctx, key, SPECS.small, 1);
      await putPayload(ctx, key, SPECS.partialChunk, 2);
      await expectStored(ctx, key, SPECS.partialChunk, 2, "get() after overwrite");
      await ctx.advisory(LIST_IS_ADVISORY, async () => {
        const listed = await listOwn(ctx);
        ctx.equal(listed.filter((s) => s === key.toString()).length, 1, "list() entries for the overwritten key", "list");
      });
    },
  },
]);
