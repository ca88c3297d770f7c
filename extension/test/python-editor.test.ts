/**
 * Python connectors in the editor, statically and in configuration: discovery of Python connector
 * classes (bases through other modules and mixins, src layout, tests and private bases left out),
 * the import closure that continuous runs follow, the interpreter setting's resolution (setting,
 * the Python extension's selection, the runtime's discovery; torch missing → an actionable
 * message), and F5's resolution of a Python connector to the debugpy side.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { findInterpreter, INSTALL_HINT } from "../../runtime/src/python/interpreter";
import { connectorDependencies, findConnectors } from "../src/connectors";
import { debugpyEnv, parseAnnouncements, resolvePythonRunLaunch } from "../src/debug-launch";
import { configFor, configLanguage } from "../src/debug-provider";
import { DEBUG_TYPE, PYTHON_DEBUG_TYPE, RUN_AGAINST_LOCAL_CACHE } from "../src/ids";
import { pythonImportRoots, pythonImports, pythonModuleName } from "../src/python-connectors";
import { chooseInterpreter, INSTALL_TORCH, parseProbe, probeInterpreter, problemMessage, statusText } from "../src/python-interpreter";
import { bundledCliPath } from "../src/runtime-paths";
import { EventEmitter, fake, Uri } from "./fake-vscode";
import { activateExtension, deactivateExtension } from "./workspace";

const root = path.resolve(__dirname, "..", "..");
const BASE = "from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector\n";
const METHODS = [
  "    def __init__(self, loop, local_cpu_backend, config):",
  "        super().__init__(local_cpu_backend.config, local_cpu_backend.metadata)",
  "    async def exists(self, key): return False",
  "    def exists_sync(self, key): return False",
  "    async def get(self, key): return None",
  "    async def put(self, key, memory_obj): pass",
  "    async def list(self): return []",
  "    async def close(self): pass",
].join("\n");

let dir: string;
const write = (rel: string, text: string): string => {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
};

beforeEach(() => {
  fake.reset();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lmcache-ext-py-"));
  fake.setWorkspaceFolder(dir);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("discovery of Python connector classes", () => {
  it("finds RemoteConnector subclasses through bases in other modules and mixins, with module path, roots and range", async () => {
    write("pyproject.toml", "[project]\nname = 'acme'\n");
    write("src/acme/__init__.py", "");
    write("src/acme/base.py", `${BASE}\nclass BaseStore(RemoteConnector):\n${METHODS}\n`);
    const conn = write("src/acme/acme_connector.py", [
      "from .base import BaseStore",
      "from acme import helpers",
      "class Mixin:",
      "    pass",
      "class AcmeConnector(Mixin, BaseStore):",
      "    pass",
      "class _Intermediate(BaseStore):",
      "    pass",
      "class NotOne(Mixin):",
      "    pass",
      "",
    ].join("\n"));
    const helpers = write("src/acme/helpers.py", "X = 1\n");
    write("tests/test_conformance.py", `${BASE}\nclass TestConnector(RemoteConnector):\n${METHODS}\n`);
    write("src/acme/broken.py", `${BASE}\nclass Broken(RemoteConnector:\n    pass\n`);
    const found = await findConnectors(dir);
    const names = found.map((c) => `${c.modulePath}:${c.className}`).sort();
    // the base counts (it is a complete connector); the subclass through another module and a mixin; nothing else
    expect(names).toEqual(["acme.acme_connector:AcmeConnector", "acme.base:BaseStore"]);
    const acme = found.find((c) => c.className === "AcmeConnector")!;
    expect(acme).toMatchObject({ file: conn, folder: dir, language: "python", searchPaths: [path.join(dir, "src")] });
    expect(acme.range).toEqual({ startLine: 4, startCharacter: 6, endLine: 4, endCharacter: 6 + "AcmeConnector".length });
    // continuous runs: a save of the base module or of a helper it imports re-runs the class
    const deps = connectorDependencies(acme);
    expect(deps.has(path.join(dir, "src/acme/base.py"))).toBe(true);
    expect(deps.has(helpers)).toBe(true);
    expect(deps.has(path.join(dir, "src/acme/broken.py"))).toBe(false);
  });

  it("a class whose MRO does not reach RemoteConnector, or an unknown base, is not a connector", async () => {
    write("plain.py", "class Connector:\n    pass\nclass OtherConnector(SomethingElse):\n    pass\n");
    write("abstract_base.py", `${BASE}import abc\nclass AbstractConnector(RemoteConnector):\n    @abc.abstractmethod\n    def extra(self): ...\n`);
    expect(await findConnectors(dir)).toEqual([]);
  });

  it("module names and imports: packages, relative imports, submodules named in from-imports", () => {
    expect(pythonModuleName(dir, path.join(dir, "a", "b.py"))).toBe("a.b");
    expect(pythonModuleName(dir, path.join(dir, "a", "__init__.py"))).toBe("a");
    expect(pythonModuleName(dir, path.join(dir, "my-pkg", "b.py"))).toBeNull();
    const a = write("pkg/a.py", "");
    const b = write("pkg/sub/b.py", "");
    const init = write("pkg/__init__.py", "");
    const main = write("pkg/main.py", "import os, pkg.a as x\nfrom .sub import b\nfrom . import (\n    a,\n)\n");
    expect(new Set(pythonImports(main, fs.readFileSync(main, "utf8"), pythonImportRoots(dir)))).toEqual(new Set([a, b, init]));
  });
});

describe("the interpreter", () => {
  it("the setting wins, then the Python extension's selection, else the runtime's discovery", () => {
    expect(chooseInterpreter("/opt/py/bin/python3", "/venv/bin/python", dir)).toEqual({ path: "/opt/py/bin/python3", source: "setting" });
    expect(chooseInterpreter("${workspaceFolder}/.venv/bin/python", undefined, dir)).toEqual({ path: `${dir}/.venv/bin/python`, source: "setting" });
    expect(chooseInterpreter("venv/bin/python", undefined, dir)).toEqual({ path: path.join(dir, "venv/bin/python"), source: "setting" });
    expect(chooseInterpreter("", "/venv/bin/python", dir)).toEqual({ path: "/venv/bin/python", source: "python-extension" });
    expect(chooseInterpreter(undefined, undefined, dir)).toBeUndefined();
  });

  it("uses the Python extension's selected interpreter for the folder, and passes it to runs", async () => {
    const asked: unknown[] = [];
    let selected = "/usr/bin/python3";
    const changed = new EventEmitter<unknown>();
    fake.host.extensions.set("ms-python.python", {
      id: "ms-python.python", isActive: false, exports: undefined,
      activate: async () => ({ environments: { getActiveEnvironmentPath: (r: unknown) => (asked.push(r), { path: selected }), onDidChangeActiveEnvironmentPath: changed.event } }),
    });
    const { api, context } = activateExtension();
    try {
      const info = await api.features.python.resolve(Uri.file(dir) as never);
      expect(info).toMatchObject({ path: "/usr/bin/python3", source: "python-extension" });
      expect((asked[0] as Uri).fsPath).toBe(dir);
      expect(await api.features.python.runnerEnv(Uri.file(dir) as never)).toEqual({ LMCACHE_PYTHON: "/usr/bin/python3" });
      // the status item names it with torch and the lmcache in use (no LMCache installed here: the kit's)
      const item = fake.host.languageStatusItems.find((i) => i.id === "lmcachePythonInterpreter")!;
      expect(item.text).toMatch(/^Python 3\.\d+\.\d+ · torch \S+ · lmcache/);
      expect(item.text).toBe(statusText(info));
      // another interpreter selected there: the next run uses it
      execFileSync("/usr/bin/python3", ["-m", "venv", "--without-pip", "--system-site-packages", path.join(dir, "venv")]);
      selected = path.join(dir, "venv", "bin", "python3");
      changed.fire(undefined);
      expect(await api.features.python.runnerEnv(Uri.file(dir) as never)).toEqual({ LMCACHE_PYTHON: selected });
    } finally {
      deactivateExtension(context);
    }
  });

  it("without setting or Python extension, discovers as the CLI does", async () => {
    const { api, context } = activateExtension();
    try {
      const info = await api.features.python.resolve(Uri.file(dir) as never);
      const { LMCACHE_PYTHON: _, ...env } = process.env;
      expect(info).toMatchObject({ path: findInterpreter(env).path, source: "discovered" });
      expect(info.torch).toBeTruthy();
    } finally {
      deactivateExtension(context);
    }
  });

  it("an interpreter without torch gets a clear, actionable message (and the status says so)", async () => {
    // a real interpreter lacking torch: a venv of /usr/bin/python3 without the system's packages
    execFileSync("/usr/bin/python3", ["-m", "venv", "--without-pip", path.join(dir, "venv")]);
    const venvPython = path.join(dir, "venv", "bin", "python3");
    fake.setConfig("lmcacheConnector.python", venvPython);
    const { api, context } = activateExtension();
    try {
      const info = await api.features.python.resolve(Uri.file(dir) as never);
      expect(info.problem).toMatch(/cannot import torch/);
      const message = fake.host.messages.find((m) => m.level === "error")!;
      expect(message.message).toBe(problemMessage(info));
      expect(message.message).toMatch(/apt-get install python3-torch/);
      expect(INSTALL_HINT.startsWith(INSTALL_TORCH)).toBe(true); // the runtime's words, in step
      expect(message.message).toMatch(/lmcacheConnector\.python/);
      expect(message.items).toEqual(["Open Settings"]);
      expect(fake.host.languageStatusItems.find((i) => i.id === "lmcachePythonInterpreter")!.text).toMatch(/^Python 3\.\d+\.\d+: no torch$/);
    } finally {
      deactivateExtension(context);
    }
  });

  it("the probe of the real /usr/bin/python3 reads torch's version without importing it, and a non-Python answers clearly", async () => {
    const info = await probeInterpreter({ path: "/usr/bin/python3", source: "setting" });
    expect(info.problem).toBeUndefined();
    expect(info.torch).toMatch(/^\d+\.\d+/);
    expect(info.lmcache).toEqual({ source: "kit" });
    expect(parseProbe({ path: "/bin/true", source: "setting" }, "").problem).toMatch(/did not answer like a Python interpreter/);
    const missing = await probeInterpreter({ path: path.join(dir, "nope"), source: "setting" });
    expect(missing.problem).toMatch(/could not be run \(ENOENT\)/);
  });
});

describe("F5 for a Python connector", () => {
  const url = "external://host:0/acme.acme_connector/?connector_name=AcmeConnector";

  it("auto detects the language as the CLI resolves the module (PYTHONPATH from the config's env)", async () => {
    write("src/acme/acme_connector.py", `${BASE}\nclass AcmeConnector(RemoteConnector):\n${METHODS}\n`);
    const config = { type: DEBUG_TYPE, request: "launch", name: "x", url, cwd: "${workspaceFolder}" };
    expect(await configLanguage(config, dir)).toBe("ts"); // not under the roots: the TS path reports it
    expect(await configLanguage({ ...config, env: { PYTHONPATH: "${workspaceFolder}/src" } }, dir)).toBe("python");
    expect(await configLanguage(config, dir, ["src"])).toBe("python");
    expect(await configLanguage({ ...config, language: "typescript", env: { PYTHONPATH: `${dir}/src` } }, dir)).toBe("ts");
    expect(await configLanguage({ ...config, url: "memory://" }, dir)).toBe("ts");
  });

  it("resolves to the debugpy side: the CLI's run or check with --python, the bridge's frames hidden", () => {
    const ctx = { folder: dir, bundledCli: bundledCliPath(root), cacheDir: "/cache", python: "/usr/bin/python3", kitPythonDir: "/kit/python" };
    const resolved = resolvePythonRunLaunch(PYTHON_DEBUG_TYPE, { type: DEBUG_TYPE, request: "launch", name: RUN_AGAINST_LOCAL_CACHE, url, cwd: "${workspaceFolder}", requests: 8, env: { PYTHONPATH: "${workspaceFolder}/src" } }, ctx);
    expect(resolved).toEqual({
      type: PYTHON_DEBUG_TYPE, request: "attach", name: RUN_AGAINST_LOCAL_CACHE,
      __lmcacheLaunch: { program: bundledCliPath(root), args: ["run", url, "--cwd", "${workspaceFolder}", "--requests", "8", "--python", "/usr/bin/python3", "--language", "python"], cwd: "${workspaceFolder}", env: { PYTHONPATH: "${workspaceFolder}/src" } },
      justMyCode: true, subProcess: false, rules: [{ path: "/kit/python/**", include: false }],
    });
    const check = resolvePythonRunLaunch(PYTHON_DEBUG_TYPE, { type: DEBUG_TYPE, request: "launch", name: "c", url, command: "check", seed: 3 }, ctx);
    expect((check.__lmcacheLaunch as { args: string[] }).args).toEqual(["check", url, "--cwd", dir, "--seed", "3", "--python", "/usr/bin/python3", "--language", "python"]);
    expect(() => resolvePythonRunLaunch(PYTHON_DEBUG_TYPE, { type: DEBUG_TYPE, request: "launch", name: "c", url, command: "bench" }, ctx)).toThrow(/"command" must be run or check/);
    expect(() => resolvePythonRunLaunch(PYTHON_DEBUG_TYPE, { type: DEBUG_TYPE, request: "launch", name: "c" }, ctx)).toThrow(/needs a connector "url"/);
  });

  it("the provider hands a generated project's launch.json to the debugpy side; dynamic configs carry language and PYTHONPATH", async () => {
    write("pyproject.toml", "[project]\nname = 'acme'\n");
    write("src/acme/acme_connector.py", `${BASE}\nclass AcmeConnector(RemoteConnector):\n${METHODS}\n`);
    fake.setConfig("lmcacheConnector.python", "/usr/bin/python3");
    const { context } = activateExtension();
    try {
      const provider = fake.host.debugProviders.find((p) => p.type === DEBUG_TYPE && p.triggerKind === 1)!.provider as Record<string, (...a: unknown[]) => Promise<Record<string, unknown> | undefined>>;
      const launchJson = { type: DEBUG_TYPE, request: "launch", name: RUN_AGAINST_LOCAL_CACHE, language: "python", command: "run", url, cwd: "${workspaceFolder}", env: { PYTHONPATH: "${workspaceFolder}/src" } };
      const resolved = await provider.resolveDebugConfiguration!(fake.host.folders[0], launchJson);
      expect(resolved).toMatchObject({ type: PYTHON_DEBUG_TYPE, request: "attach", justMyCode: true });
      expect((resolved!.__lmcacheLaunch as { args: string[] }).args).toContain("/usr/bin/python3");
      const dynamic = fake.host.debugProviders.find((p) => p.type === DEBUG_TYPE && p.triggerKind === 2)!.provider as Record<string, (...a: unknown[]) => Promise<Record<string, unknown>[]>>;
      const configs = await dynamic.provideDebugConfigurations!(fake.host.folders[0]);
      expect(configs).toEqual([configFor({ className: "AcmeConnector", modulePath: "acme.acme_connector", language: "python", searchPaths: [path.join(dir, "src")] })]);
      expect(configs[0]).toMatchObject({ language: "python", env: { PYTHONPATH: path.join(dir, "src") } });
      // a hand-written Python-side configuration is refused with a pointer to the right one
      const side = fake.host.debugProviders.find((p) => p.type === PYTHON_DEBUG_TYPE && p.triggerKind === 1)!.provider as Record<string, (...a: unknown[]) => unknown>;
      expect(side.resolveDebugConfiguration!(fake.host.folders[0], { type: PYTHON_DEBUG_TYPE, request: "attach", name: "mine" })).toBeUndefined();
      expect(fake.host.messages.at(-1)!.message).toMatch(/"language": "python"/);
    } finally {
      deactivateExtension(context);
    }
  });

  it("debugpy's environment and the bridge's announcements", () => {
    expect(debugpyEnv("/tmp/a")).toMatchObject({ LMCACHE_KIT_DEBUGPY: "0", LMCACHE_KIT_DEBUGPY_ANNOUNCE: "/tmp/a" });
    expect(parseAnnouncements('{"port": 5678, "pid": 12}\nnot json\n{"port": 0, "pid": 1}\n{"port": 5679, "pid": 13}\n')).toEqual([{ port: 5678, pid: 12 }, { port: 5679, pid: 13 }]);
  });
});

vi.setConfig({ testTimeout: 30_000 });
