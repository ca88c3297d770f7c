/**
 * Module path → file, as the engine resolves it (never re-implemented here, so the linter and the
 * runtime agree): TS/JS with the loader's `resolveModuleFile`, Python with runtime/src/python's
 * roots and language rule, plus — the linter's own part — installed Python packages found in the
 * interpreter's sys.path.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { moduleNotFound, moduleSearchPath, resolveModuleFile, type ModuleResolveOptions } from "../../loader/resolve";
import { classifyModuleName } from "../../loader/module-name";
import { languageSetting, pythonSearchRoots, resolvePythonModuleFile } from "../../python/resolve";
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
 * The roots Python resolution tries, in order: the engine's (cwd, searchPaths,
 * `LMCACHE_CONNECTOR_PATH`, `PYTHONPATH`: `pythonSearchRoots` from runtime/src/python), then the
 * interpreter's site-/dist-packages (only when the context allows running it, python-sys-path.ts).
 */
export function pythonModuleRoots(ctx: LintContext): string[] {
  return [...new Set([...pythonSearchRoots(loaderOptions(ctx)), ...interpreterSysPath(ctx)])];
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
 * An installed Python module (ours, the linter's side of the engine's `installedPythonModuleFile`):
 * `a/b.py`, `a/b/__init__.py` or an extension module `a/b.*.so` in the interpreter's
 * site-/dist-packages, found from one `sys.path` query instead of one interpreter run per module.
 */
function installedPythonModule(segments: string[], ctx: LintContext): string | null {
  for (const root of interpreterSysPath(ctx)) {
    const base = path.join(root, ...segments);
    if (isFile(base + ".py")) return base + ".py";
    if (isFile(path.join(base, "__init__.py"))) return path.join(base, "__init__.py");
    const ext = extensionModule(base);
    if (ext) return ext;
  }
  return null;
}

/**
 * Python resolution of a dotted module path, as the engine resolves it: `a/b.py` or
 * `a/b/__init__.py` under the engine's roots (`resolvePythonModuleFile`), else an installed module.
 */
export function resolvePythonModule(modulePath: string, ctx: LintContext): string | null {
  const named = classifyModuleName(modulePath);
  if (named.kind !== "dotted") return null;
  return resolvePythonModuleFile(modulePath, loaderOptions(ctx)) ?? installedPythonModule(named.segments, ctx);
}

/** The runtime loader's TS/JS resolution; null when it finds nothing. */
export function resolveTsModule(modulePath: string, ctx: LintContext): string | null {
  try {
    return resolveModuleFile(modulePath, loaderOptions(ctx));
  } catch {
    return null;
  }
}

/**
 * Resolves a module path to the file the engine would load (its `connectorLanguage` rule):
 * `LMCACHE_CONNECTOR_LANGUAGE` (`--language`) `python` or `ts` decides when set; otherwise a
 * Python module in the roots wins over a TS/JS one of the same dotted name (LMCache loads
 * Python), then the TS/JS module, then an installed Python package.
 */
export function resolveConnectorModule(modulePath: string, ctx: LintContext): string | null {
  const language = languageSetting({ env: ctx.env });
  if (language === "ts") return resolveTsModule(modulePath, ctx);
  const named = classifyModuleName(modulePath);
  const inRoots = named.kind === "dotted" ? resolvePythonModuleFile(modulePath, loaderOptions(ctx)) : null;
  if (language === "python") return named.kind === "dotted" ? inRoots ?? installedPythonModule(named.segments, ctx) : null;
  if (inRoots) return inRoots;
  return resolveTsModule(modulePath, ctx) ?? (named.kind === "dotted" ? installedPythonModule(named.segments, ctx) : null);
}

/** Python's/the loader's "No module named …" text for a module path that does not resolve. */
export function moduleNotFoundText(modulePath: string, ctx: LintContext): string {
  return moduleNotFound(modulePath, loaderOptions(ctx)).message;
}
