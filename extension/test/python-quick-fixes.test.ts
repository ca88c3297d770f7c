/**
 * Python connectors in the editor: the mechanical quick fixes (`def exists` → `async def exists`,
 * `async def exists_sync` → `def exists_sync`) applied through the QuickFixProvider clear their
 * diagnostic, and workspace trust decides whether the interpreter's site-packages are searched
 * (Restricted Mode runs nothing: an installed connector is not found there).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as vscode from "vscode";
import { clearModuleAnalysisCache } from "../../runtime/src/lint";
import { clearSysPathCache } from "../../runtime/src/lint/modules/python-sys-path";
import { Diagnostic, fake, Range, type FakeTextDocument } from "./fake-vscode";
import { activateExtension, deactivateExtension, TempWorkspace } from "./workspace";

let ws: TempWorkspace;
let context: ReturnType<typeof activateExtension>["context"] | undefined;

beforeEach(() => {
  fake.reset();
  ws = new TempWorkspace();
  clearModuleAnalysisCache();
  clearSysPathCache();
});
afterEach(() => {
  if (context) deactivateExtension(context);
  context = undefined;
  ws.dispose();
});

const collection = () => fake.host.collections[0];
const published = (doc: FakeTextDocument) => collection().get(doc.uri) ?? [];
const codesOf = (doc: FakeTextDocument) => published(doc).map((d) => (d.code as { value: string }).value);

const SOURCE = [
  "from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector",
  "",
  "",
  "class Conn(RemoteConnector):",
  "    def __init__(self, loop, local_cpu_backend, config):",
  "        super().__init__(config, local_cpu_backend.metadata)",
  "",
  "    def exists(self, key):",
  "        return False",
  "",
  "    async def exists_sync(self, key):",
  "        return False",
  "",
].join("\n");

/** Asks the provider for the fixes of the published diagnostic with `code` (as the editor does: with a copy). */
async function fixesFor(doc: FakeTextDocument, code: string): Promise<vscode.CodeAction[]> {
  const d = published(doc).find((x) => (x.code as { value: string }).value === code)!;
  const copy = new Diagnostic(new Range(d.range.start, d.range.end), d.message, d.severity);
  copy.source = d.source;
  copy.code = d.code;
  const provider = fake.host.codeActionProviders[0];
  return (await provider.provider.provideCodeActions(doc, d.range, { diagnostics: [copy], triggerKind: 1 })) as vscode.CodeAction[];
}

describe("Python connector quick fixes", () => {
  it("makes exists async and exists_sync plain, and each fix clears its diagnostic", async () => {
    ({ context } = activateExtension());
    const doc = fake.open(ws.write("pkg/pyconn.py", SOURCE), SOURCE, "python");
    await vi.waitFor(() => expect(codesOf(doc).sort()).toEqual(["LMC022", "LMC023"]), { timeout: 10_000, interval: 10 });
    const notAsync = published(doc).find((d) => (d.code as { value: string }).value === "LMC022")!;
    expect(doc.getText(notAsync.range)).toBe("exists");

    const [makeAsync] = await fixesFor(doc, "LMC022");
    expect(makeAsync.title).toBe("Make 'exists' async def");
    expect(makeAsync.isPreferred).toBe(true);
    expect(await vscode.workspace.applyEdit(makeAsync.edit!)).toBe(true);
    expect(doc.getText()).toContain("    async def exists(self, key):\n");
    await vi.waitFor(() => expect(codesOf(doc)).toEqual(["LMC023"]), { timeout: 10_000, interval: 10 });

    const [makeSync] = await fixesFor(doc, "LMC023");
    expect(makeSync.title).toBe("Make 'exists_sync' a plain def");
    expect(await vscode.workspace.applyEdit(makeSync.edit!)).toBe(true);
    expect(doc.getText()).toContain("\n    def exists_sync(self, key):\n");
    await vi.waitFor(() => expect(codesOf(doc)).toEqual([]), { timeout: 10_000, interval: 10 });
  });
});

