/** Converts the core's plain results (0-based LSP-like ranges) into VS Code objects. */
import * as vscode from "vscode";
import type { LintDiagnostic, LintFix, LintRange, LintSeverity } from "../../runtime/src/lint/types.js";

/** The `Diagnostic.source` of every finding. */
export const DIAGNOSTIC_SOURCE = "lmcache";

/** A core range as a `vscode.Range`. */
export function toRange(range: LintRange): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

/** A core severity as a `vscode.DiagnosticSeverity`. */
export function toSeverity(severity: LintSeverity): vscode.DiagnosticSeverity {
  switch (severity) {
    case "error": return vscode.DiagnosticSeverity.Error;
    case "warning": return vscode.DiagnosticSeverity.Warning;
    default: return vscode.DiagnosticSeverity.Information;
  }
}

/** A core finding as a diagnostic whose code links to its docs anchor (`docsUri(code)`). */
export function toDiagnostic(finding: LintDiagnostic, docsUri: (code: string) => vscode.Uri): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(toRange(finding.range), finding.message, toSeverity(finding.severity));
  diagnostic.source = DIAGNOSTIC_SOURCE;
  diagnostic.code = { value: finding.code, target: docsUri(finding.code) };
  return diagnostic;
}

/** The plain code string of a diagnostic (`LMC005`), whatever form its `code` takes. */
export function diagnosticCode(diagnostic: vscode.Diagnostic): string | undefined {
  const code = diagnostic.code;
  if (code === undefined) return undefined;
  return typeof code === "object" ? String(code.value) : String(code);
}

/** A core quick fix as a WorkspaceEdit on `uri`. */
export function toWorkspaceEdit(uri: vscode.Uri, fix: LintFix): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const e of fix.edits) edit.replace(uri, toRange(e.range), e.newText);
  return edit;
}
