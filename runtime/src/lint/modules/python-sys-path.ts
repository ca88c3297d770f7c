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
 * >= 3.10 with `torch`). The standard library's folders are left out, as the engine leaves them
 * out (the standard library is no connector); site-/dist-packages and folders that `.pth` files
 * add (`pip install -e .`) count as installed.
 */
import { spawnSync } from "node:child_process";
import { findInterpreter, forgetInterpreterProbes } from "../../python/interpreter";
import type { LintContext } from "../types";

/** How long one interpreter may take to answer. */
export const SYS_PATH_DEADLINE_MS = 3000;

const answers = new Map<string, string[] | null>();

// sys.path without the script directory, the standard library left out as the engine leaves it out
// (runtime/src/python/resolve.ts): site-/dist-packages and .pth-added folders (editable installs) stay.
const PROBE = [
  "import sys, os, json, sysconfig",
  "std = tuple(os.path.join(os.path.realpath(p), '') for p in {sysconfig.get_paths().get(k) for k in ('stdlib', 'platstdlib')} if p)",
  "keep = [p for p in sys.path[1:] if p and ('site-packages' in p or 'dist-packages' in p or not os.path.join(os.path.realpath(p), '').startswith(std))]",
  "print(json.dumps(keep))",
].join("\n");

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
 * The interpreter's installed-package folders for a lint context (site-/dist-packages and
 * `.pth`-added folders, not the standard library), or `[]` when the context does not allow running
 * the interpreter, none is usable, or it does not answer in time.
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
  return ask(python, env) ?? [];
}

/** Forgets the cached answers and the engine's interpreter probes (tests). */
export function clearSysPathCache(): void {
  answers.clear();
  forgetInterpreterProbes();
}
