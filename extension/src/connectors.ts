/**
 * Finds connector classes statically: top-level TS/JS classes whose `extends` chain reaches
 * `RemoteConnector` (the lint core's TypeScript analysis), and Python classes whose MRO reaches
 * LMCache's `RemoteConnector` (the lint core's Python analysis; python-connectors.ts), with the
 * dotted module path the runtime loads them by and the workspace files each module imports
 * (continuous runs re-run a class when one of those changes). No workspace code runs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ModuleInfo } from "../../runtime/src/lint/modules/module-info.js";
import { loadLintCore, type LintCore } from "./core";
import { importClosure as fileImportClosure } from "./import-closure";
import { isPythonTestFile, pythonClassesInFile, pythonImportClosure, pythonImportRoots } from "./python-connectors";

/** A connector class found in a workspace folder. */
export interface ConnectorClass {
  /** Absolute path of the module file. */
  file: string;
  className: string;
  /** Dotted module path relative to the folder (`src.acme_connector`), as in an `external://` URL. */
  modulePath: string;
  /** The workspace folder the module path is relative to (the runner's cwd). */
  folder: string;
  /** 0-based line/character range of the class name. */
  range: { startLine: number; startCharacter: number; endLine: number; endCharacter: number };
  /** `python` for a class in a `.py` file (run by the kit's Python bridge); TS/JS otherwise. */
  language?: "python";
  /** Import roots besides `folder` the module path resolves under (the runner's `searchPaths`; Python). */
  searchPaths?: string[];
}

/** Source extensions that can hold a connector. */
const SOURCE_EXTENSIONS = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"];
const SKIPPED_DIRS = new Set(["node_modules", "dist", "out", "build", "coverage", "__pycache__", "venv", "site-packages"]);
/** A workspace walk stops after this many source files (a monorepo root is not a connector project). */
const MAX_FILES = 5000;

/** The URL the runner loads `c` with. */
export function connectorUrl(c: Pick<ConnectorClass, "modulePath" | "className">): string {
  return `external://host:0/${c.modulePath}/?connector_name=${c.className}`;
}

/** Stable id of a connector (its test item id). */
export function connectorId(c: Pick<ConnectorClass, "file" | "className">): string {
  return `${c.file}#${c.className}`;
}

/** `pkg/conn.ts` → `pkg.conn`; null when a part is not an identifier (the URL could not name it). */
export function modulePathOf(folder: string, file: string): string | null {
  const rel = path.relative(folder, file);
  if (rel.startsWith("..") || path.isAbsolute(rel)) return null;
  const parts = rel.slice(0, rel.length - path.extname(rel).length).split(path.sep);
  return parts.every((p) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(p)) ? parts.join(".") : null;
}

/** Source files under `folder` (skipping dependencies, build output and dot-folders). */
export function listSourceFiles(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (out.length >= MAX_FILES) return;
      if (e.name.startsWith(".")) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIPPED_DIRS.has(e.name)) walk(full);
      } else if (SOURCE_EXTENSIONS.includes(path.extname(e.name)) && !e.name.endsWith(".d.ts") && !/\.(test|spec)\.[mc]?[jt]s$/.test(e.name)) {
        out.push(full);
      } else if (e.name.endsWith(".py") && !isPythonTestFile(e.name)) {
        out.push(full);
      }
    }
  };
  walk(folder);
  return out.sort();
}

function lineCol(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length - 1;
  return { line, character: offset - (before.lastIndexOf("\n") + 1) };
}

