/**
 * The real build: extension/build.mjs bundles dist/extension.js (small; the lint core is a separate
 * lazily required file, TypeScript a third one loaded only for TS/JS sources) and it loads under
 * plain Node `require` with a stub `vscode` module; the bundled CLI compiles a TypeScript connector
 * with the esbuild-wasm copied next to it, without any node_modules or `node` on PATH.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..", "..");
let out: string;

beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), "lmcache-ext-bundle-"));
  execFileSync(process.execPath, [path.join(root, "extension", "build.mjs"), "--outfile", path.join(out, "extension.js")], { cwd: root, stdio: "pipe" });
}, 120_000);
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

/** Runs `script` in a fresh Node process where `require("vscode")` yields `stub`; returns its JSON output. */
function runWithStubVscode(script: string, stub = "module.exports = {};"): unknown {
  const stubFile = path.join(out, "vscode-stub.js");
  fs.writeFileSync(stubFile, stub);
  const preamble = `
    const Module = require("module");
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      return request === "vscode" ? ${JSON.stringify(stubFile)} : resolve.call(this, request, ...rest);
    };
    const vscodeTouched = [];
  `;
  // No NODE_PATH and a folder outside the repository: the bundles must need no node_modules.
  const stdout = execFileSync(process.execPath, ["-e", preamble + script], { cwd: out, encoding: "utf8", env: { ...process.env, NODE_PATH: "" } });
  return JSON.parse(stdout);
}

describe("extension bundle", () => {
  it("is one CommonJS file with vscode external, and the lint core split off", () => {
    const bundle = fs.readFileSync(path.join(out, "extension.js"), "utf8");
    expect(bundle).toMatch(/require\("vscode"\)/);
    expect(bundle).toMatch(/require\("\.\/lint-core\.js"\)/);
    expect(bundle).not.toMatch(/\bimport\(/);
    expect(bundle.length).toBeLessThan(200_000);
    expect(fs.existsSync(path.join(out, "lint-core.js"))).toBe(true);
    // No telemetry or network modules in the extension.
    expect(bundle).not.toMatch(/require\("(node:)?(https?|net|dgram)"\)|createTelemetryLogger/);
  });

  it("loads with plain require and a stub vscode, touching no vscode API at load", () => {
    const result = runWithStubVscode(
      `const ext = require("./extension.js");
       process.stdout.write(JSON.stringify({ activate: typeof ext.activate, deactivate: typeof ext.deactivate, core: Object.keys(require.cache).some((k) => k.endsWith("lint-core.js")) }));`,
      `module.exports = new Proxy({}, { get(_, key) { if (typeof key === "string" && key !== "__esModule" && key !== "default") throw new Error("vscode." + key + " touched at load"); return undefined; } });`,
    );
    expect(result).toEqual({ activate: "function", deactivate: "function", core: false });
  });

  it("ships a lint core that gives the same verdicts as the sources", async () => {
    const text = 'remote_url: "External://h:0/pkg.conn/?connector_name=C"\n';
    const fromBundle = runWithStubVscode(
      `const core = require("./lint-core.js");
       process.stdout.write(JSON.stringify(core.lintDocument({ path: "/tmp/x.yaml", text: ${JSON.stringify(text)} }, { cwd: "/nonexistent" })));`,
    );
    const { lintDocument } = await import("../../runtime/src/lint/index.js");
    expect(fromBundle).toEqual(JSON.parse(JSON.stringify(lintDocument({ path: "/tmp/x.yaml", text }, { cwd: "/nonexistent" }))));
  });

  it("loads TypeScript only when a TS/JS source is scanned, and then gives the sources' verdicts", async () => {
    const yaml = 'remote_url: "External://h:0/pkg.conn/?connector_name=C"\n';
    const ts = 'export const URL = "External://h:0/pkg.conn/?connector_name=C";\n';
    const result = runWithStubVscode(
      `const core = require("./lint-core.js");
       const loaded = () => Object.keys(require.cache).some((k) => k.endsWith("typescript.js"));
       const atLoad = loaded();
       core.lintDocument({ path: "/tmp/x.yaml", text: ${JSON.stringify(yaml)} }, { cwd: "/nonexistent" });
       const afterYaml = loaded();
       const verdicts = core.lintDocument({ path: "/tmp/x.ts", text: ${JSON.stringify(ts)} }, { cwd: "/nonexistent" });
       process.stdout.write(JSON.stringify({ atLoad, afterYaml, afterTs: loaded(), verdicts }));`,
    ) as { atLoad: boolean; afterYaml: boolean; afterTs: boolean; verdicts: unknown[] };
    const { lintDocument } = await import("../../runtime/src/lint/index.js");
    expect({ ...result, verdicts: undefined }).toEqual({ atLoad: false, afterYaml: false, afterTs: true, verdicts: undefined });
    expect(result.verdicts).toEqual(JSON.parse(JSON.stringify(lintDocument({ path: "/tmp/x.ts", text: ts }, { cwd: "/nonexistent" }))));
    expect(result.verdicts.length).toBeGreaterThan(0);
  });

  it("compiles and checks a TypeScript connector with the shipped esbuild-wasm: no node_modules, no node on PATH", () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "lmcache-ext-bundle-project-"));
    try {
      fs.mkdirSync(path.join(project, "src"));
      fs.copyFileSync(path.join(root, "docs", "examples", "my_connector.ts"), path.join(project, "src", "my_connector.ts"));
      const url = "external://host:0/src.my_connector/?connector_name=MyConnector";
      const cacheHome = path.join(project, ".cache");
      const stdout = execFileSync(process.execPath, [path.join(out, "lmcache-connector.js"), "check", url, "--cwd", project, "--cases", "roundtrip.*"], {
        cwd: os.tmpdir(),
        encoding: "utf8",
        env: { ...process.env, NODE_PATH: "", PATH: "/nonexistent", XDG_CACHE_HOME: cacheHome, TMPDIR: cacheHome },
      });
      expect(stdout).toMatch(/OK: [1-9]\d* passed, 0 failed/);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  }, 60_000);
});
