/**
 * `importlib.import_module` for connector authors who write TypeScript or JavaScript: resolve a
 * module path, compile it with esbuild, and evaluate it as CommonJS with
 * `lmcache-connector-runtime` bound to the loader's own runtime.
 */
import Module, { createRequire } from "node:module";
import { dirname } from "node:path";
import { ImportError } from "../errors";
import { compileModule, RUNTIME_PACKAGE } from "./compile";
import { classifyModuleName } from "./module-name";
import { moduleNotFound, resolveModuleFile, type ModuleResolveOptions } from "./resolve";
import { ownRuntimeExports } from "./runtime-exports";

/** Options of {@link loadModule}. */
export interface LoadModuleOptions extends ModuleResolveOptions {
  /**
   * What `require("lmcache-connector-runtime")` returns inside the loaded module (default: this
   * runtime's own exports). Lets a connector load where that package is not installed next to it,
   * and keeps ONE copy of the runtime's classes in play.
   */
  runtimeExports?: () => object;
  /** Compile cache directory (default `defaultCompileCacheDir()`: per user, private; must be the user's, mode 0700). */
  cacheDir?: string;
}

// Like Python's sys.modules, a module is evaluated once; keyed by compiled output, so an edited
// source is evaluated afresh (ours: LMCache would keep the first import).
const evaluated = new Map<string, Record<string, unknown>>();
/**
 * Every Module object this loader evaluated, kept alive on purpose: Node keys a CJS module's
 * source map (`--enable-source-maps`) weakly by its Module object, so once the object is collected
 * stack traces through the connector fall back to the compiled file in the cache directory.
 */
const liveModules = new Set<Module>();

function isRuntimeRequest(id: string): boolean {
  return id === RUNTIME_PACKAGE || id.startsWith(`${RUNTIME_PACKAGE}/`);
}

/**
 * Load the module named by `modulePath` (`pkg.sub.module`, `my-npm-package`, `@scope/pkg`) and
 * return its exports. The name is validated before any file is read (`classifyModuleName`): `""`
 * → `ValueError`, a leading `.` → `TypeError`, as `importlib.import_module` raises them. Not found
 * (or a name no root can hold) → `ModuleNotFoundError` (an `ImportError`) "No module named '…'";
 * compile errors → `ImportError` with esbuild's `file:line:column`; an error thrown while the
 * module's top level runs propagates unchanged, as in Python.
 */
export async function loadModule(modulePath: string, opts: LoadModuleOptions = {}): Promise<Record<string, unknown>> {
  const named = classifyModuleName(modulePath);
  if (named.kind === "invalid" && named.error) throw named.error;
  const file = resolveModuleFile(modulePath, opts);
  if (!file) throw moduleNotFound(modulePath, opts);
  const compiled = await compileModule(file, { cacheDir: opts.cacheDir });
  const runtimeExports = opts.runtimeExports ?? ownRuntimeExports;
  const cacheKey = `${compiled.outputFile}\0${opts.runtimeExports ? "custom" : "own"}`;
  const hit = evaluated.get(cacheKey);
  if (hit && !opts.runtimeExports) return hit;

  const mod = new Module(compiled.outputFile);
  mod.filename = compiled.outputFile;
  const sourceRequire = createRequire(file);
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(file));
  // Module.prototype._compile builds the module's `require` around `mod.require`.
  mod.require = Object.assign((id: string) => (isRuntimeRequest(id) ? runtimeExports() : sourceRequire(id)), sourceRequire) as NodeJS.Require;
  try {
    (mod as unknown as { _compile(code: string, filename: string): void })._compile(compiled.code, compiled.outputFile);
  } catch (e) {
    if (e instanceof SyntaxError) {
      throw new ImportError(`Could not evaluate '${file}': ${e.message}`, { cause: e });
    }
    throw e;
  }
  mod.loaded = true;
  liveModules.add(mod);
  const exports = mod.exports as Record<string, unknown>;
  if (!opts.runtimeExports) evaluated.set(cacheKey, exports);
  return exports;
}
