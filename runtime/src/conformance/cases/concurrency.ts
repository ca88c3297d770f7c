/** C10: parallel operations on distinct and on shared keys. */
import type { MemoryObj } from "../../memory/memory-obj";
import { releaseOnce } from "../context";
import { digest, patternBytes, specBytes } from "../payload";
import { describeError } from "../recording-proxy";
import { DeadlineExceeded } from "../timeouts";
import type { CacheEngineKey } from "../../keys/cache-engine-key";
import type { CaseContext } from "../context";
import { defineCases, expectStored, kvChunk, putPayload, SPECS } from "./common";

/** Fails if any read saw bytes that were never put to its key. */
function checkReads(ctx: CaseContext, reads: { k: number; seen: string }[], written: Map<number, Set<string>>, keys: CacheEngineKey[]): void {
  for (const r of reads) {
    if (!written.get(r.k)!.has(r.seen)) {
      ctx.fail(`a concurrent get(${keys[r.k]!.toString()}) returned bytes that were never put to that key`, {
        expected: `one of ${[...written.get(r.k)!].join(", ")}`,
        actual: `sha1 ${r.seen}`,
        method: "get",
      });
    }
  }
}

/** Fails unless `key` now holds one of the `allowed` payload digests. */
async function expectOneOf(ctx: CaseContext, key: CacheEngineKey, allowed: Set<string>): Promise<void> {
  const got = await ctx.call("get", () => ctx.connector.get(key));
  if (got === null) return ctx.fail(`get(${key.toString()}) is null after all puts finished`, { expected: "one of the payloads", actual: "null", method: "get" });
  const seen = digest(got.byteArray);
  releaseOnce(got);
  if (!allowed.has(seen)) {
    ctx.fail(`final get(${key.toString()}) holds bytes that were never put to it`, { expected: `one of ${[...allowed].join(", ")}`, actual: `sha1 ${seen}`, method: "get" });
  }
}

