/**
 * Differential property testing against a reference connector (ours; the catalogue's
 * "differential testing against a reference model"): `memory://` by default, or the `--reference`
 * URL. fast-check generates random operation sequences over a small key pool —
 * put/get/exists/existsSync/removeSync and every batched op both sides declare; not `list()`,
 * which RemoteBackend never calls — runs each on the connector and on the reference, and compares the
 * normalised answers step by step. A divergence is shrunk to a minimal sequence and reported with
 * the seed and path that replay it (`runConformance({ seed, … })` plus the case's replay path).
 */
import fc from "fast-check";
import { ValueError } from "../errors";
import { replayPathProblem } from "./replay-path";

export { DIFFERENTIAL_NUM_RUNS, replayPathProblem } from "./replay-path";
import type { CacheEngineKey } from "../keys/cache-engine-key";
import type { MemoryObj } from "../memory/memory-obj";
import type { InstrumentedRemoteConnector } from "../connector/instrumented-connector";
import type { LocalCPUBackend } from "../storage-backend/local-cpu-backend";
import { describeObj, patternBytes, specBytes, type PayloadSpec } from "./payload";
import { describeError } from "./recording-proxy";
import { callWithDeadline } from "./timeouts";

/** One generated operation. Keys are indexes into the run's key pool. */
export type DiffOp =
  | { t: "put"; k: number; v: number; tokens: number }
  | { t: "get"; k: number }
  | { t: "exists"; k: number }
  | { t: "existsSync"; k: number }
  | { t: "removeSync"; k: number }
  | { t: "batchedGet"; ks: number[] }
  | { t: "batchedPut"; ks: number[]; v: number; tokens: number }
  | { t: "batchedContains"; ks: number[] }
  | { t: "batchedAsyncContains"; ks: number[] }
  | { t: "batchedGetNonBlocking"; ks: number[] };

/** Which optional operations the generator may use (from the connector's declared capabilities). */
export interface DiffCapabilities {
  removeSync: boolean;
  batchedGet: boolean;
  batchedPut: boolean;
  batchedContains: boolean;
  batchedAsyncContains: boolean;
  batchedGetNonBlocking: boolean;
}

/** One side of the comparison. */
export interface DiffSide {
  connector: InstrumentedRemoteConnector;
  backend: LocalCPUBackend;
}

/** Size of the key pool: small, so operations collide. */
export const KEY_POOL = 4;

/** `op` as a short line: `put k2 #7 (3 tokens)`. */
export function formatOp(op: DiffOp): string {
  switch (op.t) {
    case "put":
      return `put k${op.k} #${op.v} (${op.tokens} tokens)`;
    case "batchedPut":
      return `batchedPut [${op.ks.map((k) => `k${k}`).join(", ")}] #${op.v} (${op.tokens} tokens)`;
    default:
      return "ks" in op ? `${op.t} [${op.ks.map((k) => `k${k}`).join(", ")}]` : `${op.t} k${op.k}`;
  }
}

/** The fast-check arbitrary of operation sequences allowed by `caps`. */
export function opsArbitrary(caps: DiffCapabilities, maxLength = 12): fc.Arbitrary<DiffOp[]> {
  const k = fc.integer({ min: 0, max: KEY_POOL - 1 });
  const ks = fc.array(k, { minLength: 0, maxLength: 4 });
  const v = fc.integer({ min: 1, max: 50 });
  const tokens = fc.integer({ min: 1, max: 4 });
  const choices: fc.Arbitrary<DiffOp>[] = [
    fc.record({ t: fc.constant("put" as const), k, v, tokens }),
    fc.record({ t: fc.constant("put" as const), k, v, tokens }),
    fc.record({ t: fc.constant("get" as const), k }),
    fc.record({ t: fc.constant("exists" as const), k }),
    fc.record({ t: fc.constant("existsSync" as const), k }),
  ];
  if (caps.removeSync) choices.push(fc.record({ t: fc.constant("removeSync" as const), k }));
  if (caps.batchedGet) choices.push(fc.record({ t: fc.constant("batchedGet" as const), ks }));
  if (caps.batchedPut) choices.push(fc.record({ t: fc.constant("batchedPut" as const), ks: fc.uniqueArray(k, { maxLength: 3 }), v, tokens }));
  if (caps.batchedContains) choices.push(fc.record({ t: fc.constant("batchedContains" as const), ks }));
  if (caps.batchedAsyncContains) choices.push(fc.record({ t: fc.constant("batchedAsyncContains" as const), ks }));
  if (caps.batchedGetNonBlocking) choices.push(fc.record({ t: fc.constant("batchedGetNonBlocking" as const), ks }));
  return fc.array(fc.oneof(...choices), { minLength: 1, maxLength });
}

/** Payload of a put: a small KV chunk whose bytes depend on `(seed, v)`. */
function diffSpec(tokens: number): PayloadSpec {
  return { shape: [2, 2, tokens, 64], dtype: "bfloat16", fmt: 1 };
}

function allocate(side: DiffSide, tokens: number, seed: number, v: number): MemoryObj {
  const spec = diffSpec(tokens);
  const obj = side.backend.allocate(spec.shape, spec.dtype, spec.fmt);
  if (!obj) throw new Error(`harness allocation of ${specBytes(spec)} B failed`);
  obj.byteArray.set(patternBytes(specBytes(spec), seed, 1000 + v));
  return obj;
}

function release(objs: readonly (MemoryObj | null | undefined)[] | null | undefined): void {
  if (!Array.isArray(objs)) return;
  for (const o of objs) if (o && typeof o.isValid === "function" && o.isValid() && o.getRefCount() > 0) o.refCountDown();
}

