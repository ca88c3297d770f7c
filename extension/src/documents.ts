/**
 * Which editor documents are linted, and how a `vscode.TextDocument` becomes the core's
 * `LintDocument` and `LintContext`.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import type { LintContext, LintDocument } from "../../runtime/src/lint/types.js";
import { isConfigFile } from "../../runtime/src/lint/lint-files.js";
import { readSettings } from "./settings";

/** Language ids whose documents may hold LMCache URLs (YAML, JSON, .env/shell, TS, JS, Python). */
export const LINTED_LANGUAGES: readonly string[] = [
  "yaml", "json", "jsonc", "dotenv", "properties", "shellscript",
  "typescript", "typescriptreact", "javascript", "javascriptreact", "python",
];

/** `.env` files are linted whatever language the editor gave them. */
const ENV_FILE_GLOBS = ["**/.env", "**/.env.*", "**/*.env"];

/** The document selector every provider registers for. */
export const DOCUMENT_SELECTOR: vscode.DocumentFilter[] = [
  ...LINTED_LANGUAGES.map((language) => ({ language })),
  ...ENV_FILE_GLOBS.map((pattern) => ({ pattern })),
];

/** Schemes that are the editor's own views, never user configuration. */
const IGNORED_SCHEMES = new Set(["output", "git", "gitfs", "debug", "vscode", "vscode-scm", "comment", "walkThroughSnippet"]);

/** True when `doc` is a kind of document the linter reads. */
export function isLintable(doc: vscode.TextDocument): boolean {
  if (IGNORED_SCHEMES.has(doc.uri.scheme)) return false;
  if (LINTED_LANGUAGES.includes(doc.languageId)) return true;
  const base = path.basename(doc.uri.path);
  return base.startsWith(".env") || base.endsWith(".env");
}

/** The path the core sees: the file path on disk, else the URI (untitled and virtual documents). */
export function documentPath(doc: vscode.TextDocument): string {
  return doc.uri.scheme === "file" ? doc.uri.fsPath : doc.uri.toString();
}

/** The core's view of a document. */
export function toLintDocument(doc: vscode.TextDocument): LintDocument {
  return { path: documentPath(doc), text: doc.getText(), languageId: doc.languageId };
}

/** The plugin names a workspace folder's configs declare (see workspace-plugins.ts). */
export type DeclaredPluginsLookup = (folder: string) => string[] | undefined;

/**
 * Where modules resolve for `doc`: its workspace folder (else the file's folder, else the first
 * workspace folder), plus `lmcacheConnector.searchPaths` resolved against that root. A source file
 * in a workspace folder gets the plugin names that folder's configs declare, as
 * `lmcache-connector lint <folder>` gives them; a config is checked against its own only.
 * `runInterpreter` follows workspace trust (see python-sys-path.ts in the core).
 */
export function lintContextFor(doc: vscode.TextDocument, declaredPlugins?: DeclaredPluginsLookup): LintContext {
  const own = vscode.workspace.getWorkspaceFolder(doc.uri);
  const folder = own ?? vscode.workspace.workspaceFolders?.[0];
  const cwd = folder?.uri.scheme === "file"
    ? folder.uri.fsPath
    : doc.uri.scheme === "file" ? path.dirname(doc.uri.fsPath) : process.cwd();
  const searchPaths = readSettings(doc.uri).searchPaths.map((p) => path.resolve(cwd, p));
  const inFolder = own?.uri.scheme === "file" && declaredPlugins && !isConfigFile(documentPath(doc), doc.languageId);
  const remoteStoragePlugins = inFolder ? declaredPlugins(own.uri.fsPath) : undefined;
  // Python resolution may ask the interpreter for its sys.path (site-packages) only in a trusted
  // workspace: starting Python runs site-packages' .pth files. Restricted Mode runs nothing.
  const runInterpreter = vscode.workspace.isTrusted;
  return remoteStoragePlugins ? { cwd, searchPaths, remoteStoragePlugins, runInterpreter } : { cwd, searchPaths, runInterpreter };
}
