import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** A temp workspace with a complete TS connector, a broken one and a Python one. */
export function makeWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lint-"));
  fs.mkdirSync(path.join(dir, "pkg"));
  fs.writeFileSync(path.join(dir, "pkg", "conn.ts"), [
    'import { RemoteConnector } from "lmcache-connector-runtime";',
    "export class Good extends RemoteConnector {",
    "  async exists() { return false; } existsSync() { return false; } async get() { return null; }",
    "  async put() {} async list() { return []; } async close() {}",
    "}",
    "export class Plain {}",
    "export class NoSync extends RemoteConnector {",
    "  async exists() { return false; } async get() { return null; } async put() {} async list() { return []; } async close() {}",
    "}",
    "",
  ].join("\n"));
  fs.writeFileSync(path.join(dir, "pyc.py"), [
    "from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector",
    "class PyGood(RemoteConnector):",
    "    def __init__(self, loop, local_cpu_backend, config): pass",
    "    async def exists(self, key): return False",
    "    def exists_sync(self, key): return False",
    "    async def get(self, key): return None",
    "    async def put(self, key, obj): pass",
    "    async def list(self): return []",
    "    async def close(self): pass",
    "class PyNoSync(RemoteConnector):",
    "    def __init__(self, loop, local_cpu_backend, config): pass",
    "    async def exists(self, key): return False",
    "",
  ].join("\n"));
  return dir;
}

export function removeWorkspace(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
