/**
 * Python module resolution (ours, after Python's path finder): a dotted module path names a
 * Python module when `a/b.py` or `a/b/__init__.py` exists under the roots — `--cwd`, each
 * `--search-path`, each `LMCACHE_CONNECTOR_PATH` entry, then each `PYTHONPATH` entry — or when
 * the interpreter can import it from an installed package (site-/dist-packages; the standard
 * library does not count, so `os` stays "no connector").
 *
 * Which language wins ({@link connectorLanguage}): `--language python|ts`
 * (`LMCACHE_CONNECTOR_LANGUAGE`) decides when given. Otherwise (`auto`) a Python module found in
 * the roots wins over a TypeScript/JavaScript one of the same dotted name (LMCache loads Python,
 * so that is the class LMCache would run); then a TS/JS module; then an installed Python package.
 * The module name is validated first by the loader's `classifyModuleName`, so no name can reach
 * outside the roots.
 */
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { classifyModuleName } from "../loader/module-name";
import { moduleSearchPath, resolveModuleFile, type ModuleResolveOptions } from "../loader/resolve";
import { findInterpreter } from "./interpreter";

/** `--language`: which implementation of a module path to load. */
export type ConnectorLanguage = "python" | "ts";

/** The roots Python modules are looked up in, in order (the TS roots, then `PYTHONPATH`). */
export function pythonSearchRoots(opts: ModuleResolveOptions = {}): string[] {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const fromPythonPath = ((opts.env ?? process.env)["PYTHONPATH"] ?? "").split(delimiter).filter(Boolean);
  const roots = [...moduleSearchPath(opts), ...fromPythonPath.map((d) => (isAbsolute(d) ? d : resolve(cwd, d)))];
  return [...new Set(roots)];
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The `.py` file `modulePath` names under the roots (`a/b.py`, then `a/b/__init__.py`), or null. */
export function resolvePythonModuleFile(modulePath: string, opts: ModuleResolveOptions = {}): string | null {
  const named = classifyModuleName(modulePath);
  if (named.kind !== "dotted") return null;
  for (const root of pythonSearchRoots(opts)) {
    const base = join(root, ...named.segments);
    if (isFile(base + ".py")) return base + ".py";
    if (isFile(join(base, "__init__.py"))) return join(base, "__init__.py");
  }
  return null;
}

/**
 * Installed = found in site-/dist-packages, or through a path a `.pth` file added (what
 * `pip install -e .` of a src-layout project does: its origin is the project's src/), but not in
 * the standard library nor in the current directory (sys.path[0] of `-c`).
 */
const FIND_INSTALLED =
  "import sys, os, sysconfig, importlib.util as u\n" +
  "sys.path = sys.path[1:]\n" +
  "std = tuple(os.path.join(os.path.realpath(p), '') for p in {sysconfig.get_paths().get(k) for k in ('stdlib', 'platstdlib')} if p)\n" +
  "try:\n s = u.find_spec(sys.argv[1])\nexcept Exception:\n s = None\n" +
  "o = (s.origin or '') if s else ''\n" +
  "ok = os.path.isfile(o) and ('site-packages' in o or 'dist-packages' in o or not os.path.realpath(o).startswith(std))\n" +
  "print(o if ok else '')";

const installedCache = new Map<string, string | null>();

/**
 * The file of an installed Python package module `modulePath` (found by the interpreter, in
 * site-/dist-packages), or null — also null when no interpreter is usable.
 */
export function installedPythonModuleFile(modulePath: string, env: NodeJS.ProcessEnv = process.env): string | null {
  if (classifyModuleName(modulePath).kind !== "dotted") return null;
  let python: string;
  try {
    python = findInterpreter(env).path;
  } catch {
    return null;
  }
  const cacheKey = `${python}\0${modulePath}\0${env["PYTHONPATH"] ?? ""}`;
  if (installedCache.has(cacheKey)) return installedCache.get(cacheKey)!;
  const run = spawnSync(python, ["-c", FIND_INSTALLED, modulePath], { encoding: "utf8", timeout: 15_000, env: { ...env, PYTHONPATH: "" } });
  const file = run.status === 0 ? run.stdout.trim() || null : null;
  installedCache.set(cacheKey, file);
  return file;
}

/** Options of {@link connectorLanguage}: the roots, plus `--language`. */
export interface LanguageOptions extends ModuleResolveOptions {
  /** Default: `LMCACHE_CONNECTOR_LANGUAGE` from `env`, else auto. */
  language?: ConnectorLanguage | "auto";
}

/** The `--language` in force: the option, else `LMCACHE_CONNECTOR_LANGUAGE`, else `auto`. */
export function languageSetting(opts: LanguageOptions = {}): ConnectorLanguage | "auto" {
  const value = opts.language ?? (opts.env ?? process.env)["LMCACHE_CONNECTOR_LANGUAGE"] ?? "auto";
  return value === "python" || value === "ts" ? value : "auto";
}

/**
 * Which implementation of `modulePath` to load: see the module comment for the rule. `auto`
 * answers `ts` when nothing Python matches, so a module found nowhere keeps the TS loader's
 * `ModuleNotFoundError`.
 */
export function connectorLanguage(modulePath: string, opts: LanguageOptions = {}): ConnectorLanguage {
  const setting = languageSetting(opts);
  if (setting !== "auto") return setting;
  if (classifyModuleName(modulePath).kind !== "dotted") return "ts";
  if (resolvePythonModuleFile(modulePath, opts)) return "python";
  if (resolveModuleFile(modulePath, opts)) return "ts";
  return installedPythonModuleFile(modulePath, opts.env ?? process.env) ? "python" : "ts";
}

/** The connector's Python source file for the source locator: in the roots, else installed. */
export function pythonConnectorFile(modulePath: string, opts: ModuleResolveOptions = {}): string | null {
  return resolvePythonModuleFile(modulePath, opts) ?? installedPythonModuleFile(modulePath, opts.env ?? process.env);
}
