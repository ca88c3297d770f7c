/**
 * The linter's entry point (ours): finds connector URLs and plugin settings in a document and
 * reports what LMCache would reject, with ranges and quick fixes. Pure: no `vscode` import; the
 * editor extension and the CLI both call {@link lintDocument}.
 *
 * Speed (ours): linting is incremental per document, end to end. Scanning is cached per chunk of
 * text (scan/chunks.ts); the URL diagnostics of a chunk are cached by the chunk's text and reused
 * while the check signature (context, declared plugins) is the same and every module path the
 * checks consulted still resolves to the same file with the same analysis version (mtime + size,
 * see check-cache.ts). So a one-line edit re-checks only the edited chunk, an unchanged document
 * only re-validates its module paths, and touching a connector file changes the verdict of an
 * unchanged document. A YAML config's values (LMC025/LMC026) are read per chunk too, and joined
 * per document (checks/config-checks.ts). Results equal a from-scratch lint (tested).
 */
import { ChunkedScanner, joinChunks, type PlacedChunk } from "./scan/chunks";
import { yamlChunkRules } from "./scan/yaml-config";
import { scanJsonConfig } from "./scan/json-config";
import { scanEnvFile } from "./scan/env-file";
import { tsChunkRules } from "./scan/ts-strings";
import { pythonChunkRules } from "./scan/python-strings";
import { detectLanguage, type LintLanguage } from "./language";
import { LineIndex } from "./positions";
import { shiftScan, type ScanResult } from "./occurrences";
import { checkUrl } from "./checks/url-checks";
import { checkPlugins } from "./checks/plugin-checks";
import { ConfigValueChecks } from "./checks/config-checks";
import { PythonSourceChecks } from "./checks/python-source-checks";
import type { CheckEnv } from "./checks/env";
import { checkSignature, depsHold, recordDeps, shiftDiagnostic, type ModuleDeps } from "./check-cache";
import type { LintContext, LintDiagnostic, LintDocument } from "./types";

/** A chunk's URL diagnostics (chunk-local lines) and what they depend on. */
interface ChunkCheck {
  signature: string;
  deps: ModuleDeps;
  diagnostics: LintDiagnostic[];
}

/** Per-document caches: the chunked scanner, chunk checks by chunk text, the last result. */
interface DocumentState {
  scanner: ChunkedScanner | null;
  checked: Map<string, ChunkCheck>;
  last?: { text: string; contextSignature: string; deps: ModuleDeps; diagnostics: LintDiagnostic[] };
  /** Python sources: the in-source checks, cached per chunk. */
  python?: PythonSourceChecks;
  /** YAML configs: the config-value checks (LMC025/LMC026), cached per chunk. */
  config?: ConfigValueChecks;
}

const documents = new Map<string, DocumentState>();
const MAX_DOCUMENTS = 500;

function stateFor(path: string, language: LintLanguage): DocumentState {
  const key = `${language}\0${path}`;
  let state = documents.get(key);
  if (!state) {
    if (documents.size >= MAX_DOCUMENTS) documents.clear();
    const rules = language === "yaml" ? yamlChunkRules : language === "typescript" ? tsChunkRules : language === "python" ? pythonChunkRules : null;
    state = { scanner: rules && new ChunkedScanner(rules), checked: new Map() };
    documents.set(key, state);
  }
  return state;
}

/** The document's chunks: the chunked scanner's, or the whole text as one chunk (JSON, env). */
function placedChunks(state: DocumentState, language: LintLanguage, text: string): PlacedChunk[] {
  if (state.scanner) return state.scanner.chunks(text);
  const scan = language === "json" ? scanJsonConfig(text) : scanEnvFile(text);
  return [{ start: 0, startLine: 0, chunk: { text, scan: { ...scan, neutral: true }, newlines: 0 } }];
}

/** Extracts URL and plugin occurrences from a document (cached per document path). */
export function scanDocument(doc: LintDocument): { language: LintLanguage | null; scan: ScanResult } {
  const language = detectLanguage(doc.path, doc.languageId);
  if (language === null) return { language, scan: { occurrences: [] } };
  return { language, scan: joinChunks(placedChunks(stateFor(doc.path, language), language, doc.text)) };
}

/**
 * Lints one document. Diagnostics are sorted by position. Re-linting reuses the cached verdicts
 * of unchanged chunks after re-validating the module files they depend on, so edits to connector
 * files show up; the result is always what a from-scratch lint would return.
 */
