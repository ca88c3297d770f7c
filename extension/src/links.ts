/** Document links from a module path (in an `external://` URL or a plugin `module_path`) to its file. */
import * as vscode from "vscode";
import { loadLintCore } from "./core";
import { toRange } from "./convert";
import { isLintable, lintContextFor, toLintDocument } from "./documents";

/** Links module paths to the files they resolve to (unresolved paths get no link). */
export class ModuleLinkProvider implements vscode.DocumentLinkProvider {
  async provideDocumentLinks(doc: vscode.TextDocument): Promise<vscode.DocumentLink[]> {
    if (!isLintable(doc)) return [];
    const core = await loadLintCore();
    return core.findUrlLinks(toLintDocument(doc), lintContextFor(doc)).map((link) => {
      const result = new vscode.DocumentLink(toRange(link.range), vscode.Uri.file(link.target));
      result.tooltip = `Open module ${link.modulePath}`;
      return result;
    });
  }
}
