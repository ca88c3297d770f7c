/**
 * The interpreter's own import roots (`sys.path`: stdlib, site-packages, user site) for the
 * linter's Python resolution (ours), so a pip-installed connector is not flagged missing.
 *
 * Asking costs one `python -E -c …` per interpreter, cached for the process, with a deadline.
 * It runs no workspace code, but starting Python runs `site`, which executes the `.pth` files of
 * site-packages: so the linter asks only when the context allows it (`LintContext.runInterpreter`:
 * the CLI yes, the editor only in a trusted workspace — never in Restricted Mode).
 *
 * Which interpreter: `LintContext.python`, else `LMCACHE_PYTHON`, else the first of `python3` on
 * PATH and `/usr/bin/python3` that can find `torch` (the engine's rule, issue 12 item 2; checked
 * with `importlib.util.find_spec`, which imports nothing), else the first of them that runs.
 */
import { spawnSync } from "node:child_process";
import type { LintContext } from "../types";

/** How long one interpreter may take to answer. */
export const SYS_PATH_DEADLINE_MS = 3000;

/** What one interpreter said: its sys.path without the script-directory entry, and whether torch is findable. */
interface Answer {
  sysPath: string[];
  hasTorch: boolean;
}

const answers = new Map<string, Answer | null>();

const PROBE = "import sys, json, importlib.util\nprint(json.dumps([sys.path[1:], importlib.util.find_spec('torch') is not None]))";

function ask(python: string, env: Record<string, string | undefined>): Answer | null {
  const key = `${python}\0${env["PATH"] ?? ""}`;
  if (answers.has(key)) return answers.get(key)!;
  let answer: Answer | null = null;
  try {
    const r = spawnSync(python, ["-E", "-c", PROBE], {
      encoding: "utf8", timeout: SYS_PATH_DEADLINE_MS, killSignal: "SIGKILL", stdio: ["ignore", "pipe", "ignore"],
      env: { PATH: env["PATH"] ?? "", HOME: env["HOME"] ?? "" },
    });
    if (r.status === 0) {
      const [sysPath, hasTorch] = JSON.parse(r.stdout.trim().split("\n").pop()!) as [unknown, unknown];
      if (Array.isArray(sysPath)) answer = { sysPath: sysPath.filter((p): p is string => typeof p === "string" && p !== ""), hasTorch: hasTorch === true };
    }
  } catch {
    answer = null;
  }
  answers.set(key, answer);
  return answer;
}

/**
 * The interpreter's import roots for a lint context, or `[]` when the context does not allow
 * running the interpreter or none answers in time.
 */
export function interpreterSysPath(ctx: LintContext): string[] {
  if (!ctx.runInterpreter) return [];
  const env = ctx.env ?? process.env;
  const explicit = ctx.python ?? env["LMCACHE_PYTHON"];
  if (explicit) return ask(explicit, env)?.sysPath ?? [];
  const found = ["python3", "/usr/bin/python3"].map((p) => ask(p, env)).filter((a): a is Answer => a !== null);
  return (found.find((a) => a.hasTorch) ?? found[0])?.sysPath ?? [];
}

/** Forgets the cached answers (tests). */
export function clearSysPathCache(): void {
  answers.clear();
}
