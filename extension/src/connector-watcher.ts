/**
 * Watches connector sources (TS/JS/Python) and re-lints the open documents that depend on a file
 * that changed, was created or was deleted — e.g. adding `existsSync` clears LMC014 in the YAML.
 */
import * as vscode from "vscode";
import { KeyedDebouncer } from "./debounce";
import type { DiagnosticsService } from "./diagnostics";

/** Files whose changes can change a lint verdict. */
export const CONNECTOR_SOURCE_GLOB = "**/*.{ts,js,mts,mjs,py}";

/** Bursts of file events (a save, a branch switch) settle for this long before re-linting. */
const FILE_DEBOUNCE_MS = 150;

/** Starts the watcher; dispose it to stop. */
export function watchConnectorSources(diagnostics: DiagnosticsService, log: vscode.LogOutputChannel): vscode.Disposable {
  const watcher = vscode.workspace.createFileSystemWatcher(CONNECTOR_SOURCE_GLOB);
  const debouncer = new KeyedDebouncer<string>(FILE_DEBOUNCE_MS);
  const onFile = (uri: vscode.Uri) => {
    if (uri.scheme !== "file") return;
    debouncer.schedule(uri.fsPath, () => {
      void diagnostics.relintReferencing(uri.fsPath).then((n) => {
        if (n > 0) log.debug(`${vscode.workspace.asRelativePath(uri)} changed: re-linted ${n} document(s)`);
      });
    });
  };
  const subscriptions = [watcher, watcher.onDidChange(onFile), watcher.onDidCreate(onFile), watcher.onDidDelete(onFile)];
  return new vscode.Disposable(() => {
    debouncer.dispose();
    for (const s of subscriptions) s.dispose();
  });
}
