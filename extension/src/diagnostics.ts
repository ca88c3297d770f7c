/**
 * Connector-URL diagnostics: lints documents on open, on edit (debounced) and on save with the
 * pure core — the same verdicts as `lmcache-connector lint` — and remembers which module files
 * each document points at, so a change to a connector file re-lints the documents naming it.
 * Source files get the plugin names the workspace's configs declare, and are re-linted when
 * those change.
 */
import * as vscode from "vscode";
import type { LintDiagnostic } from "../../runtime/src/lint/types.js";
import { loadLintCore } from "./core";
import { diagnosticCode, toDiagnostic } from "./convert";
import { KeyedDebouncer } from "./debounce";
import { documentPath, isLintable, lintContextFor, toLintDocument } from "./documents";
import { readSettings } from "./settings";
import { WorkspacePlugins } from "./workspace-plugins";

/** Codes whose verdict depends on module files (their creation, edit or removal can change it). */
const MODULE_CODES = new Set(["LMC011", "LMC012", "LMC013", "LMC014", "LMC016", "LMC020", "LMC021", "LMC022", "LMC023", "LMC024"]);

/** Delay between the last keystroke and the re-lint. */
export const EDIT_DEBOUNCE_MS = 200;

/** Owns the "lmcache" DiagnosticCollection and keeps it current for open documents. */
export class DiagnosticsService implements vscode.Disposable {
  private readonly debouncer: KeyedDebouncer<string>;
  /** Per document URI: module files it resolves to, and whether it has module-dependent findings. */
  private readonly references = new Map<string, { files: Set<string>; moduleFindings: boolean }>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly collection: vscode.DiagnosticCollection,
    private readonly log: vscode.LogOutputChannel,
    private readonly docsUri: (code: string) => vscode.Uri,
    private readonly plugins?: WorkspacePlugins,
    debounceMs = EDIT_DEBOUNCE_MS,
  ) {
    this.debouncer = new KeyedDebouncer(debounceMs);
  }

  /** Subscribes to document events and lints the documents already open. */
  start(): void {
    const ws = vscode.workspace;
    this.subscriptions.push(
      ws.onDidOpenTextDocument((doc) => void this.lint(doc)),
      ws.onDidChangeTextDocument((e) => { if (e.contentChanges.length > 0) this.schedule(e.document); }),
      ws.onDidSaveTextDocument((doc) => void this.lint(doc)),
      ws.onDidCloseTextDocument((doc) => void this.forget(doc)),
    );
    if (this.plugins) this.subscriptions.push(this.plugins.onDidChange((folder) => void this.relintPluginUsers(folder)));
    void this.relintOpen();
  }

  /** Lints `doc` after the edit debounce. */
  schedule(doc: vscode.TextDocument): void {
    if (!isLintable(doc)) return;
    this.debouncer.schedule(doc.uri.toString(), () => void this.lint(doc));
  }

  /** Lints `doc` now and publishes its diagnostics (cleared when linting is disabled). */
  async lint(doc: vscode.TextDocument): Promise<void> {
    const key = doc.uri.toString();
    this.debouncer.cancel(key);
    if (!isLintable(doc) || doc.isClosed) return;
    if (!readSettings(doc.uri).lintEnabled) {
      this.collection.delete(doc.uri);
      this.references.delete(key);
      return;
    }
    try {
      const core = await loadLintCore();
      const folder = WorkspacePlugins.folderOf(doc.uri);
      if (this.plugins && folder !== undefined && !core.isConfigFile(documentPath(doc), doc.languageId)) await this.plugins.ready(folder);
      if (doc.isClosed) return;
      const started = performance.now();
      const lintDoc = toLintDocument(doc);
      const ctx = lintContextFor(doc, this.plugins?.namesFor);
      const findings: LintDiagnostic[] = core.lintDocument(lintDoc, ctx);
      const links = findings.length > 0 || lintDoc.text.includes("://") || lintDoc.text.includes("module_path")
        ? core.findUrlLinks(lintDoc, ctx)
        : [];
      this.collection.set(doc.uri, findings.map((f) => toDiagnostic(f, this.docsUri)));
      this.references.set(key, {
        // the URL's module files, and the modules a Python connector's bases come from
        files: new Set([...links.map((l) => l.target), ...core.dependencyFiles(lintDoc.path)]),
        moduleFindings: findings.some((f) => MODULE_CODES.has(f.code)),
      });
      if (findings.length > 0) {
        this.log.debug(`linted ${vscode.workspace.asRelativePath(doc.uri)}: ${findings.length} finding(s) in ${(performance.now() - started).toFixed(1)} ms`);
      }
    } catch (error) {
      this.log.error(`linting ${doc.uri.toString()} failed: ${(error as Error).stack ?? error}`);
    }
  }

  /** Drops a closed document's diagnostics and the core's cached scan. */
  async forget(doc: vscode.TextDocument): Promise<void> {
    const key = doc.uri.toString();
    this.debouncer.cancel(key);
    this.collection.delete(doc.uri);
    this.references.delete(key);
    if (isLintable(doc)) (await loadLintCore()).forgetDocument(documentPath(doc));
  }

  /** Re-lints every open document (after a settings change, or on request). */
  async relintOpen(): Promise<number> {
    const docs = vscode.workspace.textDocuments.filter(isLintable);
    await Promise.all(docs.map((doc) => this.lint(doc)));
    return docs.length;
  }

  /**
   * Re-lints the open documents that resolve a module to `file`, or whose findings depend on
   * module files (a new file may now resolve them). Returns how many were re-linted.
   */
  async relintReferencing(file: string): Promise<number> {
    const docs = vscode.workspace.textDocuments.filter((doc) => {
      const ref = this.references.get(doc.uri.toString());
      return ref !== undefined && (ref.files.has(file) || ref.moduleFindings);
    });
    await Promise.all(docs.map((doc) => this.lint(doc)));
    return docs.length;
  }

  /**
   * Re-lints the open source files in workspace folder `folder` that hold a `plugin://` URL (after
   * its configs' declared plugin names changed). Returns how many were re-linted.
   */
  async relintPluginUsers(folder: string): Promise<number> {
    const core = await loadLintCore();
    const docs = vscode.workspace.textDocuments.filter((doc) =>
      isLintable(doc) && WorkspacePlugins.folderOf(doc.uri) === folder
      && !core.isConfigFile(documentPath(doc), doc.languageId) && doc.getText().includes("plugin://"));
    await Promise.all(docs.map((doc) => this.lint(doc)));
    return docs.length;
  }

  /** Module files `doc` currently resolves to (for tests and logging). */
  referencedFiles(doc: vscode.TextDocument): ReadonlySet<string> {
    return this.references.get(doc.uri.toString())?.files ?? new Set();
  }

  dispose(): void {
    this.debouncer.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.references.clear();
  }
}

/** The core code of a diagnostic we published (undefined for other sources' diagnostics). */
export function lmcacheCode(diagnostic: vscode.Diagnostic): string | undefined {
  return diagnostic.source === "lmcache" ? diagnosticCode(diagnostic) : undefined;
}
