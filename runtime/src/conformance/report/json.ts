/** The `--format json` report (ours): one JSON object, stable field names, for CI and tools. */
import type { ConformanceRun } from "../engine";

/**
 * `{ connector, url, seed, summary: { passed, failed, skipped, advisories }, cases: [ { id, title,
 * status, level, message, advisory?, lmcacheToo?, … } ] }`. A case with `advisory` has status
 * "passed": it found something LMCache does not rely on (`--strict` fails it).
 */
export function jsonReport(run: ConformanceRun): string {
  return JSON.stringify(
    {
      connector: run.connector,
      url: run.url,
      seed: run.seed,
      ms: Math.round(run.ms),
      summary: { ...run.summary, advisories: run.summary.advisories ?? run.results.filter((r) => r.status === "passed" && r.advisory).length },
      cases: run.results.map((r) => ({
        id: r.id,
        title: r.title,
        category: r.category,
        status: r.status,
        ...(r.level ? { level: r.level } : {}),
        ...(r.basis ? { basis: r.basis } : {}),
        message: r.message ?? null,
        ...(r.advisory ? { advisory: r.advisory } : {}),
        ...(r.lmcacheToo ? { lmcacheToo: r.lmcacheToo } : {}),
        ms: r.ms,
        ...(r.expected !== undefined ? { expected: r.expected } : {}),
        ...(r.actual !== undefined ? { actual: r.actual } : {}),
        ...(r.skip ? { skip: r.skip } : {}),
        ...(r.location ? { location: r.location } : {}),
        ...(r.replay ? { replay: r.replay } : {}),
        ...(r.ops ? { ops: r.ops } : {}),
        ...(r.output ? { output: r.output } : {}),
      })),
      ...(run.crash ? { crash: run.crash } : {}),
      ...(run.output ? { output: run.output } : {}),
    },
    null,
    2,
  );
}
