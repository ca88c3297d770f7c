/**
 * What makes cached diagnostics reusable (ours, the kit's): a verdict on a chunk of text depends
 * on that text, on the lint context, on the plugin names the document declares, and on the module
 * files the checks consulted. This module computes the latter two as comparable signatures and
 * moves chunk-local diagnostics to a chunk's current line.
 */
import { analyzeMemo, resolveMemo } from "./checks/module-checks";
import { isDottedIdentifierPath, moduleNotFoundText } from "./modules/resolve";
import type { ModuleInfo } from "./modules/module-info";
import type { CheckEnv } from "./checks/env";
import type { LintContext, LintDiagnostic, LintRange } from "./types";

/**
 * Everything outside the document a verdict depends on, except module files: `cwd`, `searchPaths`,
 * the context's plugin names, `LMCACHE_CONNECTOR_PATH`, `PYTHONPATH`, `LMCACHE_PYTHON` and
 * `LMCACHE_CONNECTOR_LANGUAGE` (the variables the resolvers read, from `ctx.env` or else
 * `process.env` at lint time), whether the interpreter may be asked for its sys.path, plus the
 * document's declared plugins.
 */
export function checkSignature(ctx: LintContext, declaredPlugins: string[] | null): string {
  const env = ctx.env ?? process.env;
  const python = [env["PYTHONPATH"] ?? null, env["LMCACHE_PYTHON"] ?? null, env["LMCACHE_CONNECTOR_LANGUAGE"] ?? null, ctx.runInterpreter === true, ctx.python ?? null];
  return JSON.stringify([ctx.cwd, ctx.searchPaths ?? [], ctx.remoteStoragePlugins ?? null, env["LMCACHE_CONNECTOR_PATH"] ?? null, declaredPlugins, python]);
}

// Each distinct analysis object gets a version number: analyzeModuleFile returns the same object
// while the file's mtime and size are unchanged and a new one after any change.
const versions = new WeakMap<ModuleInfo, number>();
let nextVersion = 1;
function versionOf(info: ModuleInfo): number {
  let v = versions.get(info);
  if (v === undefined) versions.set(info, (v = nextVersion++));
  return v;
}

/**
 * The state of one module path as the checks see it in this run: the file it resolves to and the
 * version of that file's analysis, or (unresolved) the "No module named …" text, which depends on
 * which prefix directories exist. Uses the run's memos, so it costs one resolution per path per run.
 */
export function moduleSignature(env: Pick<CheckEnv, "ctx" | "resolved" | "modules">, modulePath: string): string {
  // not recorded as a dependency: computing a signature is not a check
  const file = resolveMemo({ ctx: env.ctx, resolved: env.resolved }, modulePath);
  if (file) {
    const info = analyzeMemo(env, file);
    return info ? `${file}\0${versionOf(info)}` : `${file}\0unreadable`;
  }
  return isDottedIdentifierPath(modulePath) ? `\0missing\0${moduleNotFoundText(modulePath, env.ctx)}` : "\0missing";
}

/** Module path → signature, for every module path the checks consulted. */
export type ModuleDeps = Map<string, string>;

/** Records the current signatures of the module paths in `paths`. */
export function recordDeps(env: CheckEnv, paths: Iterable<string>, signatures: Map<string, string>): ModuleDeps {
  const deps: ModuleDeps = new Map();
  for (const p of paths) deps.set(p, signatureMemo(env, p, signatures));
  return deps;
}

/** Whether every recorded module signature still holds in this run. */
export function depsHold(env: CheckEnv, deps: ModuleDeps, signatures: Map<string, string>): boolean {
  for (const [p, sig] of deps) if (signatureMemo(env, p, signatures) !== sig) return false;
  return true;
}

function signatureMemo(env: CheckEnv, modulePath: string, signatures: Map<string, string>): string {
  let sig = signatures.get(modulePath);
  if (sig === undefined) signatures.set(modulePath, (sig = moduleSignature(env, modulePath)));
  return sig;
}

function shiftRange(r: LintRange, lines: number): LintRange {
  return { start: { line: r.start.line + lines, character: r.start.character }, end: { line: r.end.line + lines, character: r.end.character } };
}

/** A copy of a diagnostic moved down by `lines` (the diagnostic itself when `lines` is 0). */
export function shiftDiagnostic(d: LintDiagnostic, lines: number): LintDiagnostic {
  if (lines === 0) return d;
  const out: LintDiagnostic = {
    ...d,
    range: shiftRange(d.range, lines),
    fixes: d.fixes.map((f) => ({ title: f.title, edits: f.edits.map((e) => ({ range: shiftRange(e.range, lines), newText: e.newText })) })),
  };
  return out;
}