describe("a Python connector's base in another module", () => {
  it("re-lints a clean config when the base module it depends on changes", async () => {
    const base = (method: string) => [
      "from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector",
      "class Base(RemoteConnector):",
      "    def __init__(self, loop, local_cpu_backend, config): pass",
      `    ${method}`,
      "    def exists_sync(self, key): return False",
      "    async def get(self, key): return None",
      "    async def put(self, key, obj): pass",
      "    async def list(self): return []",
      "    async def close(self): pass",
      "",
    ].join("\n");
    ws.write("pyapp/__init__.py", "");
    ws.write("pyapp/base.py", base("async def exists(self, key): return False"));
    ws.write("pyapp/conn.py", "from .base import Base\n\nclass Conn(Base):\n    pass\n");
    ({ context } = activateExtension());
    const text = 'remote_url: "external://h:0/pyapp.conn/?connector_name=Conn"\n';
    const doc = fake.open(ws.write("lmcache.yaml", text), text, "yaml");
    await vi.waitFor(() => expect(codesOf(doc)).toEqual(["LMC018"]), { timeout: 10_000, interval: 10 });

    const file = ws.write("pyapp/base.py", base("def exists(self, key): return False"));
    fake.host.watchers.find((w) => w.glob.endsWith("py}"))!.change.fire(vscode.Uri.file(file));
    await vi.waitFor(() => expect(codesOf(doc)).toEqual(["LMC018", "LMC022"]), { timeout: 10_000, interval: 10 });
    expect(published(doc).find((d) => (d.code as { value: string }).value === "LMC022")!.message).toContain("Base.exists must be 'async def'");
  });
});

describe("site-packages and workspace trust", () => {
  /** A real virtual environment (Debian's python3 -m venv) with a connector installed in its site-packages. */
  function venvWithInstalledConnector(): string {
    const venv = path.join(ws.root, ".venv");
    execFileSync("/usr/bin/python3", ["-m", "venv", "--without-pip", "--system-site-packages", venv], { timeout: 30_000 });
    const site = execFileSync(path.join(venv, "bin", "python"), ["-E", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], { encoding: "utf8" }).trim();
    fs.mkdirSync(path.join(site, "installed_conn"));
    fs.writeFileSync(path.join(site, "installed_conn", "__init__.py"), [
      "from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector",
      "class Installed(RemoteConnector):",
      "    async def exists(self, key): return False",
      "",
    ].join("\n"));
    return venv;
  }

  it("finds a pip-installed connector only in a trusted workspace", async () => {
    const venv = venvWithInstalledConnector();
    const saved = process.env["LMCACHE_PYTHON"];
    process.env["LMCACHE_PYTHON"] = path.join(venv, "bin", "python");
    try {
      const text = 'remote_url: "external://h:0/installed_conn/?connector_name=Installed"\n';
      fake.host.isTrusted = false;
      ({ context } = activateExtension());
      const doc = fake.open(ws.write("restricted.yaml", text), text, "yaml");
      await vi.waitFor(() => expect(codesOf(doc)).toContain("LMC011"), { timeout: 10_000, interval: 10 });

      deactivateExtension(context);
      fake.reset();
      fake.setWorkspaceFolder(ws.root);
      fake.host.isTrusted = true;
      ({ context } = activateExtension());
      const trusted = fake.open(ws.write("trusted.yaml", text), text, "yaml");
      // found, and analysed: the class misses abstract methods
      await vi.waitFor(() => expect(codesOf(trusted)).toContain("LMC014"), { timeout: 10_000, interval: 10 });
      expect(published(trusted).find((d) => (d.code as { value: string }).value === "LMC014")!.message)
        .toContain("Can't instantiate abstract class Installed with abstract methods close, exists_sync, get, list, put");
      expect(codesOf(trusted)).not.toContain("LMC011");
    } finally {
      if (saved === undefined) delete process.env["LMCACHE_PYTHON"];
      else process.env["LMCACHE_PYTHON"] = saved;
    }
  });
});
