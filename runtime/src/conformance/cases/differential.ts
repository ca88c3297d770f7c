/** C11.6 / catalogue idea 3: random operation sequences against the memory:// reference. */
import type { CaseContext } from "../context";
import { compareSequence, DIFFERENTIAL_NUM_RUNS, formatOp, KEY_POOL, runDifferential, type DiffCapabilities } from "../differential";
import { redactUrl } from "../../connector/redact";
import { defineCases } from "./common";

function probeRemoveSync(side: { connector: { removeSync(key: ReturnType<CaseContext["key"]>): unknown } }, ctx: CaseContext): boolean {
  try {
    side.connector.removeSync(ctx.key(0xfffff));
    return true;
  } catch (err) {
    return (err as Error)?.name !== "NotImplementedError";
  }
}

/** A side's `support*()` flag; one that throws or is not a boolean counts as false (the subject's is checked by ctx.capability). */
function declared(side: object, flag: string): boolean {
  const fn = (side as Record<string, unknown>)[flag];
  try {
    return typeof fn === "function" && (fn as () => unknown).call(side) === true;
  } catch {
    return false;
  }
}

export default defineCases([
  {
    id: "differential.memory-reference",
    category: "differential",
    title: "Random operation sequences agree with the reference connector (memory:// unless --reference)",
    explanation:
      "RemoteBackend mixes puts, lookups, gets, batched gets and removals on overlapping keys in orders no hand-written case covers. fast-check generates sequences over a 4-key pool (put/get/exists/existsSync, removeSync when implemented, and every batched op whose support*() flag is true on both sides), runs each on the connector and on a fresh reference — the kit's memory:// by default, or the connector --reference names (e.g. redis://… for the kit's port of LMCache's RedisConnector) — and compares the answers step by step (batched gets up to the first miss, as LMCache reads them). list() is not generated: RemoteBackend never calls it (the list.* cases check it, as advisories). A divergence is shrunk to a minimal sequence and reported with the seed and path that replay it.",
    basis: "required: RemoteBackend mixes put, lookup, get, batched get and remove on overlapping keys; list() is left out because RemoteBackend never calls it",
    lmcacheToo: {
      RedisConnector: "its batched_get_non_blocking returns every hit with the misses dropped, so a divergence at a batchedGetNonBlocking step with a miss before a hit is LMCache's own behaviour",
    },
    methods: ["get", "put", "exists", "removeSync"],
    capacityBytes: 16 * 1024 * 1024,
    async run(ctx) {
      const reference = await ctx.openReference({ capacityBytes: 16 * 1024 * 1024 });
      const ref = reference.connector;
      // Only what both sides do: a reference without batchedGet cannot judge the subject's.
      const caps: DiffCapabilities = {
        removeSync: probeRemoveSync(ctx, ctx) && probeRemoveSync(reference, ctx),
        batchedGet: ctx.capability("supportBatchedGet") && declared(ref, "supportBatchedGet"),
        batchedPut: ctx.capability("supportBatchedPut") && declared(ref, "supportBatchedPut"),
        batchedContains: ctx.capability("supportBatchedContains") && declared(ref, "supportBatchedContains"),
        batchedAsyncContains: ctx.capability("supportBatchedAsyncContains") && declared(ref, "supportBatchedAsyncContains"),
        batchedGetNonBlocking: ctx.capability("supportBatchedGetNonBlocking") && declared(ref, "supportBatchedGetNonBlocking"),
      };
      const subject = { connector: ctx.connector, backend: ctx.backend };
      const keysFor = (run: number) => Array.from({ length: KEY_POOL }, (_, i) => ctx.key(run * KEY_POOL + i + 1));
      const seed = ctx.replay?.seed ?? ctx.seed;
      const outcome = await runDifferential({
        subject,
        reference,
        caps,
        keysFor,
        seed,
        path: ctx.replay?.path,
        numRuns: DIFFERENTIAL_NUM_RUNS,
        deadlineMs: ctx.opDeadlineMs,
        timeLimitMs: Math.max(200, Math.floor(ctx.timeoutMs * 0.6)),
      });
      if (!outcome.divergence) return;
      const d = outcome.divergence;
      ctx.resultReplay = { seed: outcome.seed, path: outcome.path };
      // A clean op log: only the minimal sequence, on keys nobody used.
      ctx.recorder.ops.length = 0;
      await compareSequence(subject, reference, d.ops.slice(0, d.at + 1), keysFor(100000), seed, ctx.opDeadlineMs);
      const steps = d.ops.slice(0, d.at + 1).map((op, i) => `${i + 1}. ${formatOp(op)}`).join("; ");
      ctx.fail(`diverged from ${redactUrl(ctx.referenceUrl)} at step ${d.at + 1} of a minimal sequence: ${steps} (replay: seed ${outcome.seed}, path ${outcome.path ?? "-"})`, {
        expected: `${formatOp(d.ops[d.at]!)} → ${d.reference}`,
        actual: `${formatOp(d.ops[d.at]!)} → ${d.connector}`,
        method: d.ops[d.at]!.t,
      });
    },
  },
]);
