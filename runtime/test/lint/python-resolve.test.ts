/**
 * The linter's Python module resolution: PYTHONPATH, the interpreter's sys.path (a real venv's
 * site-packages) only when the context allows running it, LMCACHE_PYTHON, a deadline on an
 * interpreter that never answers, extension modules, the engine's language rule (a Python module
 * in the roots wins over a TS one; LMCACHE_CONNECTOR_LANGUAGE decides), and bases followed across
 * modules with `from … import`, `import … as`, relative imports and re-exports.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { clearModuleAnalysisCache, lintDocument } from "../../src/lint";
import { clearSysPathCache, interpreterSysPath } from "../../src/lint/modules/python-sys-path";
import { resolvePythonModule } from "../../src/lint/modules/resolve";
import type { LintContext } from "../../src/lint/types";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "lint-pyresolve-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
beforeEach(() => {
  clearModuleAnalysisCache();
  clearSysPathCache();
});

function write(rel: string, lines: string[]): string {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

const BASE = "from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector";
const INIT = "    def __init__(self, loop, local_cpu_backend, config): pass";
const METHODS = [
  "    async def exists(self, key): return False",
  "    def exists_sync(self, key): return False",
  "    async def get(self, key): return None",
  "    async def put(self, key, obj): pass",
  "    async def list(self): return []",
  "    async def close(self): pass",
];

/** Codes for an external:// URL naming module `m`, class `c`, linted in `ctx`. */
function codes(m: string, c: string, ctx: LintContext): string[] {
  const text = `remote_url: "external://h:0/${m}/?connector_name=${c}"\n`;
  return lintDocument({ path: path.join(ctx.cwd, `u${Math.random()}.yaml`), text }, ctx).map((d) => d.code).filter((x) => x !== "LMC018");
}

describe("roots", () => {
  const ws = path.join(root, "ws");
  fs.mkdirSync(ws, { recursive: true });
  write("libs/onpath/conn.py", [BASE, "class OnPath(RemoteConnector):", INIT, ...METHODS]);

  it("PYTHONPATH entries are roots (relative ones against cwd)", () => {
    expect(codes("onpath.conn", "OnPath", { cwd: ws, env: {} })).toEqual(["LMC011"]);
    expect(codes("onpath.conn", "OnPath", { cwd: ws, env: { PYTHONPATH: path.join(root, "libs") } })).toEqual([]);
    expect(codes("onpath.conn", "OnPath", { cwd: ws, env: { PYTHONPATH: `/nonexistent${path.delimiter}../libs` } })).toEqual([]);
  });
});

describe("which language wins (the engine's connectorLanguage rule)", () => {
  const ws = path.join(root, "ws4");
  write("ws4/both/conn.py", [BASE, "class Both(RemoteConnector):", "    def __init__(self, config, metadata): pass", ...METHODS]);
  write("ws4/both/conn.ts", [
    'import { RemoteConnector } from "lmcache-connector-runtime";',
    "export class Both extends RemoteConnector {",
    "  async exists() { return false; } existsSync() { return false; } async get() { return null; }",
    "  async put() {} async list() { return []; } async close() {}",
    "}",
  ]);
  it("auto: the Python module in the roots (what LMCache would load)", () => {
    expect(codes("both.conn", "Both", { cwd: ws, env: {} })).toEqual(["LMC021"]);
    expect(codes("both.conn", "Both", { cwd: ws, env: { LMCACHE_CONNECTOR_LANGUAGE: "python" } })).toEqual(["LMC021"]);
  });
  it("LMCACHE_CONNECTOR_LANGUAGE=ts (--language ts): the TS module", () => {
    expect(codes("both.conn", "Both", { cwd: ws, env: { LMCACHE_CONNECTOR_LANGUAGE: "ts" } })).toEqual([]);
  });
});