function readSource(file: string, text?: string): string | undefined {
  if (text !== undefined) return text;
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Python connector classes of one `.py` file (see python-connectors.ts). */
async function pythonConnectorsInFile(folder: string, file: string, source: string, searchPaths: readonly string[]): Promise<ConnectorClass[]> {
  // Cheap filter first (before the roots' stat calls and the core's load): a connector module names its base (or a base module) somewhere.
  if (!/\bclass\b/.test(source) || !source.includes("Connector")) return [];
  const roots = pythonImportRoots(folder, searchPaths);
  const core = await loadLintCore();
  return pythonClassesInFile(folder, file, source, roots, core.pythonConnectorClasses).map((c) => {
    const start = lineCol(source, c.start);
    const end = lineCol(source, c.end);
    return {
      file, className: c.name, modulePath: c.moduleName, folder, language: "python" as const,
      ...(roots.length > 1 ? { searchPaths: roots.filter((r) => r !== folder) } : {}),
      range: { startLine: start.line, startCharacter: start.character, endLine: end.line, endCharacter: end.character },
    };
  });
}

/**
 * Connector classes declared in one file (empty when none, or the file is unreadable).
 * `searchPaths`: the `lmcacheConnector.searchPaths` setting (Python import roots).
 */
export async function connectorsInFile(folder: string, file: string, text?: string, searchPaths: readonly string[] = []): Promise<ConnectorClass[]> {
  if (file.endsWith(".py")) {
    const source = readSource(file, text);
    return source === undefined ? [] : pythonConnectorsInFile(folder, file, source, searchPaths);
  }
  const modulePath = modulePathOf(folder, file);
  if (!modulePath) return [];
  const source = readSource(file, text);
  if (source === undefined) return [];
  // Cheap filter first: a connector module names its base somewhere, or imports it from a workspace
  // module (`class WorksAfterClose extends BaseStore` never says "Connector").
  if (!/\bextends\b/.test(source) || !(source.includes("Connector") || relativeImportBindings(source).size > 0)) return [];
  const core = await loadLintCore();
  const info = core.analyzeTsModule(file, source);
  const found: ConnectorClass[] = [];
  for (const cls of info.classes.values()) {
    if (!cls.exported || cls.isAbstract) continue;
    if (!(await reachesRemoteConnector(core, file, source, info, cls.name, new Set()))) continue;
    const start = lineCol(source, cls.start);
    const end = lineCol(source, cls.end);
    found.push({
      file, className: cls.name, modulePath, folder,
      range: { startLine: start.line, startCharacter: start.character, endLine: end.line, endCharacter: end.character },
    });
  }
  return found;
}

/** Local name → [relative specifier, imported name] of `import { A, B as C } from "./x"` bindings. */
export function relativeImportBindings(text: string): Map<string, [string, string]> {
  const out = new Map<string, [string, string]>();
  for (const m of text.matchAll(/import\s*(?:type\s+)?\{([^}]*)\}\s*from\s*["'](\.{1,2}\/[^"']+)["']/g)) {
    for (const part of m[1]!.split(",")) {
      const [imported, local] = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/);
      if (imported) out.set((local ?? imported).trim(), [m[2]!, imported.trim()]);
    }
  }
  return out;
}

/**
 * Whether class `name` of `file` (already analysed as `info`, so a module is parsed once however
 * many classes it holds) reaches `RemoteConnector`: within the module (the lint core's verdict),
 * or through a base class imported from another workspace module (`extends GoodConnector` from
 * "./good_connector"), followed file to file.
 */
async function reachesRemoteConnector(core: LintCore, file: string, text: string, info: ModuleInfo, name: string, seen: Set<string>): Promise<boolean> {
  const key = `${file}#${name}`;
  if (seen.has(key) || seen.size > 20) return false;
  seen.add(key);
  const verdict = core.classVerdict(info, name);
  if (verdict.baseKind === "remote-connector") return true;
  if (verdict.baseKind !== "unknown") return false;
  // The chain leaves the module: find the last local class and where its base comes from.
  let current = info.classes.get(name);
  const local = new Set<string>();
  while (current?.base && info.classes.has(current.base) && !local.has(current.base)) {
    local.add(current.base);
    current = info.classes.get(current.base);
  }
  const base = current?.base;
  const binding = base ? relativeImportBindings(text).get(base) : undefined;
  if (!binding) return false;
  const target = resolveRelative(file, binding[0]);
  if (!target) return false;
  let targetText: string;
  try {
    targetText = fs.readFileSync(target, "utf8");
  } catch {
    return false;
  }
  return reachesRemoteConnector(core, target, targetText, core.analyzeTsModule(target, targetText), binding[1], seen);
}

/** Every connector class in `folder` (`searchPaths`: extra Python import roots, the setting). */
export async function findConnectors(folder: string, searchPaths: readonly string[] = []): Promise<ConnectorClass[]> {
  const found: ConnectorClass[] = [];
  for (const file of listSourceFiles(folder)) found.push(...(await connectorsInFile(folder, file, undefined, searchPaths)));
  return found;
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g;

/** Resolves a relative import specifier like Node/esbuild would (extensions and index files). */
function resolveRelative(fromFile: string, spec: string): string | null {
  const base = path.resolve(path.dirname(fromFile), spec);
  const stem = base.replace(/\.[mc]?js$/, "");
  const candidates = [base, ...SOURCE_EXTENSIONS.map((e) => stem + e), ...SOURCE_EXTENSIONS.map((e) => path.join(base, "index" + e))];
  return candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile()) ?? null;
}

/** The files a connector's verdict depends on: its module and every workspace module it imports, transitively. */
export function connectorDependencies(c: Pick<ConnectorClass, "file" | "folder" | "language" | "searchPaths">): Set<string> {
  return c.language === "python" ? pythonImportClosure(c.file, [...(c.searchPaths ?? []), c.folder]) : importClosure(c.file);
}

/** `file` and every workspace file it imports, transitively (relative imports only). */
export function importClosure(file: string): Set<string> {
  return fileImportClosure(file, (current, text) => [...text.matchAll(IMPORT)].map((m) => resolveRelative(current, m[1]!)));
}
