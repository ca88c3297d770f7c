import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  abstractMethodsError,
  compileModule,
  CONNECTOR_BRAND,
  isRemoteConnectorClass,
  loadModule,
  missingAbstractMethods,
  resolveModuleFile,
} from "../../src/loader";
import { ImportError, ValueError } from "../../src/errors";

const FIXTURES = resolve(__dirname, "../fixtures/loader");
let tmp: string;
let cacheDir: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "lmc-loader-"));
  cacheDir = join(tmp, "cache");
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("resolveModuleFile", () => {
  it("maps dotted paths to files or index files, trying extensions in order", () => {
    expect(resolveModuleFile("good_ts", { cwd: FIXTURES })).toBe(join(FIXTURES, "good_ts.ts"));
    expect(resolveModuleFile("pkg.sub", { cwd: FIXTURES })).toBe(join(FIXTURES, "pkg/sub/index.ts"));
    expect(resolveModuleFile("ns.inner.mod", { cwd: FIXTURES })).toBe(join(FIXTURES, "ns/inner/mod.cts"));
    expect(resolveModuleFile("good_cjs", { cwd: FIXTURES })).toBe(join(FIXTURES, "good_cjs.js"));
    expect(resolveModuleFile("a..b", { cwd: FIXTURES })).toBeNull();
  });

  it("searches cwd first, then searchPaths, then LMCACHE_CONNECTOR_PATH", () => {
    const a = join(tmp, "a");
    const b = join(tmp, "b");
    const c = join(tmp, "c");
    for (const d of [a, b, c]) mkdirSync(join(d, "shared"), { recursive: true });
    writeFileSync(join(b, "shared", "m.ts"), "export const from = 'b';");
    writeFileSync(join(c, "shared", "m.ts"), "export const from = 'c';");
    writeFileSync(join(c, "only_c.js"), "exports.from = 'c';");
    const env = { LMCACHE_CONNECTOR_PATH: c };
    expect(resolveModuleFile("shared.m", { cwd: a, searchPaths: [b], env })).toBe(join(b, "shared", "m.ts"));
    expect(resolveModuleFile("only_c", { cwd: a, searchPaths: [b], env })).toBe(join(c, "only_c.js"));
    writeFileSync(join(a, "shared", "m.mjs"), "export const from = 'a';");
    expect(resolveModuleFile("shared.m", { cwd: a, searchPaths: [b], env })).toBe(join(a, "shared", "m.mjs"));
  });

  it("resolves bare and scoped npm package names with Node's resolver from cwd", () => {
    const project = join(tmp, "npmproj");
    mkdirSync(join(project, "node_modules", "@acme", "conn"), { recursive: true });
    mkdirSync(join(project, "node_modules", "my-conn"), { recursive: true });
    writeFileSync(join(project, "node_modules", "@acme", "conn", "index.js"), "exports.who = 'acme';");
    writeFileSync(join(project, "node_modules", "my-conn", "index.js"), "exports.who = 'my-conn';");
    expect(resolveModuleFile("@acme/conn", { cwd: project })).toBe(join(project, "node_modules/@acme/conn/index.js"));
    expect(resolveModuleFile("my-conn", { cwd: project })).toBe(join(project, "node_modules/my-conn/index.js"));
  });
});

