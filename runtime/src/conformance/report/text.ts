/** The default text report (ours): a table of cases, failure details, a summary; colour on a TTY only. */
import { escapeControls } from "../../files/terminal-text";
import type { ConformanceRun } from "../engine";
import type { ConnectorOutput } from "../types";

const STYLES = { red: "\u001b[31m", green: "\u001b[32m", yellow: "\u001b[33m", dim: "\u001b[2m", bold: "\u001b[1m" } as const;
const RESET = "\u001b[0m";

/** Renders `run` for a terminal (`colour` true) or a log file/pipe (`colour` false). */
export function textReport(run: ConformanceRun, opts: { colour: boolean }): string {
  const paint = (style: keyof typeof STYLES, s: string) => (opts.colour ? `${STYLES[style]}${s}${RESET}` : s);
  const mark = { passed: paint("green", "PASS"), failed: paint("red", "FAIL"), skipped: paint("yellow", "SKIP") } as const;
  // A passing case with an advisory finding: not a failure, but not a clean pass either.
  const markOf = (r: ConformanceRun["results"][number]) => (r.status === "passed" && r.advisory ? paint("yellow", "ADVS") : mark[r.status]);
  const idWidth = Math.max(4, ...run.results.map((r) => r.id.length));
  const out: string[] = [paint("bold", `Conformance of ${run.connector} (${run.url}), seed ${run.seed}`), ""];
  let category = "";
  for (const r of run.results) {
    if (r.category !== category) {
      category = r.category;
      out.push(paint("bold", category));
    }
    const note = r.status === "passed" ? "" : `  ${r.message ?? ""}`;
    out.push(`  ${markOf(r)}  ${r.id.padEnd(idWidth)}  ${paint("dim", `${r.ms.toFixed(1).padStart(7)} ms`)}  ${r.title}${r.status === "skipped" ? paint("dim", note) : ""}`);
  }
  const failures = run.results.filter((r) => r.status === "failed");
  if (failures.length > 0) {
    out.push("", paint("bold", "Failures"));
    for (const r of failures) {
      out.push("", `${paint("red", "✗")} ${paint("bold", r.id)} — ${r.title}`, `  ${r.message ?? ""}`);
      if (r.expected !== undefined) out.push(`  expected: ${r.expected}`);
      if (r.actual !== undefined) out.push(`  actual:   ${r.actual}`);
      if (r.location) out.push(`  at ${r.location.file}:${r.location.line}:${r.location.column}`);
      if (r.basis) out.push(paint("dim", `  why it counts: ${r.basis}`));
      if (r.replay) out.push(`  replay:   --cases ${r.id} --seed ${r.replay.seed}${r.replay.path ? ` --replay ${r.replay.path}` : ""}`);
      if (r.ops && r.ops.length > 0) {
        out.push("  calls:");
        for (const op of r.ops.slice(-15)) out.push(paint("dim", `    ${op.op}(${op.args.map((a) => JSON.stringify(a)).join(", ")}) → ${op.result}  [${op.ms} ms]`));
      }
      pushOutput(out, r.output, "  ");
    }
  }
  const advised = run.results.filter((r) => r.status === "passed" && r.advisory);
  if (advised.length > 0) {
    out.push("", paint("bold", "Advisories (LMCache does not rely on these; --strict fails them)"));
    for (const r of advised) {
      const a = r.advisory!;
      out.push("", `${paint("yellow", "!")} ${paint("bold", r.id)} — ${r.title}`, `  ${a.message}${a.count > 1 ? ` (and ${a.count - 1} more)` : ""}`);
      if (a.expected !== undefined) out.push(`  expected: ${a.expected}`);
      if (a.actual !== undefined) out.push(`  actual:   ${a.actual}`);
      out.push(`  advisory: ${a.why}`);
      if (r.lmcacheToo) out.push(`  ${r.lmcacheToo}`);
      if (r.location) out.push(`  at ${r.location.file}:${r.location.line}:${r.location.column}`);
    }
  }
  if (run.crash) {
    out.push("", paint("red", paint("bold", "CRASHED")) + `: ${run.crash.detail}`);
    if (run.crash.notRun.length > 0) out.push(`  not run (${run.crash.notRun.length}): ${run.crash.notRun.join(", ")}`);
  }
  if (run.output && (run.crash || failures.length > 0)) pushOutput(out, run.output, "", "outside any case");
  const { passed, failed, skipped } = run.summary;
  const advisories = advised.length;
  out.push(
    "",
    `${paint(failed > 0 || run.crash ? "red" : "green", `${run.crash ? "CRASHED" : failed > 0 ? "FAILED" : "OK"}`)}: ${passed} passed, ${failed} failed, ${skipped} skipped (skips are not passes)${advisories > 0 ? `, ${advisories} passed with advisories` : ""}${run.crash ? `, ${run.crash.notRun.length} not run` : ""} in ${Math.round(run.ms)} ms`,
  );
  return out.join("\n") + "\n";
}

/** Control bytes (other than newline and tab) shown as `\xNN`, so connector output cannot drive the terminal (one implementation: files/terminal-text). */
export { escapeControls };

/** The connector's captured output, indented, under a heading per stream. */
function pushOutput(out: string[], output: ConnectorOutput | undefined, indent: string, where = ""): void {
  for (const stream of ["stdout", "stderr"] as const) {
    const text = output?.[stream];
    if (!text) continue;
    out.push(`${indent}connector ${stream}${where ? ` (${where})` : ""}:`);
    for (const line of escapeControls(text.replace(/\n$/, "")).split("\n")) out.push(`${indent}  | ${line}`);
  }
}