describe("the interpreter's sys.path", () => {
  const venv = path.join(root, "venv");
  execFileSync("/usr/bin/python3", ["-m", "venv", "--without-pip", "--system-site-packages", venv], { timeout: 30_000 });
  const python = path.join(venv, "bin", "python");
  const site = execFileSync(python, ["-E", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], { encoding: "utf8" }).trim();
  fs.mkdirSync(path.join(site, "pipconn"), { recursive: true });
  fs.writeFileSync(path.join(site, "pipconn", "__init__.py"), [BASE, "class Pip(RemoteConnector):", "    def __init__(self, config, metadata): pass", ...METHODS].join("\n") + "\n");
  const ws = path.join(root, "ws2");
  fs.mkdirSync(ws, { recursive: true });

  it("a pip-installed connector is found (and analysed) when the context may run the interpreter", () => {
    expect(interpreterSysPath({ cwd: ws, python, runInterpreter: true })).toContain(site);
    expect(codes("pipconn", "Pip", { cwd: ws, env: {}, python, runInterpreter: true })).toEqual(["LMC021"]);
  });

  it("an installed extension module (a/b.cpython-311-….so) counts as found; it is not analysed", () => {
    fs.mkdirSync(path.join(site, "fastpkg"), { recursive: true });
    fs.writeFileSync(path.join(site, "fastpkg", "__init__.py"), "");
    fs.writeFileSync(path.join(site, "fastpkg", "native.cpython-311-x86_64-linux-gnu.so"), "");
    const ctx = { cwd: ws, env: {}, python, runInterpreter: true };
    expect(resolvePythonModule("fastpkg.native", ctx)).toBe(path.join(site, "fastpkg", "native.cpython-311-x86_64-linux-gnu.so"));
    expect(codes("fastpkg.native", "Anything", ctx)).toEqual([]);
  });

  it("a folder a .pth file adds (pip install -e .) counts as installed, as for the engine", () => {
    write("proj/src/editable_conn.py", [BASE, "class Editable(RemoteConnector):", "    def __init__(self, config, metadata): pass", ...METHODS]);
    fs.writeFileSync(path.join(site, "__editable__.proj.pth"), path.join(root, "proj", "src") + "\n");
    try {
      expect(codes("editable_conn", "Editable", { cwd: ws, env: {}, python, runInterpreter: true })).toEqual(["LMC021"]);
    } finally {
      fs.rmSync(path.join(site, "__editable__.proj.pth"));
    }
  });

  it("the standard library is no connector (as for the engine): its folders are not searched", () => {
    expect(codes("json.decoder", "JSONDecoder", { cwd: ws, env: {}, python, runInterpreter: true })).toEqual(["LMC011"]);
  });

  it("nothing is run, and the package is not seen, when the context does not allow it", () => {
    expect(interpreterSysPath({ cwd: ws, python, runInterpreter: false })).toEqual([]);
    expect(codes("pipconn", "Pip", { cwd: ws, env: {}, python })).toEqual(["LMC011"]);
  });

  it("LMCACHE_PYTHON names the interpreter when the context does not", () => {
    expect(codes("pipconn", "Pip", { cwd: ws, env: { LMCACHE_PYTHON: python }, runInterpreter: true })).toEqual(["LMC021"]);
  });

  it("without either, Debian's /usr/bin/python3 (the one with torch) is asked", () => {
    const paths = interpreterSysPath({ cwd: ws, env: { PATH: "/nonexistent" }, runInterpreter: true });
    expect(paths).toContain("/usr/lib/python3/dist-packages");
  });

  it("an interpreter that never answers is given up on at the deadline (no site-packages, no hang), once", () => {
    const counter = path.join(root, "asked");
    // answers the engine's interpreter probe (Python 3.11 with torch), then hangs on the sys.path query
    const hang = write("bin/hang-python", [
      "#!/bin/sh",
      `if [ "$1" != "-E" ]; then echo '{"exe": "/x", "v": "3.11.2", "major": [3, 11], "torch": ""}'; exit 0; fi`,
      `echo asked >> '${counter}'`,
      "exec sleep 30",
    ]);
    fs.chmodSync(hang, 0o755);
    expect(interpreterSysPath({ cwd: ws, python: hang, runInterpreter: true })).toEqual([]);
    // the failure is cached: asking again does not start it again
    expect(interpreterSysPath({ cwd: ws, python: hang, runInterpreter: true })).toEqual([]);
    expect(fs.readFileSync(counter, "utf8")).toBe("asked\n");
  });
});

describe("bases across modules", () => {
  const ws = path.join(root, "ws3");
  write("ws3/app/__init__.py", []);
  write("ws3/app/base/__init__.py", ["from .impl import Impl as PublicBase  # a re-export"]);
  write("ws3/app/base/impl.py", [BASE, "class Impl(RemoteConnector):", INIT, ...METHODS]);
  write("ws3/app/base/partial.py", [BASE, "class Partial(RemoteConnector):", "    async def exists(self, key): return False"]);
  write("ws3/app/conns.py", [
    "from app.base import PublicBase",
    "from . import base as b",
    "from .base.partial import Partial",
    "import app.base.impl",
    "import app.base.impl as impl_alias",
    "class ViaReexport(PublicBase): pass",
    "class ViaPackageAttr(b.PublicBase): pass",
    "class ViaDotted(app.base.impl.Impl): pass",
    "class ViaAlias(impl_alias.Impl): pass",
    "class FromPartial(Partial):",
    INIT,
    "class ThirdParty(somewhere.Unknown, RemoteConnectorish): pass",
    "import lmcache.v1.storage_backend.connector.base_connector",
    "class FullyDotted(impl_alias.Impl, lmcache.v1.storage_backend.connector.base_connector.RemoteConnector): pass",
    "class FullyDottedMissing(lmcache.v1.storage_backend.connector.base_connector.RemoteConnector): pass",
    "from .base.impl import Impl as Imported",
  ]);
  const ctx: LintContext = { cwd: ws, env: {} };

  for (const c of ["ViaReexport", "ViaPackageAttr", "ViaDotted", "ViaAlias", "Imported"] as const) {
    it(`${c}: the complete base is found`, () => expect(codes("app.conns", c, ctx)).toEqual([]));
  }
  it("a base in another module that misses methods: Python's abstract text", () => {
    const text = 'remote_url: "external://h:0/app.conns/?connector_name=FromPartial"\n';
    const d = lintDocument({ path: path.join(ws, "p.yaml"), text }, ctx).find((x) => x.code === "LMC014")!;
    expect(d.raises).toEqual({ name: "TypeError", message: "Can't instantiate abstract class FromPartial with abstract methods close, exists_sync, get, list, put" });
  });
  it("an unresolvable base: nothing is claimed", () => expect(codes("app.conns", "ThirdParty", ctx)).toEqual([]));
  it("a base named by its full dotted path after `import lmcache.v1.…base_connector`", () => {
    expect(codes("app.conns", "FullyDotted", ctx)).toEqual([]);
    expect(codes("app.conns", "FullyDottedMissing", ctx)).toEqual(["LMC014"]);
  });
});
