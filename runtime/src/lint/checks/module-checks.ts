/**
 * Module-path and class checks shared by `external://` URLs and `remote_storage_plugin.<name>.*`
 * keys: importable name, a module file in the workspace, the class defined (and exported) there,
 * extending `RemoteConnector` (or, for plugins, `ConnectorAdapter`), with every abstract method.
 */
import * as path from "node:path";
import { analyzeModuleFile } from "../modules/analysis-cache";
import { classVerdict, type ModuleInfo } from "../modules/module-info";
import { abstractMethodsError } from "../../loader/connector-class";
import { isDottedIdentifierPath, moduleNotFoundText, moduleRoots, resolveConnectorModule } from "../modules/resolve";
import { editDistance } from "./schemes";
import { pythonClassVerdict, reportPythonVerdict } from "./python-connector-checks";
import { diag, type CheckEnv } from "./env";
import type { LintContext, LintDiagnostic, LintFix, LintRange } from "../types";

/** Resolves a module path through the per-run memo, recording it as a dependency of the verdict. */
export function resolveMemo(env: Pick<CheckEnv, "resolved" | "ctx" | "deps">, modulePath: string): string | null {
  env.deps?.add(modulePath);
  if (env.resolved.has(modulePath)) return env.resolved.get(modulePath)!;
  const file = resolveConnectorModule(modulePath, env.ctx);
  env.resolved.set(modulePath, file);
  return file;
}

/** A module file's analysis through the per-run memo: one stat per file per run, however many URLs name it. */
export function analyzeMemo(env: Pick<CheckEnv, "modules">, file: string): ModuleInfo | null {
  if (!env.modules.has(file)) env.modules.set(file, analyzeModuleFile(file));
  return env.modules.get(file)!;
}

/**
 * Module-path diagnostics; returns the module analysis when the path resolves. A path the runtime
 * loader resolves (an npm package name included) is never reported.
 */
export function checkModulePath(env: CheckEnv, modulePath: string, range: LintRange, out: LintDiagnostic[]): ModuleInfo | null {
  const file = resolveMemo(env, modulePath);
  if (file) return analyzeMemo(env, file);
  if (!isDottedIdentifierPath(modulePath)) {
    out.push(diag("notDottedPath", `Could not import module '${modulePath}': it is not a dotted identifier path (pkg.module) nor an installed npm package`, range));
    return null;
  }
  const roots = moduleRoots(env.ctx).map((r) => path.relative(env.ctx.cwd, r) || ".").join(", ");
  out.push(diag("moduleNotFound", `Could not import module '${modulePath}', error: ${moduleNotFoundText(modulePath, env.ctx)} (looked for ${modulePath.replace(/\./g, "/")}.{ts,mts,js,mjs,cjs,cts,py}, index.* and __init__.py under ${roots})`, range));
  return null;
}

/** Python 3.11's abstract-instantiation text (the runtime loader's `abstractMethodsError`). */
export function abstractMessage(className: string, missing: string[]): string {
  const named = { [className]: function () {} }[className];
  return abstractMethodsError(named, missing).message;
}

/** Connector classes a module defines (RemoteConnector subclasses first; all classes if none). */
export function connectorClassNames(info: ModuleInfo, allowAdapter = false): string[] {
  const all = [...info.classes.values()].filter((c) => c.exported);
  const connectors = all.filter((c) => {
    const kind = classVerdict(info, c.name).baseKind;
    return kind === "remote-connector" || (allowAdapter && kind === "connector-adapter");
  });
  return (connectors.length ? connectors : all).map((c) => c.name);
}

/** Class diagnostics for `className` in an analysed module. */
export function checkClass(
  env: CheckEnv, info: ModuleInfo, modulePath: string, className: string, range: LintRange, allowAdapter: boolean,
  out: LintDiagnostic[], pluginName?: string,
): void {
  const rel = path.relative(env.ctx.cwd, info.file);
  if (info.language === "python" && info.python) {
    // Python: getattr(module, name) also finds an imported class; checked with Python's semantics
    const verdict = pythonClassVerdict(env, info, modulePath, className, allowAdapter ? "plugin" : "connector");
    // a name bound to something we do not model (imported from an unresolved module, `X = wrap(X)`): no claim
    if (verdict.kind !== null || verdict.raises || info.python.bindings.has(className)) {
      reportPythonVerdict(env, verdict, info, modulePath, className, range, out, pluginName);
      return;
    }
  }
  const cls = info.classes.get(className);
  if (!cls || !cls.exported) {
    const candidates = connectorClassNames(info, allowAdapter);
    const near = candidates.filter((c) => editDistance(c.toLowerCase(), className.toLowerCase()) <= 3);
    const fixes: LintFix[] = (near.length ? near : candidates).map((name) => ({ title: `Use class '${name}'`, edits: [{ range, newText: name }] }));
    const why = cls ? `class '${className}' is declared in ${rel} but not exported` : `${rel} defines ${candidates.length ? candidates.map((c) => `'${c}'`).join(", ") : "no exported class"}`;
    out.push(diag("classNotFound", `Module '${modulePath}' has no class '${className}' (${why})`, range, fixes));
    return;
  }
  const verdict = classVerdict(info, className);
  if (verdict.baseKind === "none" || (verdict.baseKind === "connector-adapter" && !allowAdapter)) {
    const message = allowAdapter
      ? `${className} is neither a ConnectorAdapter nor a RemoteConnector subclass (${rel})`
      : `${className} must be a subclass of RemoteConnector`;
    out.push(diag("notAConnector", message, range));
    return;
  }
  if (verdict.missing.length) {
    out.push(diag("missingAbstractMethod", `${abstractMessage(className, verdict.missing)} (${rel})`, range));
  }
  if (info.language === "ts" && verdict.baseKind === "remote-connector") {
    for (const name of asyncSyncMethods(info, className)) {
      out.push(diag("methodNotSync", `${className}.${name} must not be async: LMCache calls ${TS_SYNC_METHODS[name]} directly and uses its value, and an async method returns a Promise, which is truthy — ${name === "existsSync" ? "every key would 'exist'" : "every remove would report success"} (${rel})`, range));
    }
  }
}

/**
 * The TS twins of the Python methods LMCache calls without awaiting (`exists_sync`, `remove_sync`;
 * the Python side's LMC023 list), so the two lint lanes agree on async-ness.
 */
const TS_SYNC_METHODS: Record<string, string> = { existsSync: "exists_sync", removeSync: "remove_sync" };

/** Sync-only methods that `className` (or a local base it inherits them from) declares `async`. */
function asyncSyncMethods(info: ModuleInfo, className: string): string[] {
  const found: string[] = [];
  const decided = new Set<string>();
  const seen = new Set<string>();
  for (let c = info.classes.get(className); c && !seen.has(c.name); c = c.base ? info.classes.get(c.base) : undefined) {
    seen.add(c.name);
    for (const name of Object.keys(TS_SYNC_METHODS)) {
      if (decided.has(name) || !c.methods.has(name)) continue;
      decided.add(name); // the nearest definition wins, as in the prototype chain
      if (c.asyncMethods?.has(name)) found.push(name);
    }
  }
  return found;
}

/** Exported for the editor helpers: module analysis for a module path (null if unresolved). */
export function moduleInfoFor(modulePath: string, ctx: LintContext, memo = new Map<string, string | null>()): ModuleInfo | null {
  const file = resolveMemo({ resolved: memo, ctx }, modulePath);
  return file ? analyzeModuleFile(file) : null;
}
