/**
 * Which Python runs a Python connector (ours): `--python PATH` (the CLI sets `LMCACHE_PYTHON`),
 * else `LMCACHE_PYTHON`, else the first of `python3` on `PATH` and `/usr/bin/python3` that is
 * Python ≥ 3.10 and can import `torch` (LMCache requires both). The probe ({@link PROBE_SCRIPT}, also
 * the editor's) only looks torch up, it does not import it: the bridge imports it once, for real.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";

/** A usable interpreter. */
export interface PythonInterpreter {
  /** The path that was run (as found or given). */
  path: string;
  /** `sys.executable`. */
  executable: string;
  /** e.g. `"3.11.2"`. */
  version: string;
}

/** No usable interpreter: one clear message saying what to install (never a stack trace). */
export class PythonSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PythonSetupError";
  }
}

/** What to install, said once for every refusal. */
export const INSTALL_HINT =
  "Install Python >= 3.10 with torch (Debian/Ubuntu: apt-get install python3-torch, which serves /usr/bin/python3; elsewhere: pip install torch), " +
  "or name an interpreter that has it with --python PATH or LMCACHE_PYTHON.";

/**
 * Prints one JSON line: `sys.executable`, the version and whether torch is importable (looked up
 * with `importlib`, not imported: importing torch takes over a second). With the argument
 * {@link PROBE_VERSIONS} also torch's version and an installed `lmcache` (what the editor's status
 * shows; the package metadata lookups triple the probe's ~10 ms, so the CLI goes without).
 */
export const PROBE_SCRIPT = [
  "import sys, json, importlib.util as u",
  "full = sys.argv[1:] == ['--versions']",
  "def ver(n):",
  "    try:",
  "        from importlib import metadata as md",
  "        return md.version(n)",
  "    except Exception: return None",
  "out = {'exe': sys.executable, 'v': sys.version.split()[0], 'major': list(sys.version_info[:2]), 'torch': None}",
  "if u.find_spec('torch'): out['torch'] = (ver('torch') or 'unknown version') if full else ''",
  "if full:",
  "    spec = u.find_spec('lmcache')",
  // a folder named lmcache/ without __init__.py (a project's YAML configs) is a namespace package, not LMCache
  "    out['lmcache'] = {'source': 'installed', 'version': ver('lmcache')} if spec is not None and spec.origin else None",
  "print(json.dumps(out))",
].join("\n");

/** The argument that makes {@link PROBE_SCRIPT} look versions up too. */
export const PROBE_VERSIONS = "--versions";

/** What {@link PROBE_SCRIPT} found; `problem` says why the interpreter cannot run connectors. */
export interface InterpreterProbe {
  executable?: string;
  version?: string;
  /** torch's version (`""` when not looked up); null when the interpreter cannot import it. */
  torch?: string | null;
  /** The `lmcache` a run uses with `--lmcache auto`: an installed LMCache, else the kit's (looked up with {@link PROBE_VERSIONS}). */
  lmcache?: { source: "installed" | "kit"; version?: string };
  problem?: string;
}

/** Reads {@link PROBE_SCRIPT}'s output of the interpreter at `path`. */
export function parseInterpreterProbe(path: string, stdout: string): InterpreterProbe {
  let p: { exe: string; v: string; major: [number, number]; torch: string | null; lmcache?: { version: string | null } | null };
  try {
    p = JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as typeof p;
    if (typeof p.v !== "string" || !Array.isArray(p.major)) throw new TypeError("not the probe's answer");
  } catch {
    return { problem: `${path} did not answer like a Python interpreter` };
  }
  const info: InterpreterProbe = {
    executable: p.exe,
    version: p.v,
    torch: p.torch,
  };
  if (p.lmcache !== undefined) info.lmcache = p.lmcache ? { source: "installed", ...(p.lmcache.version ? { version: p.lmcache.version } : {}) } : { source: "kit" };
  const [major = 0, minor = 0] = p.major;
  if (major < 3 || (major === 3 && minor < 10)) info.problem = `${path} is Python ${p.v}; LMCache needs Python >= 3.10`;
  else if (p.torch === null) info.problem = `${path} (Python ${p.v}) cannot import torch`;
  return info;
}

interface Probe {
  ok: boolean;
  executable?: string;
  version?: string;
  problem?: string;
}

const probes = new Map<string, Probe>();

function probe(path: string): Probe {
  const cached = probes.get(path);
  if (cached) return cached;
  const run = spawnSync(path, ["-c", PROBE_SCRIPT], { encoding: "utf8", timeout: 15_000 });
  let result: Probe;
  if (run.error) {
    result = { ok: false, problem: `${path} could not be run (${(run.error as NodeJS.ErrnoException).code ?? run.error.message})` };
  } else if (run.status !== 0) {
    result = { ok: false, problem: `${path} failed to start (exit ${run.status}): ${(run.stderr || "").trim().split("\n").at(-1) ?? ""}` };
  } else {
    const found = parseInterpreterProbe(path, run.stdout);
    result = { ok: found.problem === undefined, executable: found.executable, version: found.version, problem: found.problem };
  }
  probes.set(path, result);
  return result;
}

/** `python3` on `PATH` (the first match), or null. */
function onPath(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env["PATH"] ?? "").split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/**
 * The interpreter to use. An explicit one (`LMCACHE_PYTHON`, set by `--python`) must be usable
 * itself; otherwise candidates are tried in order. Throws {@link PythonSetupError}.
 */
export function findInterpreter(env: NodeJS.ProcessEnv = process.env): PythonInterpreter {
  const explicit = env["LMCACHE_PYTHON"];
  if (explicit) {
    const path = isAbsolute(explicit) || explicit.includes("/") ? explicit : (onPath(explicit, env) ?? explicit);
    const p = probe(path);
    if (!p.ok) throw new PythonSetupError(`The Python named by --python/LMCACHE_PYTHON is not usable: ${p.problem}. ${INSTALL_HINT}`);
    return { path, executable: p.executable!, version: p.version! };
  }
  const candidates = [onPath("python3", env), "/usr/bin/python3"].filter((c): c is string => c !== null);
  const problems: string[] = [];
  for (const path of [...new Set(candidates)]) {
    const p = probe(path);
    if (p.ok) return { path, executable: p.executable!, version: p.version! };
    problems.push(p.problem!);
  }
  throw new PythonSetupError(`No Python interpreter with torch was found (${problems.join("; ") || "no python3 on PATH"}). ${INSTALL_HINT}`);
}

/** Forget probe results (tests that change interpreters). */
export function forgetInterpreterProbes(): void {
  probes.clear();
}
