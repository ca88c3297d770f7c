/**
 * The Python connector diagnostics as users see them: where they are reported, their texts and
 * quick fixes, the plugin-class rules, what is deliberately left unjudged, and that a verdict
 * follows edits to the module a base class comes from.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeUrl, lintDocument, type LintDiagnostic, type LintFix } from "../../src/lint";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "lint-pychecks-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const ctx = { cwd: root, env: {} };

let stamp = Date.now();
function write(rel: string, lines: string[]): string {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join("\n") + "\n");
  // distinct mtimes, so the module analysis cache sees every rewrite
  const t = new Date((stamp += 5000));
  fs.utimesSync(file, t, t);
  return file;
}

const BASE = "from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector";
const INIT = "    def __init__(self, loop, local_cpu_backend, config): pass";
const STORE = [
  "    async def get(self, key): return None",
  "    async def put(self, key, obj): pass",
  "    async def list(self): return []",
  "    async def close(self): pass",
];

function lintYaml(text: string): LintDiagnostic[] {
  return lintDocument({ path: path.join(root, `c${Math.random()}.yaml`), text }, ctx).filter((d) => d.code !== "LMC018");
}
const url = (m: string, c: string) => `remote_url: "external://h:0/${m}/?connector_name=${c}"\n`;

/** Applies a fix's edits (single-line ranges suffice here) to a text. */
function apply(text: string, fix: LintFix): string {
  const lines = text.split("\n");
  for (const e of [...fix.edits].reverse()) {
    const l = lines[e.range.start.line];
    lines[e.range.start.line] = l.slice(0, e.range.start.character) + e.newText + l.slice(e.range.end.character);
  }
  return lines.join("\n");
}

describe("at the URL", () => {
  write("pk/__init__.py", []);
  write("pk/conns.py", [
    BASE,
    "class Meta(RemoteConnector):",
    "    def __init__(self, config, metadata): pass",
    "    async def exists(self, key): return False",
    "    def exists_sync(self, key): return False",
    ...STORE,
    "class Kinds(RemoteConnector):",
    INIT,
    "    def exists(self, key): return False",
    "    async def exists_sync(self, key): return False",
    "    async def remove_sync(self, key): return True",
    ...STORE,
  ]);

  it("LMC021: the call LMCache makes, Python's TypeError and where the __init__ is", () => {
    const [d] = lintYaml(url("pk.conns", "Meta"));
    expect(d.code).toBe("LMC021");
    expect(d.message).toBe("Meta(loop=…, local_cpu_backend=…, config=…) raises TypeError: Meta.__init__() got an unexpected keyword argument 'loop' (pk/conns.py:3)");
    expect(d.raises).toEqual({ name: "TypeError", message: "Meta.__init__() got an unexpected keyword argument 'loop'" });
    // on the class name
    expect(url("pk.conns", "Meta").slice(d.range.start.character, d.range.end.character)).toBe("Meta");
  });

  it("LMC022 / LMC023: each method of the wrong kind, with what LMCache does with it", () => {
    const ds = lintYaml(url("pk.conns", "Kinds"));
    expect(ds.map((d) => d.code)).toEqual(["LMC022", "LMC023", "LMC023"]);
    expect(ds[0].message).toBe("Kinds.exists must be 'async def': LMCache awaits it (asyncio.run_coroutine_threadsafe(connector.exists(…), loop)), which raises TypeError: A coroutine object is required (pk/conns.py:12)");
    expect(ds[1].message).toContain('Kinds.exists_sync must be a plain \'def\'');
    expect(ds[1].message).toContain('which is truthy — so every key "exists" (pk/conns.py:13)');
    expect(ds[2].message).toContain('so every removal "succeeds" and nothing is removed (pk/conns.py:14)');
  });
});

describe("plugin classes (remote_storage_plugin.<name>.class_name)", () => {
  write("plug.py", [
    "from lmcache.v1.storage_backend.connector import ConnectorAdapter",
    "class NeedsArgs(ConnectorAdapter):",
    "    def __init__(self, schema): super().__init__(schema)",
    "    def create_connector(self, context): return None",
    "class Fine(ConnectorAdapter):",
    "    def __init__(self): super().__init__('plugin://p')",
    "    def create_connector(self, context): return None",
    "class Plain:",
    "    pass",
  ]);
  const config = (cls: string) =>
    `remote_url: "plugin://p"\nremote_storage_plugins: ["p"]\nextra_config:\n  remote_storage_plugin.p.module_path: plug\n  remote_storage_plugin.p.class_name: ${cls}\n`;

  it("an adapter is created as Cls(): required parameters are LMCache's TypeError, and the plugin is skipped", () => {
    const [d] = lintYaml(config("NeedsArgs"));
    expect(d.code).toBe("LMC021");
    expect(d.message).toBe(
      "NeedsArgs() raises TypeError: NeedsArgs.__init__() missing 1 required positional argument: 'schema' (plug.py:3)"
        + ' — LMCache logs "Failed to create remote connector p adapter: …" and skips the plugin',
    );
  });
  it("an adapter with a no-argument __init__ is fine", () => expect(lintYaml(config("Fine"))).toEqual([]));
  it("neither an adapter nor a connector", () => {
    const [d] = lintYaml(config("Plain"));
    expect([d.code, d.raises?.message]).toEqual(["LMC013", "Plain is neither a ConnectorAdapter nor a RemoteConnector subclass"]);
  });
});

