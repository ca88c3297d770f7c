/**
 * Runs one job inside the runner process and streams its events (ours). The heavy modules are
 * imported lazily so a `check` job never loads the harness and vice versa.
 */
import type { RunnerJob } from "./job";
import type { RunnerEvent } from "./protocol";

/** Exit code of a finished job: 0 ok, 1 something failed, 2 the connector could not be loaded. */
export type JobExitCode = 0 | 1 | 2;

/** Runs `job`, sending every event to `emit`; resolves to the process exit code. */
export async function executeJob(
  job: RunnerJob,
  emit: (event: RunnerEvent) => void,
  signal?: AbortSignal,
): Promise<JobExitCode> {
  const runId = job.runId ?? `run-${process.pid}-${Date.now().toString(36)}`;
  const options = job.options ?? {};
  if (job.kind === "check") {
    const { runConformance } = await import("../conformance/engine.js");
    let loadFailed = false;
    const { summary } = await runConformance({
      ...(options as object),
      url: job.url,
      cwd: job.cwd,
      // One id for every event of the job: the engine's and the runner's own log events.
      runId,
      signal,
      // A connector's forgotten rejection fails the case it happened in instead of killing the run.
      trapUnhandledRejections: true,
      onEvent: (event: RunnerEvent) => {
        if (event.type === "load-error") loadFailed = true;
        emit(event);
      },
    } as Parameters<typeof runConformance>[0]);
    if (loadFailed) return 2;
    return summary.failed > 0 ? 1 : 0;
  }

  const started = Date.now();
  const seed = typeof options.seed === "number" ? options.seed : 0;
  emit({ v: 1, type: "run-started", runId, connector: job.url, url: job.url, seed, cases: [] });
  const onProgress = (done: number, total: number, text?: string): void =>
    emit({ v: 1, type: "progress", runId, done, total, text });
  try {
    let failed: boolean;
    if (job.kind === "run") {
      const { runHarness, harnessRunClean } = await import("../harness/run-harness.js");
      const report = await runHarness({ ...(options as object), url: job.url, cwd: job.cwd, onProgress, signal });
      emit({ v: 1, type: "result", runId, kind: "run", data: report });
      failed = !harnessRunClean(report);
    } else {
      const { runBench } = await import("../bench/run-bench.js");
      const report = await runBench({ ...(options as object), url: job.url, cwd: job.cwd, onProgress, signal });
      emit({ v: 1, type: "result", runId, kind: "bench", data: report });
      failed = !report.verification.passed;
    }
    emit({
      v: 1,
      type: "run-finished",
      runId,
      summary: { passed: failed ? 0 : 1, failed: failed ? 1 : 0, skipped: 0 },
      ms: Date.now() - started,
    });
    return failed ? 1 : 0;
  } catch (err) {
    const error = err as Error;
    emit({ v: 1, type: "load-error", runId, errorName: error.name ?? "Error", message: error.message ?? String(err) });
    return 2;
  }
}
