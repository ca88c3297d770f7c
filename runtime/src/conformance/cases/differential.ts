/** C11.6 / catalogue idea 3: random operation sequences against the memory:// reference. */
import type { CaseContext } from "../context";
import { compareSequence, DIFFERENTIAL_NUM_RUNS, formatOp, KEY_POOL, runDifferential, type DiffCapabilities } from "../differential";
import { defineCases } from "./common";

function probeRemoveSync(ctx: CaseContext): boolean {
  try {
    ctx.connector.removeSync(ctx.key(0xfffff));
    return true;
  } catch (err) {
    return (err as Error)?.name !== "NotImplementedError";
  }
}

export default defineCases([
  {
    id: "differential.memory-reference",
    category: "differential",
    title: "Random operation sequences agree with the memory:// reference",
    explanation:
      "RemoteBackend mixes puts, lookups, gets, batched gets and removals on overlapping keys in orders no hand-written case covers. fast-check generates sequences over a 4-key pool (put/get/exists/existsSync/list, removeSync when implemented, and every batched op whose support*() flag is true), runs each on the connector and on a fresh memory:// reference, and compares the answers step by step (batched gets up to the first miss, as LMCache reads them). A divergence is shrunk to a minimal sequence and reported with the seed and path that replay it.",
    methods: ["get", "put", "exists", "list", "removeSync"],
    capacityBytes: 16 * 1024 * 1024,
    async run(ctx) {
      const caps: DiffCapabilities = {
        removeSync: probeRemoveSync(ctx),
        batchedGet: ctx.capability("supportBatchedGet"),
        batchedPut: ctx.capability("supportBatchedPut"),
        batchedContains: ctx.capability("supportBatchedContains"),
        batchedAsyncContains: ctx.capability("supportBatchedAsyncContains"),
        batchedGetNonBlocking: ctx.capability("supportBatchedGetNonBlocking"),
      };
      const reference = await ctx.openReference({ capacityBytes: 16 * 1024 * 1024 });
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
      ctx.fail(`diverged from memory:// at step ${d.at + 1} of a minimal sequence: ${steps} (replay: seed ${outcome.seed}, path ${outcome.path ?? "-"})`, {
        expected: `${formatOp(d.ops[d.at]!)} → ${d.reference}`,
        actual: `${formatOp(d.ops[d.at]!)} → ${d.connector}`,
        method: d.ops[d.at]!.t,
      });
    },
  },
]);