export default defineCases([
  {
    id: "concurrency.parallel-distinct",
    category: "concurrency",
    title: "Parallel puts, then parallel gets, of 24 distinct keys",
    explanation:
      "RemoteBackend schedules puts fire-and-forget and batched_get_blocking schedules ALL get coroutines at once, so a connector sees many overlapping calls on one event loop. 24 keys of 8–64 KiB are put concurrently, then read concurrently; every key must return its own bytes (no shared scratch buffers, no lost writes).",
    basis: "required: RemoteBackend schedules puts fire-and-forget and batched_get_blocking starts all get coroutines at once on one loop",
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
      "Different requests read a chunk while it is being written, so gets and exists on a key overlap its put. Rounds of put, get and exists on three shared keys run at once, with at most one put per key in flight (as RemoteBackend.submit_put_task arranges: a key already in put_tasks is not put again): every get must return null or exactly one of the payloads put to that key (never torn or foreign bytes), and afterwards each key holds one of its payloads. " +
      "Then two puts of different payloads to ONE key run at once, with gets racing them: neither put may fail, reads see null or one payload, and the key ends holding one of them. That part is advisory when supportBatchedPut() is false (RemoteBackend de-duplicates same-key puts within a process) and required when it is true (batched_submit_put_task hands batches to batched_put without consulting put_tasks, so overlapping batches can write one key twice at once).",
    basis:
      "required: readers race a writer on the same chunk (lookup/retrieve vs. store); concurrent same-key puts are advisory unless supportBatchedPut() is true, because submit_put_task skips a key already in put_tasks but the batched path does not",
    lmcacheToo: { FSConnector: "two puts of one key write the same '<name>.tmp' file and race on the rename, so one fails with ENOENT" },
    methods: ["put", "get", "exists"],
    capacityBytes: 8 * 1024 * 1024,
    async run(ctx) {
      const spec = SPECS.small;
      const keys = [ctx.key(1), ctx.key(2), ctx.key(3)];
      const written = new Map<number, Set<string>>(keys.map((_, i) => [i, new Set<string>()]));
      const reads: { k: number; seen: string }[] = [];
      const ops: Promise<void>[] = [];
      const putChains = new Map<number, Promise<void>>();
      const readInto = (into: { k: number; seen: string }[], k: number, key: (typeof keys)[number]) =>
        ctx.call("get", () => ctx.connector.get(key)).then((got: MemoryObj | null) => {
          if (got === null) return;
          const seen = digest(got.byteArray);
          releaseOnce(got);
          // Which payloads may legitimately be visible is checked after all puts are known.
          into.push({ k, seen });
        });
      for (let round = 0; round < 6; round++) {
        const k = round % 3;
        const variant = 10 + round;
        written.get(k)!.add(digest(patternBytes(specBytes(spec), ctx.seed, variant)));
        const obj = ctx.ownedPayload(spec, variant);
        // One put per key in flight, the next queued behind it (RemoteBackend's put_tasks).
        const put = (putChains.get(k) ?? Promise.resolve()).then(() => ctx.call("put", () => ctx.connector.put(keys[k]!, obj)));
        putChains.set(k, put);
        ops.push(put);
        const g = (round + 1) % 3;
        ops.push(readInto(reads, g, keys[g]!));
        ops.push(ctx.call("exists", () => ctx.connector.exists(keys[(round + 2) % 3]!)).then(() => undefined));
      }
      await Promise.all(ops);
      checkReads(ctx, reads, written, keys);
      for (const [k, key] of keys.entries()) await expectOneOf(ctx, key, written.get(k)!);

      const sameKeyPuts = async () => {
        const key = ctx.key(4);
        const variants = [20, 21];
        const allowed = new Set(variants.map((v) => digest(patternBytes(specBytes(spec), ctx.seed, v))));
        const objs = variants.map((v) => ctx.ownedPayload(spec, v));
        const raced: { k: number; seen: string }[] = [];
        const puts = objs.map((obj) => ctx.callForError("put", () => ctx.connector.put(key, obj)));
        const gets = [readInto(raced, 0, key), readInto(raced, 0, key)];
        const errors = await Promise.all(puts);
        await Promise.all(gets);
        for (const err of errors) {
          if (err !== null) ctx.fail(`one of two concurrent put(${key.toString()}) calls failed: ${describeError(err)}`, { expected: "both puts to resolve", actual: describeError(err), method: "put" });
        }
        checkReads(ctx, raced, new Map([[0, allowed]]), [key]);
        await expectOneOf(ctx, key, allowed);
      };
      if (ctx.capability("supportBatchedPut")) await sameKeyPuts();
      else await ctx.advisory("RemoteBackend.submit_put_task skips a put whose key is already in put_tasks, so within one process LMCache never has two puts of one key in flight (and this connector does not declare batched_put, whose path does not de-duplicate)", sameKeyPuts);
    },
  },
  {
    id: "concurrency.close-in-flight",
    category: "concurrency",
    title: "close() while gets, puts and exists are in flight: everything settles",
    explanation:
      "RemoteBackend.close() runs connection.close() on the event loop (errors only logged) while the fire-and-forget puts it scheduled may still be running (contract §6.2, §6.5), and a get_blocking or contains() may be waiting on a reply — contains() with no timeout at all. " +
      "Gets (full chunks and small objects), puts (1 MiB and small) and exists calls on distinct keys are started, then close() is called before any of them settled. Each pending call must resolve or reject with an Error within the per-call deadline, and close() itself must settle; a call left hanging (a pending reply close() forgets to fail) blocks a worker forever.",
    basis: "required: RemoteBackend.close() runs while fire-and-forget puts may still run, and contains() waits on exists() with no timeout, so a call close() strands hangs a worker",
    methods: ["close", "get", "put", "exists"],
    capacityBytes: 8 * 1024 * 1024,
    async run(ctx) {
      // 1 MiB; without chunk meta LMCache never puts more than one full chunk of the model
      const big = ctx.saveChunkMeta ? kvChunk(2048) : SPECS.fullChunk;
      const readKeys = [ctx.key(1), ctx.key(2), ctx.key(3)];
      for (const [i, key] of readKeys.entries()) await putPayload(ctx, key, i === 0 ? SPECS.fullChunk : SPECS.small, i + 1);
      const pending: { method: string; key: string; work: () => unknown }[] = [];
      for (const key of readKeys) {
        pending.push({
          method: "get",
          key: key.toString(),
          work: () => Promise.resolve(ctx.connector.get(key)).then((got) => void (got && typeof got.isValid === "function" && releaseOnce(got))),
        });
      }
      for (const [i, spec] of [big, SPECS.small, big].entries()) {
        const key = ctx.key(10 + i);
        const obj = ctx.ownedPayload(spec, 10 + i);
        pending.push({ method: "put", key: key.toString(), work: () => ctx.connector.put(key, obj) });
      }
      for (const id of [1, 20]) {
        const key = ctx.key(id);
        pending.push({ method: "exists", key: key.toString(), work: () => ctx.connector.exists(key) });
      }
      // Start every call, then close() in the same tick: none of them can have settled yet.
      const outcomes = pending.map((p) => ctx.callForError(p.method, p.work));
      const closeOutcome = ctx.callForError("close", () => ctx.connector.close());
      const errors = await Promise.all(outcomes);
      for (const [i, err] of errors.entries()) {
        const { method, key } = pending[i]!;
        if (err instanceof DeadlineExceeded) {
          ctx.fail(`${method}(${key}) was in flight when close() was called and never settled`, {
            expected: `resolve or reject within ${ctx.opDeadlineMs} ms`,
            actual: describeError(err),
            method,
          });
        }
        if (err !== null && !(err instanceof Error)) {
          ctx.fail(`${method}(${key}) in flight at close() rejected with a non-Error`, { expected: "an Error (a typed rejection)", actual: describeError(err), method });
        }
      }
      const closeErr = await closeOutcome;
      if (closeErr instanceof DeadlineExceeded) {
        ctx.fail("close() with operations in flight never settled", { expected: `settle within ${ctx.opDeadlineMs} ms`, actual: describeError(closeErr), method: "close" });
      }
    },
  },
]);
