/**
 * Which files a lint run looks at (ours, the kit's): the folder walk of `lmcache-connector lint`
 * and the editor's workspace index of declared plugins use these same rules, so both see the same
 * file set. Pure: plain `node:fs`, no `vscode`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { detectLanguage } from "./language";

/** Folder names a walk never enters. */
export const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(["node_modules", ".git", "dist"]);

const WALKED = /(?:\.ya?ml|\.json|\.sh|\.ts|\.js|\.mjs|\.py)$/;

/** True when a folder walk picks up a file with this base name (`.d.ts` declarations are left out). */
export function isWalkedFileName(name: string): boolean {
  return name.startsWith(".env") || (WALKED.test(name) && !name.endsWith(".d.ts"));
}

/**
 * True when a walk from some root picks up the file at `relativePath` (relative to that root,
 * either separator): its name is walked and no folder on the way is skipped.
 */
export function isWalkedPath(relativePath: string): boolean {
  const parts = relativePath.split(/[\\/]/);
  const name = parts.pop()!;
  if (parts.some((p) => SKIPPED_FOLDERS.has(p) || p === "..")) return false;
  return isWalkedFileName(name);
}

/** The files a walk of `dir` lints, depth first, each folder's entries in `localeCompare` order. */
export function walkLintableFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(e.name)) walkLintableFiles(full, out);
    } else if (e.isFile() && isWalkedFileName(e.name)) out.push(full);
  }
  return out;
}

/**
 * True when the file is an LMCache configuration (YAML, JSON, `.env` or shell script), as opposed
 * to a TS/JS/Python source. A config's `plugin://` URLs are checked against its own
 * `remote_storage_plugins` only; a source's against what all configs declare.
 */
export function isConfigFile(file: string, languageId?: string): boolean {
  const language = detectLanguage(file, languageId);
  return language === "yaml" || language === "json" || language === "env";
}
