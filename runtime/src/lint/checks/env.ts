/** Shared state for checking one document: positions, context, per-run memo, config facts. */
import type { LineIndex } from "../positions";
import type { Occurrence, YamlLayout } from "../occurrences";
import { LINT_CODES, type LintCodeKey } from "../codes";
import type { LintContext, LintDiagnostic, LintFix, LintRange } from "../types";

/** Everything a check needs about the document being linted. */
export interface CheckEnv {
  ctx: LintContext;
  lines: LineIndex;
  /** Plugin names the document declares (null when it declares no `remote_storage_plugins`). */
  declaredPlugins: string[] | null;
  /** YAML layout, when the document is a YAML config (enables the plugin-form fix). */
  yaml?: YamlLayout;
  /** Per-run memo of module resolutions. */
  resolved: Map<string, string | null>;
  /** Per-run memo of module analyses by file. */
  modules: Map<string, import("../modules/module-info").ModuleInfo | null>;
  /**
   * Module paths the checks consulted (filled by `resolveMemo`): the verdict depends on their
   * resolution and on the analysed files' versions, so cached diagnostics are revalidated by them.
   */
  deps?: Set<string>;
}

/** Document range of `[a, b)` inside an occurrence's value; the whole value when offsets do not map 1:1. */
export function subRange(env: CheckEnv, occ: Occurrence, a: number, b: number): LintRange {
  if (!occ.exact) return env.lines.range(occ.start, occ.end);
  return env.lines.range(occ.start + a, occ.start + Math.max(a, b));
}

/** Document range of an empty insertion point inside a value (null when offsets do not map 1:1). */
export function insertionRange(env: CheckEnv, occ: Occurrence, at: number): LintRange | null {
  return occ.exact ? env.lines.range(occ.start + at, occ.start + at) : null;
}

/** Builds a diagnostic for a code. */
export function diag(key: LintCodeKey, message: string, range: LintRange, fixes: LintFix[] = [], raises?: { name: string; message: string }): LintDiagnostic {
  const { code, severity } = LINT_CODES[key];
  const d: LintDiagnostic = { code, severity, message, range, fixes };
  if (raises) d.raises = raises;
  return d;
}
