/**
 * The Python-lane options of `check`, `run` and `bench` (ours): `--python PATH`,
 * `--language python|ts` and `--lmcache installed|kit|auto`. They reach the process that loads
 * the connector (in-process or the runner child) as environment variables, the same ones a user
 * may set: `LMCACHE_PYTHON`, `LMCACHE_CONNECTOR_LANGUAGE` and `LMCACHE_KIT_LMCACHE`.
 */
import { isAbsolute, resolve } from "node:path";
import { UsageError, type ParsedArgs } from "./argv";

/** The flags' names, for a command's value flags. */
export const PYTHON_FLAGS = ["python", "language", "lmcache"] as const;

/** The help block printed with the LMCache-config options. */
export const PYTHON_HELP = `Python connectors (a module path that resolves to a .py file or an installed package):
  --python PATH       the interpreter (default: LMCACHE_PYTHON, else the first of python3 on
                      PATH and /usr/bin/python3 that is Python >= 3.10 and can import torch)
  --language LANG     python or ts: which module to load when both a .py and a .ts/.js module
                      match the module path (default: Python wins, as LMCache loads Python);
                      also LMCACHE_CONNECTOR_LANGUAGE
  --lmcache WHICH     installed, kit or auto (default): run against the interpreter's real
                      lmcache package, the kit's compatible one, or the real one when importable;
                      also LMCACHE_KIT_LMCACHE
`;

/** The environment variables the given flags set (validated; relative `--python` against `cwd`). */
export function pythonEnv(parsed: ParsedArgs, cwd: string): Record<string, string> {
  const last = (flag: string): string | undefined => {
    const all = parsed.lists.get(flag) ?? [];
    if (all.includes("")) throw new UsageError(`--${flag} needs a non-empty value`);
    return all.at(-1);
  };
  const env: Record<string, string> = {};
  const python = last("python");
  if (python !== undefined) env["LMCACHE_PYTHON"] = python.includes("/") && !isAbsolute(python) ? resolve(cwd, python) : python;
  const language = last("language");
  if (language !== undefined) {
    if (language !== "python" && language !== "ts") throw new UsageError(`--language must be python or ts, got '${language}'`);
    env["LMCACHE_CONNECTOR_LANGUAGE"] = language;
  }
  const lmcache = last("lmcache");
  if (lmcache !== undefined) {
    if (!["installed", "kit", "auto"].includes(lmcache)) throw new UsageError(`--lmcache must be installed, kit or auto, got '${lmcache}'`);
    env["LMCACHE_KIT_LMCACHE"] = lmcache;
  }
  return env;
}
