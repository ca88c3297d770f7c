/** Buffer ownership: with poison-on-free, a connector that keeps views of buffers it does not own fails. */
import { releaseOnce } from "../context";
import { defineCases, expectStored, SPECS } from "./common";

export default defineCases([
  {
    id: "ownership.put-buffer-not-kept",
    category: "ownership",
    title: "put() copies the bytes; it keeps no view of the caller's buffer",
    explanation:
      "After put resolves, the Instrumented wrapper drops the in-flight reference and the engine may free or reuse the buffer at once (base_connector: the connector 'must not keep using the buffer after put returns unless it took its own reference'). Run with the allocator's poison-on-free: the put object is released, its memory poisoned and reused for other bytes; get() must still return the original payload.",
    basis: "required: the Instrumented wrapper drops the in-flight reference when put returns and the engine reuses the buffer",
    methods: ["put"],
    poisonOnFree: true,
    async run(ctx) {
      const key = ctx.key(1);
      const obj = ctx.payload(SPECS.small, 1); // ref 1, owned by the in-flight put only
      await ctx.call("put", () => ctx.connector.put(key, obj));
      const scribble = ctx.payload(SPECS.small, 99); // likely reuses the freed block
      releaseOnce(scribble);
      await expectStored(ctx, key, SPECS.small, 1, "get() after the put buffer was freed and reused");
    },
  },
  {
    id: "ownership.get-result-independent",
    category: "ownership",
    title: "Writing to get()'s object does not change what is stored",
    explanation:
      "LMCache's engine owns the object get() returns: it copies it to the GPU, may write into it (deserialisers decode in place) and then frees it. A connector that hands out its own stored buffer lets those writes and the poisoned free corrupt the stored value; a second get() must still return the original bytes.",
    basis: "required: the engine owns get()'s object, may write into it (in-place deserialisers) and frees it",
    methods: ["get"],
    poisonOnFree: true,
    async run(ctx) {
      const key = ctx.key(1);
      const obj = ctx.payload(SPECS.small, 1);
      await ctx.call("put", () => ctx.connector.put(key, obj));
      const first = ctx.expectPayload(await ctx.call("get", () => ctx.connector.get(key)), SPECS.small, 1, "first get()");
      first.byteArray.fill(0x5a);
      releaseOnce(first);
      await expectStored(ctx, key, SPECS.small, 1, "second get() after the first result was overwritten and freed");
    },
  },
]);
