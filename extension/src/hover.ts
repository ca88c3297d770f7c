/**
 * Hover on a connector URL: its parsed parts, the resolved module file and class, and the error
 * LMCache would raise — with credentials redacted (the core never returns a password).
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { loadLintCore } from "./core";
import { isLintable, lintContextFor, toLintDocument } from "./documents";

/** Hovers for URLs and plugin `module_path` values. */
export class UrlHoverProvider implements vscode.HoverProvider {
  async provideHover(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    if (!isLintable(doc)) return undefined;
    const core = await loadLintCore();
    const lintDoc = toLintDocument(doc);
    const ctx = lintContextFor(doc);
    const offset = doc.offsetAt(position);
    const occurrence = core.scanDocument(lintDoc).scan.occurrences.find(
      (o) => (o.kind === "url" || o.kind === "modulePath") && o.start <= offset && offset <= o.end,
    );
    if (!occurrence) return undefined;
    const range = new vscode.Range(doc.positionAt(occurrence.start), doc.positionAt(occurrence.end));
    let markdown: string;
    if (occurrence.kind === "url") {
      markdown = core.describeUrl(occurrence.value, ctx).markdown;
    } else {
      const link = core.findUrlLinks(lintDoc, ctx).find((l) => l.modulePath === occurrence.value);
      const where = link ? `\`${path.relative(ctx.cwd, link.target)}\`` : "not found";
      markdown = `**plugin module** \`${occurrence.value}\` → ${where}`;
    }
    const content = new vscode.MarkdownString(markdown);
    content.isTrusted = false;
    return new vscode.Hover(content, range);
  }
}
