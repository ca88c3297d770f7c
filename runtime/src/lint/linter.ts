/**
 * The linter's entry point (ours): finds connector URLs and plugin settings in a document and
 * reports what LMCache would reject, with ranges and quick fixes. Pure: no `vscode` import; the
 * editor extension and the CLI both call {@link lintDocument}.
 *
 * Speed: scanning is incremental per document (chunks cached by text, see scan/chunks.ts), module
 * analyses are cached by path+mtime, and an unchanged text with an unchanged context returns the
 * previous result.
 */
import { ChunkedScanner } from "./scan/chunks";
import { yamlChunkRules } from "./scan/yaml-config";
import { scanJsonConfig } from "./scan/json-config";
import { scanEnvFile } from "./scan/env-file";
import { tsChunkRules } from "./scan/ts-strings";
import { pythonChunkRules } from "./scan/python-strings";
import { detectLanguage, type LintLanguage } from "./language";
import { LineIndex } from "./positions";
import type { ScanResult } from "./occurrences";
import { checkUrl } from "./checks/url-checks";
import { checkPlugins } from "./checks/plugin-checks";
import type { CheckEnv } from "./checks/env";
import type { LintContext, LintDiagnostic, LintDocument } from "./types";

const scanners = new Map<string, ChunkedScanner>();
const lastResults = new Map<string, { text: string; ctxKey: string; diagnostics: LintDiagnostic[] }>();
const MAX_DOCUMENTS = 500;

/** Extracts URL and plugin occurrences from a document (cached per document path). */
export function scanDocument(doc: LintDocument): { language: LintLanguage | null; scan: ScanResult } {
  const language = detectLanguage(doc.path, doc.languageId);
  if (language === "json") return { language, scan: scanJsonConfig(doc.text) };
  if (language === "env") return { language, scan: scanEnvFile(doc.text) };
  if (language === null) return { language, scan: { occurrences: [] } };
  const key = `${language}\0${doc.path}`;
  let scanner = scanners.get(key);
  if (!scanner) {
    if (scanners.size >= MAX_DOCUMENTS) scanners.clear();
    scanner = new ChunkedScanner(language === "yaml" ? yamlChunkRules : language === "typescript" ? tsChunkRules : pythonChunkRules);
    scanners.set(key, scanner);
  }
  return { language, scan: scanner.scan(doc.text) };
}

function contextKey(ctx: LintContext): string {
  return JSON.stringify([ctx.cwd, ctx.searchPaths ?? [], ctx.remoteStoragePlugins ?? null]);
}

/**
 * Lints one document. Diagnostics are sorted by position. Re-linting an unchanged document
 * re-runs only the module checks (cheap, cached by mtime), so edits to connector files show up.
 */
export function lintDocument(doc: LintDocument, ctx: LintContext): LintDiagnostic[] {
  const { language, scan } = scanDocument(doc);
  if (!language || scan.occurrences.length === 0) return [];
  const lines = new LineIndex(doc.text);
  const pluginNames = scan.occurrences.filter((o) => o.kind === "pluginName").map((o) => o.value);
  const env: CheckEnv = {
    ctx,
    lines,
    declaredPlugins: pluginNames.length || scan.layout?.hasPluginsKey ? pluginNames : null,
    yaml: language === "yaml" ? scan.layout ?? {} : undefined,
    resolved: new Map(),
    modules: new Map(),
  };
  const out: LintDiagnostic[] = [];
  for (const occ of scan.occurrences) if (occ.kind === "url") out.push(...checkUrl(env, occ));
  out.push(...checkPlugins(env, scan.occurrences));
  out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code));
  if (lastResults.size >= MAX_DOCUMENTS) lastResults.clear();
  lastResults.set(doc.path, { text: doc.text, ctxKey: contextKey(ctx), diagnostics: out });
  return out;
}

/** Forgets a document's cached scan (e.g. when the editor closes it). */
export function forgetDocument(path: string): void {
  for (const key of [...scanners.keys()]) if (key.endsWith(`\0${path}`)) scanners.delete(key);
  lastResults.delete(path);
}
