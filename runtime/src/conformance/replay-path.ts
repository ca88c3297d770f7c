/**
 * Replay paths of the differential case (ours), checked without loading fast-check, so the CLI
 * can refuse a bad `--replay` as a usage error before anything runs.
 */

/** Sequences the differential case generates (a counterexample's replay path starts with an index below it). */
export const DIFFERENTIAL_NUM_RUNS = 100;
/** Bounds of a replay path beyond its first index (ours): shrink steps, and the index of each (fast-check walks that far). */
export const MAX_REPLAY_SHRINK_STEPS = 1_000;
export const MAX_REPLAY_SHRINK_INDEX = 10_000;

/**
 * Why `path` cannot be a replay path of a run of `numRuns` sequences, or null when it can. A
 * fast-check path is `run:shrink:shrink…`; fast-check generates `run` values to reach the first
 * one, so `999999999:1` would spin for minutes or more: the first index must be below `numRuns`
 * (where every counterexample is found), and the shrink steps are bounded too.
 */
export function replayPathProblem(path: string, numRuns: number = DIFFERENTIAL_NUM_RUNS): string | null {
  if (!/^\d{1,9}(?::\d{1,9})*$/.test(path)) return `a replay path is numbers separated by ':' (as a failing differential case prints it, e.g. 12:0:3), got '${path}'`;
  const [first, ...shrinks] = path.split(":").map(Number);
  if (first! >= numRuns) return `a replay path starts with the index of a generated sequence, below ${numRuns}, got ${first}`;
  if (shrinks.length > MAX_REPLAY_SHRINK_STEPS) return `a replay path has at most ${MAX_REPLAY_SHRINK_STEPS} shrink steps, got ${shrinks.length}`;
  const far = shrinks.find((n) => n > MAX_REPLAY_SHRINK_INDEX);
  if (far !== undefined) return `a replay path's shrink indices are at most ${MAX_REPLAY_SHRINK_INDEX}, got ${far}`;
  return null;
}
