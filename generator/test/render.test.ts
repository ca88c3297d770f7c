import { execFileSync } from "node:child_process";
import { readFileSync, mkdirSync, writeFileSync, rmSync, existsSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  InvalidAnswersError,
  PROMPTS,
  RUNTIME_TARBALL_PATH,
  VERSIONS,
  defaultClassName,
  externalUrl,
  moduleName,
  parseExternalUrlForTest,
  pythonExternalUrl,
  pythonPackageName,
  renderConnectorClass,
  renderProject,
  resolveAnswers,
  validateAnswers,
} from "./render-under-test.js";
import { GOLDEN_ANSWERS, readTree } from "./helpers.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const goldenDir = (template: string) => path.join(here, "golden", template);

describe("golden trees (regenerate with UPDATE_GOLDEN=1)", () => {
  for (const [template, answers] of Object.entries(GOLDEN_ANSWERS)) {
    it(`${template} matches byte for byte`, () => {
      const files = renderProject(answers);
      if (process.env.UPDATE_GOLDEN) {
        rmSync(goldenDir(template), { recursive: true, force: true });
        for (const [rel, text] of files) {
          mkdirSync(path.dirname(path.join(goldenDir(template), rel)), { recursive: true });
          writeFileSync(path.join(goldenDir(template), rel), text);
        }
      }
      const golden = readTree(goldenDir(template));
      expect([...files.keys()].sort()).toEqual([...golden.keys()]);
      for (const [rel, text] of files) expect(Buffer.from(text, "utf8").equals(golden.get(rel)!), rel).toBe(true);
    });
  }

  it("rendering is deterministic", () => {
    for (const answers of Object.values(GOLDEN_ANSWERS)) {
      expect([...renderProject(answers)]).toEqual([...renderProject(answers)]);
    }
  });
});

describe("answers", () => {
  it("defaults follow the project name", () => {
    const a = resolveAnswers({ name: "acme-store" });
    expect(a).toEqual({ language: "typescript", name: "acme-store", className: "AcmeStoreConnector", template: "memory", capabilities: [], loading: "external", ci: true });
    expect(defaultClassName("@acme/2fast")).toBe("My2fastConnector");
    expect(moduleName("AcmeHTTPStoreConnector")).toBe("acme_http_store_connector");
  });

  it("normalises option strings", () => {
    const a = resolveAnswers({ name: "x", capabilities: "removeSync, batched", ci: "false", template: "fs" });
    expect(a.capabilities).toEqual(["batched", "removeSync"]);
    expect(a.ci).toBe(false);
  });

  it.each([
    ["Acme Store", /lower case|letters, digits/],
    ["acme store", /letters, digits/],
    [".hidden", /must not start with/],
    ["@scope", /scoped name/],
    ["x".repeat(215), /214/],
    ["node_modules", /reserved/],
  ])("rejects the package name %j", (name, message) => {
    const problems = validateAnswers({ name });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join("\n")).toMatch(message);
    expect(() => renderProject({ name })).toThrow(InvalidAnswersError);
  });

  it.each([
    ["acmeConnector", /upper-case/],
    ["Acme-Connector", /identifier/],
    ["Acme Connector", /identifier/],
    ["RemoteConnector", /clashes/],
    ["Ünicode", /identifier/],
  ])("rejects the class name %j", (className, message) => {
    expect(validateAnswers({ name: "ok", className }).join("\n")).toMatch(message);
  });

  it("reports every problem at once", () => {
    const problems = validateAnswers({ language: "rust", name: "Bad Name", className: "bad", template: "s3", capabilities: ["teleport"], loading: "magic", ci: "maybe" });
    expect(problems.length).toBeGreaterThanOrEqual(7);
    expect(problems.join("\n")).toMatch(/Unknown language "rust"/);
  });

  it("the external URL parses the way LMCache's adapter reads it", () => {
    const url = externalUrl("AcmeStoreConnector");
    expect(parseExternalUrlForTest(url)).toEqual({ modulePath: "src.acme_store_connector", connectorName: "AcmeStoreConnector" });
  });

  it("every prompt names an answer and its default is valid", () => {
    const earlier = {};
    const answers: Record<string, unknown> = {};
    for (const p of PROMPTS) answers[p.name] = p.default({ ...earlier, ...answers });
    expect(validateAnswers(answers)).toEqual([]);
    expect(PROMPTS.map((p) => p.name).sort()).toEqual(["capabilities", "ci", "className", "language", "loading", "name", "template"]);
    expect(PROMPTS[0]!.name).toBe("language"); // the wizard's first question
  });
});

