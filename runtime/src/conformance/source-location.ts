/**
 * Pointing a failure at the connector's source (ours): for `external://` URLs the module file is
 * resolved exactly as the loader resolves it, and a light line scan finds the method's definition
 * (falling back to the class declaration when the method is inherited). Best effort: null when
 * the file is not ours to find (built-in schemes, plugins, npm packages).
 */
import { readFileSync } from "node:fs";
import type { SourceLocation } from "./events";
import { parseExternalUrl } from "../connector/external-url";
import { resolveModuleFile } from "../loader/resolve";
import { connectorLanguage, pythonConnectorFile } from "../python/resolve";

/** The connector's source file for `url`, or null. */
export function connectorSourceFile(url: string, cwd: string, searchPaths?: string[]): string | null {
  if (!url.startsWith("external://")) return null;
  try {
    const { modulePath } = parseExternalUrl(url);
    const roots = { cwd, searchPaths };
    return connectorLanguage(modulePath, roots) === "python" ? pythonConnectorFile(modulePath, roots) : resolveModuleFile(modulePath, roots);
  } catch {
    return null;
  }
}

function escape(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
}

/** The Python name of an engine method name: `existsSync` → `exists_sync`, `constructor` → `__init__`. */
export function pythonMethodName(method: string): string {
  return method === "constructor" ? "__init__" : method.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * Finds `method`'s definition (or else `class <className>`) in `text`; 1-based line and column.
 * `python`: `text` is a `.py` file — `[async] def <snake_case name>(` is looked for.
 */
export function findMethodLine(text: string, method: string, className?: string, python = false): { line: number; column: number } | null {
  const lines = text.split(/\r?\n/);
  if (python) method = pythonMethodName(method);
  const def = python ? new RegExp(`^(\\s*)(?:async\\s+)?def\\s+${escape(method)}\\s*\\(`) : new RegExp(`^(\\s*)(?:(?:public|private|protected|override|async|static|readonly)\\s+)*${escape(method)}\\s*[(<=]`);
  for (const [i, line] of lines.entries()) {
    const m = def.exec(line);
    if (m) return { line: i + 1, column: line.indexOf(method, m[1]!.length) + 1 };
  }
  if (className) {
    const cls = new RegExp(`\\bclass\\s+${escape(className)}\\b`);
    for (const [i, line] of lines.entries()) {
      const m = cls.exec(line);
      if (m) return { line: i + 1, column: m.index + 1 };
    }
  }
  return null;
}

/** Caches file texts for one run. */
export class SourceLocator {
  private readonly texts = new Map<string, string | null>();
  constructor(private readonly file: string | null) {}

  /** Location of `method` of `className` in the connector file, or undefined. */
  locate(method: string | undefined, className?: string): SourceLocation | undefined {
    if (!this.file || !method) return undefined;
    let text = this.texts.get(this.file);
    if (text === undefined) {
      try {
        text = readFileSync(this.file, "utf8");
      } catch {
        text = null;
      }
      this.texts.set(this.file, text);
    }
    if (text === null) return undefined;
    const at = findMethodLine(text, method, className, this.file.endsWith(".py"));
    return at ? { file: this.file, line: at.line, column: at.column } : undefined;
  }
}