/** Batched-get answers compared up to (and including) the first null: later hits may be dropped (LMCache stops there). */
function prefixThroughFirstNull(described: string[]): string[] {
  const i = described.indexOf("null");
  return i === -1 ? described : described.slice(0, i + 1);
}

/**
 * Applies `op` to one side and returns its normalised answer. Errors become `error: …` answers,
 * so "the connector threw where the reference answered" is a divergence like any other.
 */
export async function applyOp(side: DiffSide, op: DiffOp, keys: CacheEngineKey[], seed: number, deadlineMs: number): Promise<string> {
  const c = side.connector;
  const run = async (): Promise<string> => {
    switch (op.t) {
      case "put": {
        const obj = allocate(side, op.tokens, seed, op.v);
        await c.put(keys[op.k]!, obj); // the wrapper releases the in-flight reference
        return "ok";
      }
      case "batchedPut": {
        const objs = op.ks.map(() => allocate(side, op.tokens, seed, op.v));
        await c.batchedPut(op.ks.map((k) => keys[k]!), objs);
        return "ok";
      }
      case "get": {
        const got = await c.get(keys[op.k]!);
        const text = describeObj(got);
        release([got]);
        return text;
      }
      case "exists":
        return String(await c.exists(keys[op.k]!));
      case "existsSync":
        return String(c.existsSync(keys[op.k]!));
      case "removeSync":
        return String(c.removeSync(keys[op.k]!));
      case "batchedGet": {
        const got = await c.batchedGet(op.ks.map((k) => keys[k]!));
        const text = Array.isArray(got) ? `${got.length}:${JSON.stringify(prefixThroughFirstNull(got.map((o) => describeObj(o))))}` : String(got);
        release(got);
        return text;
      }
      case "batchedContains":
        return String(c.batchedContains(op.ks.map((k) => keys[k]!)));
      case "batchedAsyncContains":
        return String(await c.batchedAsyncContains("conformance-differential", op.ks.map((k) => keys[k]!)));
      case "batchedGetNonBlocking": {
        const got = await c.batchedGetNonBlocking("conformance-differential", op.ks.map((k) => keys[k]!));
        const text = Array.isArray(got) ? JSON.stringify(got.map((o) => describeObj(o))) : String(got);
        release(got);
        return text;
      }
    }
  };
  try {
    return await callWithDeadline(run, deadlineMs, () => `${op.t}() did not settle within ${deadlineMs} ms`);
  } catch (err) {
    return `error: ${describeError(err)}`;
  }
}

/** Where the connector and the reference first disagreed. */
export interface Divergence {
  /** The full (shrunk) sequence. */
  ops: DiffOp[];
  /** Index of the op whose answers differ. */
  at: number;
  connector: string;
  reference: string;
}

/** Runs `ops` on both sides (fresh keys from `keysFor`) and returns the first divergence, or null. */
export async function compareSequence(
  subject: DiffSide,
  reference: DiffSide,
  ops: DiffOp[],
  keys: CacheEngineKey[],
  seed: number,
  deadlineMs: number,
): Promise<Divergence | null> {
  for (const [at, op] of ops.entries()) {
    const mine = await applyOp(subject, op, keys, seed, deadlineMs);
    const theirs = await applyOp(reference, op, keys, seed, deadlineMs);
    if (mine !== theirs) return { ops, at, connector: mine, reference: theirs };
  }
  return null;
}

/** Options of {@link runDifferential}. */
export interface DifferentialOptions {
  subject: DiffSide;
  reference: DiffSide;
  caps: DiffCapabilities;
  /** Fresh key pool for the n-th sequence (each sequence gets keys no other sequence used). */
  keysFor(run: number): CacheEngineKey[];
  seed: number;
  /** fast-check replay path of a counterexample (with the same seed). */
  path?: string;
  numRuns: number;
  deadlineMs: number;
  /** Stop generating/shrinking after this long (the case must finish inside its timeout). */
  timeLimitMs: number;
}

/** Result of {@link runDifferential}: a minimal divergence with its replay coordinates, or null. */
export interface DifferentialOutcome {
  divergence: Divergence | null;
  seed: number;
  path?: string;
  runs: number;
}

/**
 * Runs the property; on failure, fast-check has already shrunk the sequence to a minimal one.
 * A replay `path` that {@link replayPathProblem} refuses → `ValueError` before anything runs.
 */
export async function runDifferential(opts: DifferentialOptions): Promise<DifferentialOutcome> {
  if (opts.path !== undefined) {
    const problem = replayPathProblem(opts.path, opts.numRuns);
    if (problem) throw new ValueError(problem);
  }
  let run = 0;
  let last: Divergence | null = null;
  const property = fc.asyncProperty(opsArbitrary(opts.caps), async (ops) => {
    const keys = opts.keysFor(run++);
    const divergence = await compareSequence(opts.subject, opts.reference, ops, keys, opts.seed, opts.deadlineMs);
    if (divergence) {
      last = divergence;
      return false;
    }
    return true;
  });
  const out = await fc.check(property, {
    seed: opts.seed,
    path: opts.path,
    numRuns: opts.path ? 1 : opts.numRuns,
    interruptAfterTimeLimit: opts.timeLimitMs,
    endOnFailure: false,
  });
  if (!out.failed || out.counterexample === null) return { divergence: null, seed: out.seed, runs: out.numRuns };
  // Re-run the minimal counterexample once on fresh keys so `last` describes it (and so the op log shows it).
  const [minimal] = out.counterexample as [DiffOp[]];
  const replayed = await compareSequence(opts.subject, opts.reference, minimal, opts.keysFor(run++), opts.seed, opts.deadlineMs);
  return { divergence: replayed ?? last, seed: out.seed, path: out.counterexamplePath ?? undefined, runs: out.numRuns };
}