describe("version table", () => {
  it("pins exactly the versions the repository installs (so the npm cache has them offline)", () => {
    const root = path.resolve(here, "../..");
    const installed = (pkg: string) => JSON.parse(readFileSync(path.join(root, "node_modules", pkg, "package.json"), "utf8")).version;
    for (const pkg of ["typescript", "vitest", "@types/node", "redis"] as const) expect(VERSIONS[pkg], pkg).toBe(installed(pkg));
    expect(VERSIONS.runtime).toBe(JSON.parse(readFileSync(path.join(root, "runtime/package.json"), "utf8")).version);
  });
});

describe("the runtime dependency of a generated project", () => {
  it("is a peer ^<runtime version> and a devDependency on the vendored tarball (offline), never a plain dependency", () => {
    for (const answers of Object.values(GOLDEN_ANSWERS).filter((a) => a.language !== "python")) {
      const pkg = JSON.parse(renderProject(answers).get("package.json")!);
      expect(pkg.peerDependencies).toEqual({ "lmcache-connector-runtime": `^${VERSIONS.runtime}` });
      expect(pkg.devDependencies["lmcache-connector-runtime"]).toBe(`file:${RUNTIME_TARBALL_PATH}`);
      expect(pkg.dependencies?.["lmcache-connector-runtime"]).toBeUndefined();
      expect(pkg.overrides).toBeUndefined();
    }
  });
});

describe("renderConnectorClass", () => {
  const project = renderProject({ name: "acme-store" });
  const read = (rel: string) => project.get(rel) ?? null;

  it("adds a module, its test and config, a launch entry, and the redis dependency", () => {
    const files = renderConnectorClass({ className: "CacheTwo", template: "redis", capabilities: "ping" }, { read });
    expect([...files.keys()].sort()).toEqual([
      ".vscode/launch.json",
      "lmcache/cache_two.yaml",
      "package.json",
      "src/cache_two.ts",
      "test/cache_two.conformance.test.ts",
      "test/cache_two.exists_sync.test.ts",
    ]);
    const launch = JSON.parse(files.get(".vscode/launch.json")!);
    expect(launch.configurations.map((c: { name: string }) => c.name)).toEqual(["Run against local cache", "Debug conformance", "Run against local cache (CacheTwo)"]);
    expect(JSON.parse(files.get("package.json")!).dependencies.redis).toBe(VERSIONS.redis);
    expect(files.get("src/cache_two.ts")).toContain("export class CacheTwo extends RemoteConnector");
  });

  it("a redis connector takes its sync bridge from the runtime (no copy in the project)", () => {
    const files = renderConnectorClass({ className: "CacheThree", template: "redis" }, { read });
    expect([...files.keys()].some((rel) => /sync_bridge/.test(rel))).toBe(false);
    expect(files.get("src/cache_three.ts")).toMatch(/import \{[^}]*\bRedisSyncBridge,[^}]*\} from "lmcache-connector-runtime";/);
    expect(files.get("src/cache_three.ts")).not.toContain("./redis_sync_bridge");
  });

  it("refuses an existing module, a non-project folder and a bad class name", () => {
    expect(() => renderConnectorClass({ className: "AcmeStoreConnector" }, { read })).toThrow(/already exists/);
    expect(() => renderConnectorClass({ className: "Other" }, { read: () => null })).toThrow(/No package.json/);
    expect(() => renderConnectorClass({ className: "Other" }, { read: (r) => (r === "package.json" ? "{}" : null) })).toThrow(/not an LMCache connector project/);
    expect(() => renderConnectorClass({ className: "lower" }, { read })).toThrow(InvalidAnswersError);
  });
});

