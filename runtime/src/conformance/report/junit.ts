/** The `--format junit` report (ours): JUnit XML that CI systems render as a test tree. */
import type { ConformanceRun } from "../engine";

/** Escapes text for XML attributes and character data (control characters dropped). */
export function xmlEscape(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** One `<testsuite>` per run, one `<testcase classname=category name=id>` per case. */
export function junitReport(run: ConformanceRun): string {
  const { passed, failed, skipped } = run.summary;
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="lmcache-connector check" tests="${passed + failed + skipped}" failures="${failed}" skipped="${skipped}" time="${(run.ms / 1000).toFixed(3)}">`,
    `  <testsuite name="${xmlEscape(run.connector)}" tests="${passed + failed + skipped}" failures="${failed}" skipped="${skipped}" time="${(run.ms / 1000).toFixed(3)}">`,
    `    <properties><property name="url" value="${xmlEscape(run.url)}"/><property name="seed" value="${run.seed}"/></properties>`,
  ];
  for (const r of run.results) {
    const open = `    <testcase classname="${xmlEscape(r.category)}" name="${xmlEscape(r.id)}" time="${(r.ms / 1000).toFixed(3)}"`;
    if (r.status === "passed") {
      lines.push(`${open}/>`);
    } else if (r.status === "skipped") {
      lines.push(`${open}><skipped message="${xmlEscape(`${r.skip?.kind ?? "skipped"}: ${r.message ?? ""}`)}"/></testcase>`);
    } else {
      const body = [
        r.expected !== undefined ? `expected: ${r.expected}` : "",
        r.actual !== undefined ? `actual: ${r.actual}` : "",
        r.location ? `at ${r.location.file}:${r.location.line}:${r.location.column}` : "",
        r.replay ? `replay: seed ${r.replay.seed}${r.replay.path ? `, path ${r.replay.path}` : ""}` : "",
        ...(r.ops ?? []).map((op) => `  ${op.op}(${op.args.map((a) => JSON.stringify(a)).join(", ")}) → ${op.result}`),
      ].filter(Boolean);
      lines.push(`${open}><failure message="${xmlEscape(r.message ?? "failed")}">${xmlEscape(body.join("\n"))}</failure></testcase>`);
    }
  }
  lines.push("  </testsuite>", "</testsuites>");
  return lines.join("\n");
}
