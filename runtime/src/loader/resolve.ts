/**
 * Python-style module paths → files (the kit's counterpart of `importlib`'s path finder):
 * `a.b.c` is looked up as `a/b/c.{ts,mts,js,mjs,cjs,cts}` or `a/b/c/index.*` in `cwd`, then each
 * `searchPaths` entry, then each `LMCACHE_CONNECTOR_PATH` entry; npm package names resolve with
 * Node's `require.resolve` from `cwd`.
 */
import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { ImportError } from "../errors";
import { pyStrRepr } from "../keys/python-text";
import { classifyModuleName, isIdentifier } from "./module-name";

/** Python's `ModuleNotFoundError` (a subclass of `ImportError`, so `instanceof ImportError` holds). */
export class ModuleNotFoundError extends ImportError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ModuleNotFoundError";
  }
}

/** Where module paths are looked up. */
export interface ModuleResolveOptions {
  /** First directory searched, and where npm packages resolve from (default `process.cwd()`). */
  cwd?: string;
  /** More directories, searched in order after `cwd` (like `PYTHONPATH`); relative to `cwd`. */
  searchPaths?: string[];
  /** Environment holding `LMCACHE_CONNECTOR_PATH` (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/** File extensions tried for a module, in order. */
export const MODULE_EXTENSIONS = [".ts", ".mts", ".js", ".mjs", ".cjs", ".cts"] as const;

/** The directories searched for dotted module paths, in order (ours: `LMCACHE_CONNECTOR_PATH` is `:`-separated). */
export function moduleSearchPath(opts: ModuleResolveOptions = {}): string[] {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const fromEnv = ((opts.env ?? process.env)["LMCACHE_CONNECTOR_PATH"] ?? "").split(delimiter).filter(Boolean);
  return [cwd, ...(opts.searchPaths ?? []), ...fromEnv].map((d) => (isAbsolute(d) ? d : resolve(cwd, d)));
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function findModuleFile(base: string): string | null {
  for (const ext of MODULE_EXTENSIONS) if (isFile(base + ext)) return base + ext;
  for (const ext of MODULE_EXTENSIONS) if (isFile(join(base, "index" + ext))) return join(base, "index" + ext);
  return null;
}

function resolvePackage(modulePath: string, cwd: string): string | null {
  try {
    const file = createRequire(join(cwd, "noop.js")).resolve(modulePath);
    // a Node built-in (`fs`, `node:fs`) resolves to its bare name: not a connector file
    return isAbsolute(file) ? file : null;
  } catch {
    return null;
  }
}

/**
 * The file `modulePath` names, or null. The name is validated first ({@link classifyModuleName}),
 * so nothing outside the roots is ever looked at: a dotted path of identifiers is searched along
 * {@link moduleSearchPath}; a bare identifier (no dots) is tried there first and then as an npm
 * package; a scoped or non-identifier package name (`@acme/conn`, `my-connector`) only as an npm
 * package; anything else (`a/../b`, `a..b`, `@x/y/../../evil`) resolves to nothing.
 */
export function resolveModuleFile(modulePath: string, opts: ModuleResolveOptions = {}): string | null {
  const named = classifyModuleName(modulePath);
  if (named.kind === "invalid") return null;
  const cwd = resolve(opts.cwd ?? process.cwd());
  if (named.kind === "dotted") {
    for (const dir of moduleSearchPath(opts)) {
      const found = findModuleFile(join(dir, ...named.segments));
      if (found) return found;
    }
    if (named.segments.length > 1) return null;
  }
  return resolvePackage(modulePath, cwd);
}

/**
 * Python's text for a module that cannot be found, from the first prefix that fails as Python's
 * importer imports parents first: "No module named 'a'" for a missing package, "No module named
 * 'a.b'; 'a' is not a package" when `a` is a plain module, and for a name that is no identifier
 * path the prefix up to its first bad segment (`'@x/y/../../evil'` → "No module named '@x/y/'"),
 * decided without touching the disk for that segment.
 */
export function moduleNotFound(modulePath: string, opts: ModuleResolveOptions = {}): ModuleNotFoundError {
  const segments = modulePath.split(".");
  const dirs = moduleSearchPath(opts);
  for (let i = 1; i <= segments.length; i++) {
    const prefix = segments.slice(0, i);
    const name = prefix.join(".");
    if (!isIdentifier(segments[i - 1])) return new ModuleNotFoundError(`No module named ${pyStrRepr(name)}`);
    if (i === segments.length) break;
    if (dirs.some((d) => isDir(join(d, ...prefix)))) continue;
    if (dirs.some((d) => findModuleFile(join(d, ...prefix)))) {
      return new ModuleNotFoundError(`No module named ${pyStrRepr(segments.slice(0, i + 1).join("."))}; ${pyStrRepr(name)} is not a package`);
    }
    return new ModuleNotFoundError(`No module named ${pyStrRepr(name)}`);
  }
  return new ModuleNotFoundError(`No module named ${pyStrRepr(modulePath)}`);
}
