/**
 * Latency recording for the harness and the benchmark (ours). Samples are kept (the runs are
 * small) so percentiles are exact: nearest-rank on the sorted samples.
 */

/** p50/p90/p99 and friends of one operation, in milliseconds. */
export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Nearest-rank percentile (`p` in 0..100) of ascending `sorted`; 0 for no samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Collects durations of one kind of operation. */
export class LatencyRecorder {
  private readonly samples: number[] = [];

  /** Adds one duration in milliseconds. */
  record(ms: number): void {
    this.samples.push(ms);
  }

  /** Times `fn` (sync or async) and records it, also when it throws. */
  async time<T>(fn: () => T | Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.record(performance.now() - start);
    }
  }

  get count(): number {
    return this.samples.length;
  }

  summary(): LatencySummary {
    const sorted = [...this.samples].sort((a, b) => a - b);
    const sum = sorted.reduce((a, b) => a + b, 0);
    return {
      count: sorted.length,
      meanMs: sorted.length ? sum / sorted.length : 0,
      p50Ms: percentile(sorted, 50),
      p90Ms: percentile(sorted, 90),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted.length ? sorted[sorted.length - 1]! : 0,
    };
  }
}
