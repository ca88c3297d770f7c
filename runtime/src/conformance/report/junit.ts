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

/**
 * One `<testsuite>` per run, one `<testcase classname=category name=id>` per case. A passing case
 * with an advisory finding stays a passing testcase (CI stays green) carrying
 * `<property name="advisory" …/>` and the finding in `<system-out>`.
 */
export function junitReport(run: ConformanceRun): string {
  const { passed, failed, skipped } = run.summary;
  // A crash is an error (JUnit's word for "did not complete"): the case in flight and every case not run.
  const errors = run.crash ? run.crash.notRun.length + (run.crash.caseId ? 1 : 0) : 0;
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="lmcache-connector check" tests="${passed + failed + skipped + (run.crash?.notRun.length ?? 0)}" failures="${failed - (run.crash?.caseId ? 1 : 0)}" errors="${errors}" skipped="${skipped}" time="${(run.ms / 1000).toFixed(3)}">`,
    `  <testsuite name="${xmlEscape(run.connector)}" tests="${passed + failed + skipped + (run.crash?.notRun.length ?? 0)}" failures="${failed - (run.crash?.caseId ? 1 : 0)}" errors="${errors}" skipped="${skipped}" time="${(run.ms / 1000).toFixed(3)}">`,
    `    <properties><property name="url" value="${xmlEscape(run.url)}"/><property name="seed" value="${run.seed}"/><property name="advisories" value="${run.results.filter((r) => r.status === "passed" && r.advisory).length}"/></properties>`,
  ];
  for (const r of run.results) {
    const open = `    <testcase classname="${xmlEscape(r.category)}" name="${xmlEscape(r.id)}" time="${(r.ms / 1000).toFixed(3)}"`;
    if (r.status === "passed" && r.advisory) {
      const a = r.advisory;
      const note = [
        `ADVISORY (LMCache does not rely on this; --strict fails it): ${a.message}`,
        a.expected !== undefined ? `expected: ${a.expected}` : "",
        a.actual !== undefined ? `actual: ${a.actual}` : "",
        `why advisory: ${a.why}`,
        r.lmcacheToo ?? "",
      ].filter(Boolean);
      lines.push(
        `${open}><properties><property name="advisory" value="${xmlEscape(a.message)}"/><property name="level" value="${xmlEscape(r.level ?? "required")}"/></properties><system-out>${xmlEscape(note.join("\n"))}</system-out></testcase>`,
      );
    } else if (r.status === "passed") {
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
      const tag = run.crash && run.crash.caseId === r.id ? "error" : "failure";
      const out = [r.output?.stdout ? `<system-out>${xmlEscape(r.output.stdout)}</system-out>` : "", r.output?.stderr ? `<system-err>${xmlEscape(r.output.stderr)}</system-err>` : ""].join("");
      lines.push(`${open}><${tag} message="${xmlEscape(r.message ?? "failed")}">${xmlEscape(body.join("\n"))}</${tag}>${out}</testcase>`);
    }
  }
  for (const id of run.crash?.notRun ?? []) {
    lines.push(`    <testcase classname="${xmlEscape(id.split(".")[0]!)}" name="${xmlEscape(id)}" time="0.000"><error message="${xmlEscape(`not run: ${run.crash!.detail}`)}"/></testcase>`);
  }
  if (run.output?.stdout) lines.push(`    <system-out>${xmlEscape(run.output.stdout)}</system-out>`);
  if (run.crash) lines.push(`    <system-err>${xmlEscape(`${run.crash.detail}${run.output?.stderr ? `\n${run.output.stderr}` : ""}`)}</system-err>`);
  lines.push("  </testsuite>", "</testsuites>");
  return lines.join("\n");
}
