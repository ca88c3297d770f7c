/**
 * Completion inside connector URLs: class names after `connector_name=` (connector classes of the
 * URL's module first) and dotted module paths after `external://host:port/` or a plugin
 * `module_path` key.
 */
import * as vscode from "vscode";
import { loadLintCore } from "./core";
import { isLintable, lintContextFor } from "./documents";

/** Characters that open a completion. */
export const COMPLETION_TRIGGERS = ["=", ".", "/"];

/** What the text before the cursor asks for. */
export type CompletionRequest =
  | { kind: "connectorName"; modulePath: string; partial: string }
  | { kind: "modulePath"; partial: string };

const CONNECTOR_NAME = /external:\/\/[^/\s"'`]*\/([A-Za-z0-9_.]*)\/?\?(?:[^\s"'`]*&)?connector_name=([A-Za-z0-9_]*)$/;
const URL_MODULE_PATH = /external:\/\/[^/\s"'`?]*\/([A-Za-z0-9_.]*)$/;
const PLUGIN_MODULE_PATH = /module_path["']?\s*[:=]\s*["']?([A-Za-z0-9_.]*)$/;

/** Classifies the text of a line up to the cursor (pure; exported for tests). */
export function completionRequest(linePrefix: string): CompletionRequest | null {
  const name = CONNECTOR_NAME.exec(linePrefix);
  if (name) return { kind: "connectorName", modulePath: name[1], partial: name[2] };
  const mod = URL_MODULE_PATH.exec(linePrefix) ?? PLUGIN_MODULE_PATH.exec(linePrefix);
  if (mod) return { kind: "modulePath", partial: mod[1] };
  return null;
}

/** Completes `connector_name=` values and module paths from the workspace's modules. */
export class UrlCompletionProvider implements vscode.CompletionItemProvider {
  async provideCompletionItems(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.CompletionItem[]> {
    if (!isLintable(doc)) return [];
    const request = completionRequest(doc.lineAt(position.line).text.slice(0, position.character));
    if (!request) return [];
    const core = await loadLintCore();
    const ctx = lintContextFor(doc);
    const replace = new vscode.Range(position.line, position.character - request.partial.length, position.line, position.character);
    if (request.kind === "connectorName") {
      return core.completeConnectorNames(request.modulePath, ctx).map((name, i) => {
        const item = new vscode.CompletionItem(name, vscode.CompletionItemKind.Class);
        item.range = replace;
        item.detail = `class in ${request.modulePath}`;
        item.sortText = String(i).padStart(4, "0");
        return item;
      });
    }
    return core.completeModulePaths(request.partial, ctx).map((modulePath) => {
      const item = new vscode.CompletionItem(modulePath, vscode.CompletionItemKind.Module);
      item.range = replace;
      item.detail = "connector module";
      return item;
    });
  }
}
