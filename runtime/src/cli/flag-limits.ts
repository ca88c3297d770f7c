/**
 * Upper bounds of the CLI's integer flags (ours). Each keeps a value that would hang, spin or
 * exhaust memory a usage error (exit 2) with the bound in the message, instead of a run that never
 * ends: Node clamps longer timers to 1 ms, `run` builds its whole workload up front (about 10 KB
 * per request), and `bench` allocates `payload × (4 × inflight + 8)` bytes of CPU buffer.
 */
import { totalmem } from "node:os";
import { MAX_TIMER_MS, UsageError } from "./argv";

/** `[max, why]` per flag, as `integerFlag(parsed, name, min, ...FLAG_LIMITS[name])` takes them. */
export const FLAG_LIMITS = {
  "timeout-ms": [MAX_TIMER_MS, "Node's longest timer"],
  "max-run-ms": [MAX_TIMER_MS, "Node's longest timer"],
  /** check: fast-check seeds are 32-bit signed integers. */
  "check-seed": [2 ** 31 - 1, "a 32-bit seed"],
  /** run: the workload PRNG takes a 32-bit unsigned seed. */
  "run-seed": [2 ** 32 - 1, "a 32-bit seed"],
  requests: [100_000, "the workload is built in memory up front"],
  "chunk-size": [65_536, "tokens per chunk"],
  rounds: [1_000_000, ""],
  warmup: [1_000_000, ""],
  keys: [100_000, "keys per round"],
  "payload-bytes": [256 * 1024 * 1024, "256 MiB"],
  inflight: [256, ""],
} as const satisfies Record<string, readonly [number, string]>;

const GiB = 1024 ** 3;

/**
 * Refuses a CPU buffer larger than the machine's memory: the kit allocates it as one arena, and
 * past that the allocation fails with V8's bare "Array buffer allocation failed".
 */
export function checkCpuBuffer(bytes: number, what: string, limit: number = totalmem()): void {
  if (bytes > limit) throw new UsageError(`${what} needs a ${(bytes / GiB).toFixed(1)} GiB CPU buffer, more than this machine's ${(limit / GiB).toFixed(1)} GiB of memory`);
}

/** The CPU buffer `bench` allocates (as run-bench.ts does: every in-flight object and the ones a connector may allocate while loading). */
export function benchCpuBufferBytes(payloadBytes: number, inflight: number): number {
  return Math.max(64 << 20, payloadBytes * (inflight * 4 + 8));
}
