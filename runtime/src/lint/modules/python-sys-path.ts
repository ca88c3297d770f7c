/**
 * The interpreter's installed-package roots (site-/dist-packages of its `sys.path`) for the
 * linter's Python resolution (ours), so a pip-installed connector is not flagged missing.
 *
 * Asking costs one `python -E -c …` per interpreter, cached for the process, with a deadline.
 * It runs no workspace code, but starting Python runs `site`, which executes the `.pth` files of
 * site-packages: so the linter asks only when the context allows it (`LintContext.runInterpreter`:
 * the CLI yes, the editor only in a trusted workspace — never in Restricted Mode).
 *
 * Which interpreter: the engine's (`findInterpreter` from runtime/src/python: `LintContext.python`
 * or `LMCACHE_PYTHON`, else the first of `python3` on PATH and `/usr/bin/python3` that is Python
 * >= 3.10 with `torch`). Only site-/dist-packages entries are kept, as the engine counts only
 * installed packages there (the standard library is no connector).
 */
import { spawnSync } from "node:child_process";
import { findInterpreter, forgetInterpreterProbes } from "../../python/interpreter";
import type { LintContext } from "../types";

/** How long one interpreter may take to answer. */
export const SYS_PATH_DEADLINE_MS = 3000;

const answers = new Map<string, string[] | null>();

const PROBE = "import sys, json\nprint(json.dumps(sys.path[1:]))";

/** The interpreter's `sys.path` without the script-directory entry (`-E`: PYTHON* variables ignored), or null. */
function ask(python: string, env: Record<string, string | undefined>): string[] | null {
  const key = `${python}\0${env["PATH"] ?? ""}`;
  if (answers.has(key)) return answers.get(key)!;
  let answer: string[] | null = null;
  try {
    const r = spawnSync(python, ["-E", "-c", PROBE], {
      encoding: "utf8", timeout: SYS_PATH_DEADLINE_MS, killSignal: "SIGKILL", stdio: ["ignore", "pipe", "ignore"],
      env: { PATH: env["PATH"] ?? "", HOME: env["HOME"] ?? "" },
    });
    const parsed: unknown = r.status === 0 ? JSON.parse(r.stdout.trim().split("\n").pop()!) : null;
    if (Array.isArray(parsed)) answer = parsed.filter((p): p is string => typeof p === "string" && p !== "");
  } catch {
    answer = null;
  }
  answers.set(key, answer);
  return answer;
}

/**
 * The interpreter's site-/dist-packages for a lint context, or `[]` when the context does not
 * allow running the interpreter, none is usable, or it does not answer in time.
 */
export function interpreterSysPath(ctx: LintContext): string[] {
  if (!ctx.runInterpreter) return [];
  const env = ctx.env ?? process.env;
  let python: string;
  try {
    python = findInterpreter(ctx.python ? { ...env, LMCACHE_PYTHON: ctx.python } : env).path;
  } catch {
    return [];
  }
  return (ask(python, env) ?? []).filter((p) => /[\\/](?:site|dist)-packages(?:[\\/]|$)/.test(p));
}

/** Forgets the cached answers and the engine's interpreter probes (tests). */
export function clearSysPathCache(): void {
  answers.clear();
  forgetInterpreterProbes();
}
