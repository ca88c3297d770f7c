/**
 * Runs one job inside the runner process and streams its events (ours). The heavy modules are
 * imported lazily so a `check` job never loads the harness and vice versa. The exit code is only
 * a hint: the parent decides the verdict from the events.
 */
import { ValueError } from "../errors";
import type { RunnerJob } from "./job";
import type { RunnerEvent } from "./protocol";

/** Exit code of a finished job: 0 ok, 1 something failed, 2 the job or connector could not start. */
export type JobExitCode = 0 | 1 | 2;

/** Whether `err` is an operating-system error (ENOSPC, EIO, …): a failure of the run, never a usage error. */
function isSystemError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === "string" && /^E[A-Z0-9]+$/.test(code);
}

function errorFields(err: unknown): { errorName: string; message: string } {
  const e = err as Error | null;
  return { errorName: (e && typeof e.name === "string" && e.name) || "Error", message: (e && typeof e.message === "string" ? e.message : String(err)) };
}

/** Runs `job`, sending every event to `emit`; resolves to the process exit code. */
export async function executeJob(job: RunnerJob, emit: (event: RunnerEvent) => void, signal?: AbortSignal): Promise<JobExitCode> {
  const runId = job.runId ?? `run-${process.pid}-${Date.now().toString(36)}`;
  const options = job.options ?? {};
  if (job.kind === "check") {
    const { runConformance } = await import("../conformance/engine.js");
    let loadFailed = false;
    try {
      const { summary } = await runConformance({
        ...(options as object),
        url: job.url,
        cwd: job.cwd,
        // One id for every event of the job: the engine's and the runner's own log events.
        runId,
        signal,
        // A connector's forgotten rejection fails the case it happened in instead of killing the run.
        trapUnhandledRejections: true,
        onEvent: (event) => {
          if (event.type === "load-error") loadFailed = true;
          emit(event);
        },
      } as Parameters<typeof runConformance>[0]);
      if (loadFailed) return 2;
      return summary.failed > 0 ? 1 : 0;
    } catch (err) {
      // Bad options are refused before any connector code runs.
      if (err instanceof ValueError) {
        emit({ v: 1, type: "job-error", runId, blame: "usage", ...errorFields(err) });
        return 2;
      }
      throw err;
    }
  }

  const started = Date.now();
  const seed = typeof options.seed === "number" ? options.seed : 0;
  emit({ v: 1, type: "run-started", runId, connector: job.url, url: job.url, seed, cases: [] });
  let progressed = false;
  const onProgress = (done: number, total: number, text?: string): void => {
    progressed = true;
    emit({ v: 1, type: "progress", runId, done, total, text });
  };
  try {
    let failed: boolean;
    if (job.kind === "run") {
      const { runHarness, harnessRunClean } = await import("../harness/run-harness.js");
      const report = await runHarness({ ...(options as object), url: job.url, cwd: job.cwd, onProgress, signal });
      emit({ v: 1, type: "result", runId, kind: "run", data: report });
      failed = !harnessRunClean(report);
    } else {
      const { runBench, benchRunClean } = await import("../bench/run-bench.js");
      const report = await runBench({ ...(options as object), url: job.url, cwd: job.cwd, onProgress, signal });
      emit({ v: 1, type: "result", runId, kind: "bench", data: report });
      failed = !benchRunClean(report);
    }
    emit({ v: 1, type: "run-finished", runId, summary: { passed: failed ? 0 : 1, failed: failed ? 1 : 0, skipped: 0 }, ms: Date.now() - started });
    return failed ? 1 : 0;
  } catch (err) {
    // Before the workload starts, an error is the connector's load error (LMCache's text);
    // once it ran, or when the OS refused (ENOSPC), it is a failure of the run.
    if (progressed || isSystemError(err)) {
      emit({ v: 1, type: "job-failed", runId, ...errorFields(err) });
      return 1;
    }
    emit({ v: 1, type: "load-error", runId, ...errorFields(err) });
    return 2;
  }
}