export function lintDocument(doc: LintDocument, ctx: LintContext): LintDiagnostic[] {
  const language = detectLanguage(doc.path, doc.languageId);
  if (!language) return [];
  const state = stateFor(doc.path, language);
  const contextSignature = checkSignature(ctx, null);
  let lines: LineIndex | undefined;
  const env: CheckEnv = {
    ctx,
    get lines() {
      return (lines ??= new LineIndex(doc.text));
    },
    declaredPlugins: null,
    resolved: new Map(),
    modules: new Map(),
  };
  const signatures = new Map<string, string>();
  const last = state.last;
  if (last && last.text === doc.text && last.contextSignature === contextSignature && depsHold(env, last.deps, signatures)) {
    return last.diagnostics.slice();
  }

  const chunks = placedChunks(state, language, doc.text);
  const scan = joinChunks(chunks);
  const pluginNames = scan.occurrences.filter((o) => o.kind === "pluginName").map((o) => o.value);
  env.declaredPlugins = pluginNames.length || scan.layout?.hasPluginsKey ? pluginNames : null;
  if (language === "yaml") env.yaml = scan.layout ?? {};
  const signature = checkSignature(ctx, env.declaredPlugins);
  const allDeps = new Set<string>();
  const out: LintDiagnostic[] = [];
  for (const { start, startLine, chunk } of chunks) {
    const urls = chunk.scan.occurrences.filter((o) => o.kind === "url");
    if (urls.length === 0) continue;
    // The YAML plugin-form fix reads the whole document's layout: such URLs are checked fresh.
    if (!state.scanner || (env.yaml && urls.some((o) => o.entryStart !== undefined))) {
      env.deps = allDeps;
      for (const o of shiftScan({ occurrences: urls }, start).occurrences) out.push(...checkUrl(env, o));
      env.deps = undefined;
      continue;
    }
    let cached = state.checked.get(chunk.text);
    if (!cached || cached.signature !== signature || !depsHold(env, cached.deps, signatures)) {
      // checked in chunk-local coordinates, so the result is valid wherever the chunk moves
      const local: CheckEnv = { ctx, lines: new LineIndex(chunk.text), declaredPlugins: env.declaredPlugins, resolved: env.resolved, modules: env.modules, deps: new Set() };
      const diagnostics: LintDiagnostic[] = [];
      for (const o of urls) diagnostics.push(...checkUrl(local, o));
      cached = { signature, deps: recordDeps(env, local.deps!, signatures), diagnostics };
      state.checked.set(chunk.text, cached);
    }
    for (const d of cached.diagnostics) out.push(shiftDiagnostic(d, startLine));
    for (const p of cached.deps.keys()) allDeps.add(p);
  }
  env.deps = allDeps;
  out.push(...checkPlugins(env, scan.occurrences));
  if (language === "yaml") out.push(...(state.config ??= new ConfigValueChecks()).check(env, chunks));
  // A Python source: its own syntax error, and its connector classes' method kinds (ours, issue 12).
  if (language === "python") out.push(...(state.python ??= new PythonSourceChecks()).check(env, doc, chunks, signature, signatures));
  out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code));
  pruneChecks(state, chunks);
  state.last = { text: doc.text, contextSignature, deps: recordDeps(env, allDeps, signatures), diagnostics: out };
  return out.slice();
}

/** Keeps the chunk-check cache near the document's size: drops entries for chunks no longer present. */
function pruneChecks(state: DocumentState, chunks: readonly PlacedChunk[]): void {
  if (state.checked.size <= 2 * chunks.length + 64) return;
  const present = new Set(chunks.map((c) => c.chunk.text));
  for (const text of state.checked.keys()) if (!present.has(text)) state.checked.delete(text);
}

/**
 * The module files the last lint of `path` consulted (the URL's module, and for Python connectors
 * the modules their bases come from): a change to any of them can change the document's verdict.
 */
export function dependencyFiles(path: string): string[] {
  const files = new Set<string>();
  for (const [key, state] of documents) {
    if (!key.endsWith(`\0${path}`)) continue;
    for (const sig of state.last?.deps.values() ?? []) {
      const file = sig.split("\0")[0];
      if (file) files.add(file);
    }
  }
  return [...files];
}

/** Forgets a document's cached scan and checks (e.g. when the editor closes it). */
export function forgetDocument(path: string): void {
  for (const key of [...documents.keys()]) if (key.endsWith(`\0${path}`)) documents.delete(key);
}