describe("Python projects (--language python)", () => {
  const SUBSETS: string[][] = [[], ["batched"], ["ping"], ["removeSync"], ["batched", "ping"], ["batched", "removeSync"], ["ping", "removeSync"], ["batched", "ping", "removeSync"]];
  const combos = (["memory", "fs", "redis"] as const).flatMap((template) => SUBSETS.flatMap((capabilities) => (["external", "plugin"] as const).map((loading) => ({ template, capabilities, loading }))));

  it("every template × capability set × loading style renders an installable package whose class LMCache can construct", () => {
    const sources: Record<string, string> = {};
    const tomls: Record<string, string> = {};
    for (const { template, capabilities, loading } of combos) {
      const label = `${template}/${capabilities.join("+") || "none"}/${loading}`;
      const files = renderProject({ language: "python", name: "acme-store", template, capabilities, loading, ci: true });
      const expected = ["src/acme_store/__init__.py", "src/acme_store/acme_store_connector.py", "tests/conftest.py", "tests/test_conformance.py", "pyproject.toml", "package.json", "lmcache/acme_store_connector.yaml", ".vscode/launch.json", ".github/workflows/ci.yml", "README.md", ".gitignore"];
      if (template === "redis") expected.push("tests/redis_server.py");
      expect([...files.keys()].sort(), label).toEqual(expected.sort());
      const source = files.get("src/acme_store/acme_store_connector.py")!;
      expect(source, label).toContain("class AcmeStoreConnector(RemoteConnector):");
      expect(source, label).toContain("def __init__(self, loop, local_cpu_backend, config):");
      expect(source, label).toContain("super().__init__(local_cpu_backend.config, local_cpu_backend.metadata)");
      expect(source.includes("def support_batched_get(self)") && source.includes("async def batched_put(") && source.includes("def batched_contains("), label).toBe(capabilities.includes("batched"));
      expect(source.includes("async def ping(self)"), label).toBe(capabilities.includes("ping"));
      expect(source.includes("def remove_sync(self"), label).toBe(capabilities.includes("removeSync"));
      // The sync methods are plain defs, the rest coroutines (an async exists_sync is always truthy).
      expect(source, label).toMatch(/\n    def exists_sync\(/);
      for (const m of ["exists", "get", "put", "list", "close"]) expect(source, `${label} ${m}`).toMatch(new RegExp(`\\n    async def ${m}\\(`));
      const yaml = files.get("lmcache/acme_store_connector.yaml")!;
      const url = "external://host:0/acme_store.acme_store_connector/?connector_name=AcmeStoreConnector";
      const active = loading === "external" ? `remote_url: "${url}"` : 'remote_storage_plugins: ["acme_store_connector"]';
      const commented = loading === "external" ? '# remote_storage_plugins: ["acme_store_connector"]' : `# remote_url: "${url}"`;
      expect(yaml.split("\n"), label).toContain(active);
      expect(yaml.split("\n"), label).toContain(commented);
      expect(yaml, label).toContain("remote_storage_plugin.acme_store_connector.module_path: acme_store.acme_store_connector");
      expect(files.get("tests/test_conformance.py"), label).toContain(loading === "external" ? `URL = "${url}"` : `URL = "plugin://acme_store_connector"`);
      sources[label] = source;
      tomls[label] = files.get("pyproject.toml")!;
    }
    // Debian's Python compiles every module and parses every pyproject.toml (tomllib).
    const script = `
import json, sys, tomllib
data = json.load(sys.stdin)
out = {}
for label, source in data["sources"].items():
    compile(source, label, "exec")
    meta = tomllib.loads(data["tomls"][label])
    out[label] = [meta["project"]["name"], meta["project"]["dependencies"], meta["tool"]["setuptools"]["packages"]["find"]["where"]]
print(json.dumps(out))
`;
    const result = JSON.parse(execFileSync("/usr/bin/python3", ["-c", script], { input: JSON.stringify({ sources, tomls }), encoding: "utf8" }));
    for (const { template, capabilities, loading } of combos) {
      const label = `${template}/${capabilities.join("+") || "none"}/${loading}`;
      expect(result[label], label).toEqual(["acme-store", template === "fs" ? ["aiofiles"] : template === "redis" ? ["redis>=4.2"] : [], ["src"]]);
    }
  });

  it("the loading style changes the config and the test's URL, not the connector module", () => {
    for (const template of ["memory", "fs", "redis"] as const) {
      const [external, plugin] = (["external", "plugin"] as const).map((loading) => renderProject({ language: "python", name: "acme-store", template, capabilities: ["batched"], loading }));
      expect(external.get("src/acme_store/acme_store_connector.py")).toBe(plugin.get("src/acme_store/acme_store_connector.py"));
      expect(external.get("lmcache/acme_store_connector.yaml")).not.toBe(plugin.get("lmcache/acme_store_connector.yaml"));
    }
  });

  it("names: the package is the project folder as an identifier, the URL parses as LMCache's adapter reads it", () => {
    expect(pythonPackageName("acme-store.v2")).toBe("acme_store_v2");
    expect(pythonExternalUrl("acme-store", "AcmeStoreConnector")).toBe("external://host:0/acme_store.acme_store_connector/?connector_name=AcmeStoreConnector");
    expect(parseExternalUrlForTest(pythonExternalUrl("acme-store", "AcmeStoreConnector"))).toEqual({ modulePath: "acme_store.acme_store_connector", connectorName: "AcmeStoreConnector" });
    expect(resolveAnswers({ language: "py", name: "x-store" }).language).toBe("python");
  });

  it.each([
    ["@acme/store", /scoped/],
    ["2fast", /not an identifier/],
    ["redis", /shadow/],
    ["lmcache", /shadow/],
    ["import", /keyword/],
  ])("rejects the project name %j for Python (fine for TypeScript)", (name, message) => {
    expect(validateAnswers({ language: "python", name }).join("\n")).toMatch(message);
    if (name !== "import") expect(validateAnswers({ language: "typescript", name })).toEqual([]);
  });

  it("rejects class names the Python module would clash with", () => {
    expect(validateAnswers({ language: "python", name: "ok", className: "RemoteMetadata" }).join("\n")).toMatch(/clashes/);
    expect(validateAnswers({ language: "python", name: "ok", className: "None" }).join("\n")).toMatch(/reserved|clashes/);
  });

  it("a class added to a Python project is Python: module, test, config, launch entry, and the requirement it needs", () => {
    const project = renderProject({ language: "python", name: "acme-store" });
    const read = (rel: string) => project.get(rel) ?? null;
    const files = renderConnectorClass({ className: "CacheTwo", template: "redis", capabilities: "ping" }, { read });
    expect([...files.keys()].sort()).toEqual([".vscode/launch.json", "lmcache/cache_two.yaml", "pyproject.toml", "src/acme_store/cache_two.py", "tests/redis_server.py", "tests/test_cache_two_conformance.py"]);
    expect(files.get("src/acme_store/cache_two.py")).toContain("class CacheTwo(RemoteConnector):");
    const url = "external://host:0/acme_store.cache_two/?connector_name=CacheTwo";
    expect(files.get("tests/test_cache_two_conformance.py")).toContain(`URL = "${url}"`);
    expect(files.get("lmcache/cache_two.yaml")).toContain(url);
    expect(files.get("pyproject.toml")).toContain('dependencies = ["redis>=4.2"]');
    // only that line changed
    expect(files.get("pyproject.toml")!.replace('dependencies = ["redis>=4.2"]', "dependencies = []")).toBe(project.get("pyproject.toml"));
    const launch = JSON.parse(files.get(".vscode/launch.json")!);
    expect(launch.configurations.map((c: { name: string }) => c.name)).toEqual(["Run against local cache", "Debug conformance", "Run against local cache (CacheTwo)"]);
    expect(launch.configurations[2]).toMatchObject({ type: "lmcache-connector", language: "python", command: "run", url });

    // a requirement already there is not added twice; a memory class needs none
    const withRedis = (rel: string) => (rel === "pyproject.toml" ? files.get(rel)! : read(rel));
    expect(renderConnectorClass({ className: "CacheThree", template: "redis" }, { read: withRedis }).has("pyproject.toml")).toBe(false);
    expect([...renderConnectorClass({ className: "CacheFour", template: "memory" }, { read }).keys()]).not.toContain("pyproject.toml");
  });

  it("adding to a Python project refuses what LMCache could not load or the project cannot hold", () => {
    const project = renderProject({ language: "python", name: "acme-store" });
    const read = (rel: string) => project.get(rel) ?? null;
    expect(() => renderConnectorClass({ className: "AcmeStoreConnector" }, { read })).toThrow(/src\/acme_store\/acme_store_connector\.py already exists/);
    expect(() => renderConnectorClass({ className: "RemoteMetadata" }, { read })).toThrow(/clashes/);
    expect(() => renderConnectorClass({ className: "Other" }, { read: (rel) => (rel === "pyproject.toml" ? "[build-system]\n" : read(rel)) })).toThrow(/no \[project\] name/);
    expect(() => renderConnectorClass({ className: "Other" }, { read: (rel) => (rel.startsWith("src/") ? null : read(rel)) })).toThrow(/src\/acme_store\/__init__\.py is missing/);
    const multiLine = (rel: string) => (rel === "pyproject.toml" ? project.get(rel)!.replace("dependencies = []", "dependencies = [\n]") : read(rel));
    expect(() => renderConnectorClass({ className: "Other", template: "fs" }, { read: multiLine })).toThrow(/no one-line `dependencies = \[...\]` to add aiofiles to/);
  });
});
