/**
 * The parent's verdict (ours): folds a runner's events into the run the report renderers print
 * and the exit code. Everything here is computed in the process that supervised the runner, from
 * events alone, so nothing a connector patches in its own process changes a report.
 */
import type { ConformanceRun } from "../conformance/engine";
import type { CaseResult, ConnectorOutput } from "../conformance/types";
import type { CaseInfo, RunnerEvent } from "./protocol";

/** The CLI's exit codes (documented in `--help` and the README). */
export const EXIT = {
  /** Every case passed or was skipped; the run was clean. */
  passed: 0,
  /** A case failed (or the run found leaks, corrupt chunks, failed verification). */
  failed: 1,
  /** Bad usage, a config that could not be loaded, a connector that could not be loaded. */
  usage: 2,
  /** The connector crashed, exited, or hung the runner (the case in flight is named). */
  crashed: 3,
  /** The user interrupted the run (Ctrl-C). */
  cancelled: 130,
} as const;

/** One line of `--help` per exit code, shared by check, run and bench. */
export const EXIT_CODES_HELP = `Exit status:
  0  every case passed (skips are not passes, but do not fail)
  1  a case failed (run: leaks, stray references or corrupt chunks; bench: verification failed,
     or the run failed, e.g. a store write with ENOSPC)
  2  bad usage, a config that could not be loaded, or a connector that could not be loaded
  3  the connector crashed, exited or hung (the case in flight and the signal or exit code are
     printed; the connector runs in a child process, so the report is still printed)
  130  interrupted (Ctrl-C)
`;

type Ev<T extends RunnerEvent["type"]> = Extract<RunnerEvent, { type: T }>;

/** What a finished runner said, sorted by kind. */
export interface RunnerRecord {
  started?: Ev<"run-started">;
  finished?: Ev<"run-finished">;
  loadError?: Ev<"load-error">;
  jobError?: Ev<"job-error">;
  jobFailed?: Ev<"job-failed">;
  result?: Ev<"result">;
  crash?: Ev<"runner-crashed">;
  cases: Ev<"case-finished">[];
  logs: Ev<"log">[];
  /** Connector output per case id ("" = outside any case). */
  output: Map<string, ConnectorOutput>;
}

/** Collects events into a {@link RunnerRecord}. */
export class RunnerRecorder {
  readonly record: RunnerRecord = { cases: [], logs: [], output: new Map() };

  handle = (event: RunnerEvent): void => {
    const r = this.record;
    switch (event.type) {
      case "run-started":
        r.started = event;
        break;
      case "case-finished":
        r.cases.push(event);
        break;
      case "run-finished":
        r.finished = event;
        break;
      case "load-error":
        r.loadError = event;
        break;
      case "job-error":
        r.jobError = event;
        break;
      case "job-failed":
        r.jobFailed = event;
        break;
      case "result":
        r.result = event;
        break;
      case "runner-crashed":
        r.crash = event;
        break;
      case "log":
        r.logs.push(event);
        break;
      case "connector-output": {
        const key = event.caseId ?? "";
        const o = r.output.get(key) ?? {};
        o[event.stream] = event.text;
        r.output.set(key, o);
        break;
      }
      default:
        break;
    }
  };
}

/** The exit code of a runner record (a crash wins over everything but a cancel). */
export function exitCodeOf(r: RunnerRecord): number {
  if (r.crash) return r.crash.reason === "cancelled" ? EXIT.cancelled : EXIT.crashed;
  if (r.loadError || r.jobError) return EXIT.usage;
  if (r.jobFailed) return EXIT.failed;
  if (r.finished) return r.finished.summary.failed > 0 ? EXIT.failed : EXIT.passed;
  return EXIT.crashed;
}

/** A one-paragraph description of a crash: reason, case in flight, exit code or signal, detail. */
export function crashText(crash: Ev<"runner-crashed">): string {
  const what =
    crash.reason === "cancelled" ? "the run was cancelled" : crash.reason === "timeout" ? "the connector hung the runner" : crash.reason === "protocol" ? "the runner's event channel was corrupted" : "the connector crashed the runner";
  // A timeout or cancel ends in the parent's own SIGKILL: not worth reporting.
  const ours = crash.reason === "timeout" || crash.reason === "cancelled" || crash.reason === "protocol";
  const how = ours ? undefined : crash.signal ? `signal ${crash.signal}` : crash.exitCode !== undefined && crash.exitCode !== null ? `exit code ${crash.exitCode}` : undefined;
  return `${what} (${crash.reason}${how ? `, ${how}` : ""})${crash.caseId ? ` during case ${crash.caseId}` : ""}: ${crash.detail}`;
}

/**
 * The conformance run of a check job as the renderers print it. A crash makes the case in flight
 * a failed result carrying the crash text; cases never run are listed in `crash.notRun`.
 */
export function conformanceRunOf(r: RunnerRecord, url: string): ConformanceRun {
  const infos = new Map<string, CaseInfo>((r.started?.cases ?? []).map((c) => [c.id, c]));
  const results: CaseResult[] = r.cases.map(({ v: _v, type: _t, runId: _r, ...e }) => {
    const info = infos.get(e.id);
    const output = r.output.get(e.id);
    return { ...e, title: info?.title ?? e.id, category: info?.category ?? e.id.split(".")[0]!, ...(info?.level ? { level: info.level } : {}), ...(info?.basis ? { basis: info.basis } : {}), ...(output ? { output } : {}) };
  });
  const summary = { passed: 0, failed: 0, skipped: 0, advisories: 0 };
  for (const c of results) {
    summary[c.status] += 1;
    // An advisory rides on a passing case and never changes the exit code (--strict turned it into a failure already).
    if (c.status === "passed" && c.advisory) summary.advisories += 1;
  }
  let crash: ConformanceRun["crash"];
  if (r.crash) {
    const done = new Set(results.map((c) => c.id));
    const text = crashText(r.crash);
    const inFlight = r.crash.caseId;
    if (inFlight && !done.has(inFlight)) {
      const info = infos.get(inFlight);
      const output = r.output.get(inFlight);
      results.push({ id: inFlight, title: info?.title ?? inFlight, category: info?.category ?? inFlight.split(".")[0]!, status: "failed", ms: 0, message: text, ...(output ? { output } : {}) });
      summary.failed += 1;
      done.add(inFlight);
    }
    crash = { reason: r.crash.reason, detail: text, ...(inFlight ? { caseId: inFlight } : {}), notRun: [...infos.keys()].filter((id) => !done.has(id)) };
  }
  const outside = r.output.get("");
  return {
    runId: r.started?.runId ?? r.crash?.runId ?? "unknown",
    connector: r.started?.connector ?? url,
    url,
    seed: r.started?.seed ?? 0,
    summary,
    results,
    ms: r.finished?.ms ?? 0,
    ...(r.loadError ? { loadError: { errorName: r.loadError.errorName, message: r.loadError.message } } : {}),
    ...(crash ? { crash } : {}),
    ...(outside ? { output: outside } : {}),
  };
}
