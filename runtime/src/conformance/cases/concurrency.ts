/** C10: parallel operations on distinct and on shared keys. */
import type { MemoryObj } from "../../memory/memory-obj";
import { releaseOnce } from "../context";
import { digest, patternBytes, specBytes } from "../payload";
import { defineCases, expectStored, kvChunk, SPECS } from "./common";

export default defineCases([
  {
    id: "concurrency.parallel-distinct",
    category: "concurrency",
    title: "Parallel puts, then parallel gets, of 24 distinct keys",
    explanation:
      "RemoteBackend schedules puts fire-and-forget and batched_get_blocking schedules ALL get coroutines at once, so a connector sees many overlapping calls on one event loop. 24 keys of 8–64 KiB are put concurrently, then read concurrently; every key must return its own bytes (no shared scratch buffers, no lost writes).",
    methods: ["put", "get"],
    capacityBytes: 8 * 1024 * 1024,
    async run(ctx) {
      const keys = Array.from({ length: 24 }, (_, i) => ctx.key(i + 1));
      const specs = keys.map((_, i) => kvChunk(16 + (i % 8) * 16));
      const objs = keys.map((_, i) => ctx.ownedPayload(specs[i]!, i + 1));
      await Promise.all(keys.map((key, i) => ctx.call("put", () => ctx.connector.put(key, objs[i]!))));
      await Promise.all(keys.map((key, i) => expectStored(ctx, key, specs[i]!, i + 1, `parallel get(${key.toString()})`)));
    },
  },
  {
    id: "concurrency.shared-keys",
    category: "concurrency",
    title: "Interleaved put/get/exists on shared keys never return a mix",
    explanation:
      "RemoteBackend only deduplicates a put while the same key is in flight; different workers may put and read the same chunk concurrently. Rounds of overlapping put, get and exists on three shared keys run at once: every get must return null or exactly one of the payloads put to that key (never torn or foreign bytes), and afterwards each key holds one of its payloads.",
    methods: ["put", "get", "exists"],
    capacityBytes: 8 * 1024 * 1024,
    async run(ctx) {
      const spec = SPECS.small;
      const keys = [ctx.key(1), ctx.key(2), ctx.key(3)];
      const written = new Map<number, Set<string>>(keys.map((_, i) => [i, new Set<string>()]));
      const reads: { k: number; seen: string }[] = [];
      const ops: Promise<void>[] = [];
      for (let round = 0; round < 6; round++) {
        const k = round % 3;
        const variant = 10 + round;
        const bytes = patternBytes(specBytes(spec), ctx.seed, variant);
        written.get(k)!.add(digest(bytes));
        const obj = ctx.ownedPayload(spec, variant);
        ops.push(ctx.call("put", () => ctx.connector.put(keys[k]!, obj)));
        const g = (round + 1) % 3;
        ops.push(
          ctx.call("get", () => ctx.connector.get(keys[g]!)).then((got: MemoryObj | null) => {
            if (got === null) return;
            const seen = digest(got.byteArray);
            releaseOnce(got);
            // Which payloads may legitimately be visible is checked after all puts are known.
            reads.push({ k: g, seen });
          }),
        );
        ops.push(ctx.call("exists", () => ctx.connector.exists(keys[(round + 2) % 3]!)).then(() => undefined));
      }
      await Promise.all(ops);
      for (const r of reads) {
        if (!written.get(r.k)!.has(r.seen)) {
          ctx.fail(`a concurrent get(${keys[r.k]!.toString()}) returned bytes that were never put to that key`, {
            expected: `one of ${[...written.get(r.k)!].join(", ")}`,
            actual: `sha1 ${r.seen}`,
            method: "get",
          });
        }
      }
      for (const [k, key] of keys.entries()) {
        const got = await ctx.call("get", () => ctx.connector.get(key));
        if (got === null) return ctx.fail(`get(${key.toString()}) is null after all puts finished`, { expected: "one of the payloads", actual: "null", method: "get" });
        const seen = digest(got.byteArray);
        releaseOnce(got);
        if (!written.get(k)!.has(seen)) {
          ctx.fail(`final get(${key.toString()}) holds bytes that were never put to it`, { expected: `one of ${[...written.get(k)!].join(", ")}`, actual: `sha1 ${seen}`, method: "get" });
        }
      }
    },
  },
]);
