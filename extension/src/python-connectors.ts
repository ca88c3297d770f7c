/**
 * Python connector discovery (no `vscode` import; unit-tested as plain functions): which import
 * root a `.py` file is under and so its dotted module name, the classes the lint core finds to be
 * `RemoteConnector` subclasses through their MRO, and the workspace modules a `.py` file imports
 * (a save of one of them re-runs the connector). Nothing is run: the source is parsed.
 *
 * Import roots, most specific first: the `lmcacheConnector.searchPaths` folders, a src-layout
 * project's `src/` (ours: a folder with `pyproject.toml` and `src/` — what `pip install -e .`
 * makes importable, and what generated projects put on `PYTHONPATH`), then the workspace folder.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { importClosure } from "./import-closure";
import type { PythonConnectorClass } from "../../runtime/src/lint/modules/python-connector-classes.js";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The import roots of a workspace folder (absolute, most specific first, existing folders only). */
export function pythonImportRoots(folder: string, searchPaths: readonly string[] = []): string[] {
  const roots = searchPaths.map((p) => path.resolve(folder, p));
  const src = path.join(folder, "src");
  if (fs.existsSync(path.join(folder, "pyproject.toml")) && isDir(src)) roots.push(src);
  roots.push(folder);
  return [...new Set(roots)].filter(isDir);
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** `root/a/b.py` → `a.b`, `root/a/__init__.py` → `a`; null outside `root` or when a part is not an identifier. */
export function pythonModuleName(root: string, file: string): string | null {
  const rel = path.relative(root, file);
  if (rel.startsWith("..") || path.isAbsolute(rel) || !rel.endsWith(".py")) return null;
  const parts = rel.slice(0, -3).split(path.sep);
  if (parts[parts.length - 1] === "__init__") parts.pop();
  return parts.length > 0 && parts.every((p) => IDENTIFIER.test(p)) ? parts.join(".") : null;
}

/** The most specific root a file is importable from, with its module name there. */
export function pythonModuleOf(file: string, roots: readonly string[]): { root: string; moduleName: string } | null {
  const candidates = roots
    .map((root) => ({ root, moduleName: pythonModuleName(root, file) }))
    .filter((c): c is { root: string; moduleName: string } => c.moduleName !== null)
    .sort((a, b) => b.root.length - a.root.length);
  return candidates[0] ?? null;
}

/** Files that are tests or tooling, never connectors LMCache loads. */
export function isPythonTestFile(name: string): boolean {
  return name === "conftest.py" || name === "setup.py" || /^test_.*\.py$/.test(name) || /_test\.py$/.test(name);
}

/** What the lint core's `pythonConnectorClasses` is called with (injected: the core loads lazily). */
export type PythonClassFinder = (file: string, text: string, moduleName: string, ctx: { cwd: string; searchPaths: string[] }) => PythonConnectorClass[];

/** A Python connector class with the module name and root the runner loads it from. */
export interface FoundPythonClass extends PythonConnectorClass {
  moduleName: string;
  root: string;
}

/** The connector classes of one `.py` file (empty when it is outside every root, or defines none; the caller filters cheaply first). */
export function pythonClassesInFile(folder: string, file: string, text: string, roots: readonly string[], find: PythonClassFinder): FoundPythonClass[] {
  const mod = pythonModuleOf(file, roots);
  if (!mod) return [];
  const ctx = { cwd: folder, searchPaths: roots.filter((r) => r !== folder) };
  return find(file, text, mod.moduleName, ctx).map((c) => ({ ...c, moduleName: mod.moduleName, root: mod.root }));
}

/** `import a.b, c as d` and `from .x import y, z` statements at any indentation (multi-line parentheses included). */
const IMPORT_STATEMENT = /^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]*)|import[ \t]+([^\n#]+))/gm;

/** A module name → its file under the roots (`a/b.py` or `a/b/__init__.py`), or null. */
function resolveModule(name: string, roots: readonly string[]): string | null {
  if (!name.split(".").every((p) => IDENTIFIER.test(p))) return null;
  for (const root of roots) {
    const base = path.join(root, ...name.split("."));
    for (const candidate of [base + ".py", path.join(base, "__init__.py")]) if (isFile(candidate)) return candidate;
  }
  return null;
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The package a relative import of `level` dots starts from, as a directory. */
function relativeBase(file: string, level: number): string {
  let dir = path.dirname(file);
  for (let i = 1; i < level; i++) dir = path.dirname(dir);
  return dir;
}

/** The workspace files one Python source imports directly (absolute and relative imports, submodules named in `from p import m`). */
export function pythonImports(file: string, text: string, roots: readonly string[]): string[] {
  const out = new Set<string>();
  const add = (f: string | null) => f && out.add(f);
  // `import a.b.c` runs a/__init__.py and a/b/__init__.py first
  const addDotted = (name: string) => {
    const parts = name.split(".");
    for (let i = 1; i <= parts.length; i++) add(resolveModule(parts.slice(0, i).join("."), roots));
  };
  for (const m of text.matchAll(IMPORT_STATEMENT)) {
    if (m[4] !== undefined) {
      for (const part of m[4].split(",")) addDotted(part.trim().split(/\s+as\s+/)[0]!.trim());
      continue;
    }
    const level = m[1]!.length;
    const module = m[2]!;
    const names = m[3]!.replace(/[()]/g, "").split(",").map((n) => n.trim().split(/\s+as\s+/)[0]!.trim()).filter((n) => IDENTIFIER.test(n));
    if (level === 0) {
      addDotted(module);
      for (const n of names) add(resolveModule(`${module}.${n}`, roots));
    } else {
      const base = relativeBase(file, level);
      const dir = module ? path.join(base, ...module.split(".")) : base;
      const target = module ? resolveModule(path.basename(dir), [path.dirname(dir)]) : null;
      add(target);
      for (const n of names) add(resolveModule(n, [dir]));
    }
  }
  out.delete(file);
  return [...out];
}

/** `file` and every workspace `.py` file it imports, transitively. */
export function pythonImportClosure(file: string, roots: readonly string[]): Set<string> {
  return importClosure(file, (current, text) => pythonImports(current, text, roots));
}