describe("in the Python source itself", () => {
  const text = [
    BASE,
    "class Intermediate(RemoteConnector):",
    "    '''abstract by design: no LMC014 here'''",
    "    async def exists(self, key): return False",
    "class Conn(Intermediate):",
    INIT,
    "    def exists(self, key): return False",
    "    async def exists_sync(self, key): return False",
    ...STORE,
    "class NotAConnector:",
    "    def exists(self): return 1",
    "",
  ].join("\n");
  const file = path.join(root, "src_conn.py");

  it("reports the methods a connector class defines with the wrong kind, at their names, with a fix", () => {
    const ds = lintDocument({ path: file, text }, ctx);
    expect(ds.map((d) => [d.code, d.range.start.line, text.split("\n")[d.range.start.line].slice(d.range.start.character, d.range.end.character)])).toEqual([
      ["LMC022", 6, "exists"],
      ["LMC023", 7, "exists_sync"],
    ]);
    const fixed = apply(apply(text, ds[1].fixes[0]), ds[0].fixes[0]);
    expect(fixed.split("\n").slice(6, 8)).toEqual(["    async def exists(self, key): return False", "    def exists_sync(self, key): return False"]);
    expect(lintDocument({ path: file, text: fixed }, ctx)).toEqual([]);
  });

  it("reports a syntax error at its line, and nothing else", () => {
    const broken = text.replace("    def exists(self, key): return False", "    def exists(self, key) return False");
    const ds = lintDocument({ path: file, text: broken }, ctx);
    expect(ds.map((d) => [d.code, d.message, d.range.start.line])).toEqual([["LMC020", "SyntaxError: expected ':' (line 7)", 6]]);
    expect(ds[0].raises).toEqual({ name: "SyntaxError", message: "expected ':'" });
  });
});

describe("what is left unjudged", () => {
  write("unjudged.py", [
    BASE,
    "import functools",
    "from thirdparty import Mixin",
    "class BehindUnknown(Mixin, RemoteConnector):",
    "    pass",
    "class Decorated(RemoteConnector):",
    INIT,
    "    @functools.lru_cache",
    "    def exists(self, key): return False",
    "    def exists_sync(self, key): return False",
    ...STORE,
    "class CustomNew(RemoteConnector):",
    "    def __new__(cls, **kw): return object.__new__(cls)",
    "    def __init__(self, config, metadata): pass",
    "    async def exists(self, key): return False",
    "    def exists_sync(self, key): return False",
    ...STORE,
  ]);
  it("a base we cannot resolve may provide anything: nothing is claimed past it", () => expect(lintYaml(url("unjudged", "BehindUnknown"))).toEqual([]));
  it("a method behind an unknown decorator keeps no known kind", () => expect(lintYaml(url("unjudged", "Decorated"))).toEqual([]));
  it("a class with its own __new__: the constructor is not judged", () => expect(lintYaml(url("unjudged", "CustomNew"))).toEqual([]));
  it("a class decorator, a rebinding (X = wrap(X)) or a metaclass of the user's: nothing is claimed", () => {
    const fixtures = path.resolve(__dirname, "../fixtures/python-lint");
    for (const cls of ["DataclassConnector", "WrappedConnector", "MetaclassConnector"]) {
      const text = `remote_url: "external://h:0/pylint_fx.decorated/?connector_name=${cls}"\n`;
      const ds = lintDocument({ path: path.join(fixtures, `d-${cls}.yaml`), text }, { cwd: fixtures, env: {} });
      expect(ds.map((d) => d.code), cls).toEqual(["LMC018"]);
    }
    // the same classes without those: LMCache's TypeError
    const plain = lintDocument({ path: path.join(fixtures, "d-plain.yaml"), text: 'remote_url: "external://h:0/pylint_fx.decorated/?connector_name=_Plain"\n' }, { cwd: fixtures, env: {} });
    expect(plain.map((d) => d.code)).toEqual(["LMC018", "LMC021"]);
  });
});

describe("a verdict follows the module its base comes from", () => {
  it("fixing the base module clears the diagnostic of an unchanged config; breaking it again brings it back", () => {
    write("dep/__init__.py", []);
    const base = (exists: string) => write("dep/base.py", [BASE, "class B(RemoteConnector):", INIT, `    ${exists}`, "    def exists_sync(self, key): return False", ...STORE]);
    write("dep/conn.py", ["from dep.base import B", "class C(B):", "    pass"]);
    const doc = { path: path.join(root, "follow.yaml"), text: url("dep.conn", "C") };
    base("def exists(self, key): return False");
    expect(lintDocument(doc, ctx).map((d) => d.code)).toEqual(["LMC018", "LMC022"]);
    base("async def exists(self, key): return False");
    expect(lintDocument(doc, ctx).map((d) => d.code)).toEqual(["LMC018"]);
    base("def exists(self, key): return False");
    expect(lintDocument(doc, ctx).map((d) => d.code)).toEqual(["LMC018", "LMC022"]);
  });
});

describe("hover", () => {
  it("names a Python class's kind through its bases in other modules", () => {
    write("hov/__init__.py", []);
    write("hov/base.py", [BASE, "class B(RemoteConnector):", "    pass"]);
    write("hov/conn.py", ["from hov.base import B", "from lmcache.v1.storage_backend.connector import ConnectorAdapter", "class C(B): pass", "class A(ConnectorAdapter): pass", "class P: pass"]);
    const kind = (c: string) => describeUrl(`external://h:0/hov.conn/?connector_name=${c}`, ctx).classKind;
    expect([kind("C"), kind("A"), kind("P"), kind("Nope")]).toEqual(["remote-connector", "connector-adapter", "none", "missing"]);
  });
});
