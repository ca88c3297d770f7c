/**
 * Module path → file, as the runtime's loader resolves it (TS/JS: `resolveModuleFile` from
 * `loader/`, never re-implemented here so the linter and the runtime agree), then — ours, for
 * connectors written for Python LMCache — Python's `<root>/a/b/c.py` or `<root>/a/b/c/__init__.py`
 * under the same roots.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { moduleNotFound, moduleSearchPath, resolveModuleFile, type ModuleResolveOptions } from "../../loader/resolve";
import { classifyModuleName } from "../../loader/module-name";
import { interpreterSysPath } from "./python-sys-path";
import type { LintContext } from "../types";

/** Whether `modulePath` is a dotted identifier path (`pkg.sub.module`), what Python can import by name. */
export function isDottedIdentifierPath(modulePath: string): boolean {
  return classifyModuleName(modulePath).kind === "dotted";
}

/** The runtime loader's options for a lint context. */
export function loaderOptions(ctx: LintContext): ModuleResolveOptions {
  return { cwd: ctx.cwd, searchPaths: ctx.searchPaths ?? [], env: ctx.env };
}

/** The roots tried in order (the loader's search path: cwd, searchPaths, LMCACHE_CONNECTOR_PATH). */
export function moduleRoots(ctx: LintContext): string[] {
  return moduleSearchPath(loaderOptions(ctx));
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * The roots Python resolution tries, in order: the loader's roots (cwd, searchPaths,
 * `LMCACHE_CONNECTOR_PATH`), then `PYTHONPATH`, then the interpreter's own `sys.path`
 * (site-packages; only when the context allows running it, see python-sys-path.ts).
 */
export function pythonModuleRoots(ctx: LintContext): string[] {
  const fromEnv = ((ctx.env ?? process.env)["PYTHONPATH"] ?? "").split(path.delimiter).filter(Boolean).map((d) => path.resolve(ctx.cwd, d));
  return [...new Set([...moduleRoots(ctx), ...fromEnv, ...interpreterSysPath(ctx)])];
}

/** A compiled extension module `<base>.<tag>.so` (or `<base>.so`), what site-packages often holds. */
function extensionModule(base: string): string | null {
  let entries: string[];
  try {
    entries = fs.readdirSync(path.dirname(base));
  } catch {
    return null;
  }
  const stem = path.basename(base) + ".";
  const hit = entries.find((e) => e.startsWith(stem) && e.endsWith(".so"));
  return hit ? path.join(path.dirname(base), hit) : null;
}

/**
 * Python-style resolution of a dotted module path (ours, for Python LMCache connectors), as
 * Python's path finder does it: `<root>/a/b.py` or `<root>/a/b/__init__.py` (an extension module
 * `a/b.*.so` also counts as found) under {@link pythonModuleRoots}.
 */
export function resolvePythonModule(modulePath: string, ctx: LintContext): string | null {
  const named = classifyModuleName(modulePath);
  if (named.kind !== "dotted") return null;
  const rel = named.segments;
  for (const root of pythonModuleRoots(ctx)) {
    const base = path.join(root, ...rel);
    if (isFile(base + ".py")) return base + ".py";
    if (isFile(path.join(base, "__init__.py"))) return path.join(base, "__init__.py");
    const ext = extensionModule(base);
    if (ext) return ext;
  }
  return null;
}

/** The runtime loader's TS/JS resolution; null when it finds nothing. */
export function resolveTsModule(modulePath: string, ctx: LintContext): string | null {
  try {
    return resolveModuleFile(modulePath, loaderOptions(ctx));
  } catch {
    return null;
  }
}

/** Resolves a module path: the runtime's TS/JS resolution first, then Python files. */
export function resolveConnectorModule(modulePath: string, ctx: LintContext): string | null {
  return resolveTsModule(modulePath, ctx) ?? resolvePythonModule(modulePath, ctx);
}

/** Python's/the loader's "No module named …" text for a module path that does not resolve. */
export function moduleNotFoundText(modulePath: string, ctx: LintContext): string {
  return moduleNotFound(modulePath, loaderOptions(ctx)).message;
}
