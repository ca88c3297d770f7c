/**
 * Quick fixes: the core's `fixes` for each lmcache diagnostic in the request, as QuickFix code
 * actions with WorkspaceEdits. A diagnostic with exactly one fix marks it preferred (the single
 * obvious fix, applied by "Auto Fix").
 */
import * as vscode from "vscode";
import { loadLintCore } from "./core";
import { toRange, toWorkspaceEdit } from "./convert";
import { lmcacheCode } from "./diagnostics";
import { isLintable, lintContextFor, toLintDocument, type DeclaredPluginsLookup } from "./documents";

/** Provides the core's fixes for lmcache diagnostics. */
export class QuickFixProvider implements vscode.CodeActionProvider {
  /** `declaredPlugins`: the lookup diagnostics use, so both lint a document in the same context. */
  constructor(private readonly declaredPlugins?: DeclaredPluginsLookup) {}

  /** Registration metadata (a function, so loading the module touches no `vscode` value). */
  static metadata(): vscode.CodeActionProviderMetadata {
    return { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };
  }

  async provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    const wanted = context.diagnostics.filter((d) => lmcacheCode(d) !== undefined);
    if (wanted.length === 0 || !isLintable(doc)) return [];
    if (context.only && !context.only.contains(vscode.CodeActionKind.QuickFix) && !vscode.CodeActionKind.QuickFix.contains(context.only)) return [];
    // The editor hands back copies of our diagnostics, so findings are matched by code and range
    // against a fresh lint of the current text (cheap: the core caches unchanged text).
    const core = await loadLintCore();
    const findings = core.lintDocument(toLintDocument(doc), lintContextFor(doc, this.declaredPlugins));
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of wanted) {
      const finding = findings.find((f) => f.code === lmcacheCode(diagnostic) && toRange(f.range).isEqual(diagnostic.range));
      if (!finding) continue;
      for (const fix of finding.fixes) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.edit = toWorkspaceEdit(doc.uri, fix);
        action.diagnostics = [diagnostic];
        action.isPreferred = finding.fixes.length === 1;
        actions.push(action);
      }
    }
    return actions;
  }
}
