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

const IDENTIFIER = /^[\p{ID_Start}_][\p{ID_Continue}]*$/u;
const NPM_NAME = /^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(?:\/[\w.-]+)*$/i;

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

function isDottedModulePath(modulePath: string): boolean {
  return modulePath.split(".").every((s) => IDENTIFIER.test(s));
}

function isPackageName(modulePath: string): boolean {
  return NPM_NAME.test(modulePath) && (modulePath.startsWith("@") || !modulePath.includes("."));
}

function resolvePackage(modulePath: string, cwd: string): string | null {
  try {
    return createRequire(join(cwd, "noop.js")).resolve(modulePath);
  } catch {
    return null;
  }
}

/**
 * The file `modulePath` names, or null. A dotted path of identifiers is searched along
 * {@link moduleSearchPath}; a bare identifier (no dots) is tried there first and then as an npm
 * package; a scoped or non-identifier package name (`@acme/conn`, `my-connector`) only as an npm package.
 */
export function resolveModuleFile(modulePath: string, opts: ModuleResolveOptions = {}): string | null {
  const cwd = resolve(opts.cwd ?? process.cwd());
  if (isDottedModulePath(modulePath)) {
    const segments = modulePath.split(".");
    for (const dir of moduleSearchPath(opts)) {
      const found = findModuleFile(join(dir, ...segments));
      if (found) return found;
    }
    if (segments.length > 1) return null;
  }
  if (isPackageName(modulePath)) return resolvePackage(modulePath, cwd);
  return null;
}

/**
 * Python's text for a module that cannot be found: "No module named 'a'" for the first missing
 * package, or "No module named 'a.b'; 'a' is not a package" when `a` is a plain module.
 */
export function moduleNotFound(modulePath: string, opts: ModuleResolveOptions = {}): ModuleNotFoundError {
  if (isDottedModulePath(modulePath)) {
    const segments = modulePath.split(".");
    const dirs = moduleSearchPath(opts);
    for (let i = 1; i < segments.length; i++) {
      const prefix = segments.slice(0, i);
      if (dirs.some((d) => isDir(join(d, ...prefix)))) continue;
      const name = prefix.join(".");
      if (dirs.some((d) => findModuleFile(join(d, ...prefix)))) {
        return new ModuleNotFoundError(`No module named '${segments.slice(0, i + 1).join(".")}'; '${name}' is not a package`);
      }
      return new ModuleNotFoundError(`No module named '${name}'`);
    }
  }
  return new ModuleNotFoundError(`No module named '${modulePath}'`);
}