describe("loadModule", () => {
  it("loads TypeScript, CommonJS and ESM sources, bundling relative imports", async () => {
    const ts = await loadModule("good_ts", { cwd: FIXTURES, cacheDir });
    expect(new (ts.GoodTsConnector as new () => { helper: string })().helper).toBe("from-helper");
    expect(ts.whereAmI).toBe(FIXTURES);
    expect((await loadModule("good_cjs", { cwd: FIXTURES, cacheDir })).kind).toBe("cjs");
    const esm = await loadModule("good_esm", { cwd: FIXTURES, cacheDir });
    expect(esm.kind).toBe("esm");
    expect((esm.default as () => number)()).toBe(42);
    expect((await loadModule("pkg.sub", { cwd: FIXTURES, cacheDir })).where).toBe("pkg.sub index");
  });

  it("gives a connector that imports lmcache-connector-runtime the loader's runtime, even with no node_modules", async () => {
    const isolated = mkdtempSync(join(tmpdir(), "lmc-isolated-"));
    try {
      cpSync(join(FIXTURES, "uses_runtime.ts"), join(isolated, "uses_runtime.ts"));
      // Prove the package really is unresolvable from there.
      const probe = spawnSync(process.execPath, ["-e", "require.resolve('lmcache-connector-runtime')"], { cwd: isolated });
      expect(probe.status).not.toBe(0);
      const fakeRuntime = { CONNECTOR_BRAND, ValueError };
      const mod = await loadModule("uses_runtime", { cwd: isolated, cacheDir, runtimeExports: () => fakeRuntime });
      const err = (mod.makeError as () => Error)();
      expect(err).toBeInstanceOf(ValueError);
      expect(isRemoteConnectorClass(mod.RuntimeBackedConnector)).toBe(true);
      const own = await loadModule("uses_runtime", { cwd: isolated, cacheDir });
      expect((own.makeError as () => Error)().name).toBe("ValueError");
      expect(isRemoteConnectorClass(own.RuntimeBackedConnector)).toBe(true);
    } finally {
      rmSync(isolated, { recursive: true, force: true });
    }
  });

  it("reports missing modules with Python's ModuleNotFoundError texts", async () => {
    const fail = (p: string) => loadModule(p, { cwd: FIXTURES, cacheDir }).then(() => null, (e: Error) => e);
    const e1 = await fail("nope.mod");
    expect(e1).toBeInstanceOf(ImportError);
    expect([e1!.name, e1!.message]).toEqual(["ModuleNotFoundError", "No module named 'nope'"]);
    expect((await fail("pkg.missing"))!.message).toBe("No module named 'pkg.missing'");
    expect((await fail("good_ts.inner"))!.message).toBe("No module named 'good_ts.inner'; 'good_ts' is not a package");
    expect((await fail("a//b"))!.message).toBe("No module named 'a//b'");
  });

  it("turns compile errors into ImportError with file:line, and lets import-time errors through", async () => {
    const dir = mkdtempSync(join(tmp, "syntax-"));
    writeFileSync(join(dir, "syntax_error.ts"), readFileSync(join(FIXTURES, "syntax_error.ts.txt")));
    const err = await loadModule("syntax_error", { cwd: dir, cacheDir }).catch((e: Error) => e);
    expect((err as Error).name).toBe("ImportError");
    expect((err as Error).message).toMatch(/syntax_error\.ts:3:\d+: /);
    await expect(loadModule("throws_at_import", { cwd: FIXTURES, cacheDir })).rejects.toThrow(RangeError);
  });

  it("reuses a compiled bundle until one of its inputs changes", async () => {
    const dir = mkdtempSync(join(tmp, "cache-"));
    writeFileSync(join(dir, "dep.ts"), "export const n: number = 1;");
    writeFileSync(join(dir, "entry.ts"), "import { n } from './dep'; export const value = n * 10;");
    const first = await compileModule(join(dir, "entry.ts"), { cacheDir });
    const second = await compileModule(join(dir, "entry.ts"), { cacheDir });
    expect([first.fromCache, second.fromCache]).toEqual([false, true]);
    expect(second.outputFile).toBe(first.outputFile);
    expect(first.code).toMatch(/sourceMappingURL=data:application\/json;base64,/);
    const map = JSON.parse(Buffer.from(first.code.split("base64,").pop()!, "base64").toString());
    expect(map.sourcesContent.join("\n")).toContain("export const n: number = 1;");
    writeFileSync(join(dir, "dep.ts"), "export const n: number = 2;");
    const third = await compileModule(join(dir, "entry.ts"), { cacheDir });
    expect(third.fromCache).toBe(false);
    expect((await loadModule("entry", { cwd: dir, cacheDir })).value).toBe(20);
  });
});

describe("connector class checks", () => {
  it("recognises connector classes by brand across two copies of the runtime", async () => {
    const copyA = await loadModule("good_ts", { cwd: FIXTURES, cacheDir });
    const copyDir = mkdtempSync(join(tmp, "copy-"));
    cpSync(FIXTURES, copyDir, { recursive: true });
    const copyB = await loadModule("good_ts", { cwd: copyDir, cacheDir });
    const A = copyA.GoodTsConnector as new () => object;
    const B = copyB.GoodTsConnector as new () => object;
    expect(copyA.FixtureBase).not.toBe(copyB.FixtureBase);
    expect(new B() instanceof (copyA.FixtureBase as new () => object)).toBe(false);
    expect([isRemoteConnectorClass(A), isRemoteConnectorClass(B), isRemoteConnectorClass(copyB.FixtureBase)]).toEqual([true, true, true]);
    expect(isRemoteConnectorClass((await loadModule("good_cjs", { cwd: FIXTURES, cacheDir })).GoodJsConnector)).toBe(true);
    for (const v of [copyA.NotAConnector, {}, null, "GoodTsConnector", () => 1, Object.assign(() => 1, { [CONNECTOR_BRAND]: true })]) {
      expect(isRemoteConnectorClass(v)).toBe(false);
    }
  });

  it("lists unimplemented abstract methods with Python 3.11's ABC message", async () => {
    const mod = await loadModule("good_ts", { cwd: FIXTURES, cacheDir });
    const Half = mod.HalfConnector as new () => object;
    expect(missingAbstractMethods(mod.GoodTsConnector as new () => object)).toEqual([]);
    expect(missingAbstractMethods(Half)).toEqual(["existsSync", "get", "list", "put"]);
    // The message format, checked against python3's own ABC error for the same missing names.
    const py = spawnSync("python3", ["-c", [
      "import abc, sys",
      "names = sys.argv[1:]",
      "Base = abc.ABCMeta('Base', (), {n: abc.abstractmethod(lambda self: None) for n in names})",
      "Half = type(Base)('HalfConnector', (Base,), {})",
      "try:\n  Half()\nexcept TypeError as e:\n  print(e)",
    ].join("\n"), "existsSync", "get", "list", "put"], { encoding: "utf8" });
    expect(abstractMethodsError(Half).message).toBe(py.stdout.trim());
    expect(abstractMethodsError(Half).name).toBe("TypeError");
    const one = spawnSync("python3", ["-c", "import abc\nclass B(abc.ABC):\n  @abc.abstractmethod\n  def close(self): ...\nclass X(B): pass\ntry:\n  X()\nexcept TypeError as e:\n  print(e)"], { encoding: "utf8" });
    class X {}
    expect(abstractMethodsError(X, ["close"]).message).toBe(one.stdout.trim());
  });
});
