/** Where the kit's Python files are (ours): the bridge and the kit's `lmcache` package. */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { findAbove } from "../files/find-above";

const BRIDGE = join("lmcache_connector_kit", "bridge.py");

/**
 * `runtime/python` (shipped as `python/`): `LMCACHE_KIT_PYTHON_DIR` when set and it holds the
 * bridge (a bundle that ships the folder elsewhere), else the first `python/` folder holding
 * `lmcache_connector_kit/bridge.py` at or above `startDir`; null when there is none.
 */
export function findKitPythonDir(startDir: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const fromEnv = env["LMCACHE_KIT_PYTHON_DIR"];
  if (fromEnv && existsSync(join(fromEnv, BRIDGE))) return fromEnv;
  const bridge = findAbove(startDir, join("python", BRIDGE));
  return bridge === null ? null : dirname(dirname(bridge));
}

/** {@link findKitPythonDir} from this module's folder; throws when the files are missing. */
export function kitPythonDir(): string {
  const found = findKitPythonDir(__dirname);
  if (found === null) throw new Error(`the kit's Python files (python/lmcache_connector_kit) were not found above ${__dirname}`);
  return found;
}
