/**
 * F5: the `lmcache-connector` debug type resolves to a `node` launch of the runtime's `run`
 * command with source maps through the loader's compile cache; dynamic configurations per
 * connector; trust gating. The resolved program and args are also run for real (without a
 * debugger) to prove they start the harness on the connector.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultCompileCacheDir } from "../../runtime/src/loader/compile";
import { DEBUG_TYPE, RUN_AGAINST_LOCAL_CACHE } from "../src/ids";
import { bundledCliPath } from "../src/runtime-paths";
import { fake, FakeTextDocument, Uri } from "./fake-vscode";
import { ConnectorWorkspace } from "./conformance-fixture";
import { activateExtension, deactivateExtension } from "./workspace";

const root = path.resolve(__dirname, "..", "..");
let ws: ConnectorWorkspace;
let context: ReturnType<typeof activateExtension>["context"];

beforeEach(() => {
  fake.reset();
  ws = new ConnectorWorkspace();
  ({ context } = activateExtension());
});
afterEach(() => {
  deactivateExtension(context);
  ws.dispose();
});

const folder = () => fake.host.folders[0];
const provider = (kind: 1 | 2) => fake.host.debugProviders.find((p) => p.type === DEBUG_TYPE && p.triggerKind === kind)!.provider as Record<string, (...a: unknown[]) => Promise<Record<string, unknown> | Record<string, unknown>[] | undefined>>;
const resolve = (config: Record<string, unknown>) => provider(1).resolveDebugConfiguration!(folder(), config) as Promise<Record<string, unknown> | undefined>;
const goodUrl = "external://host:0/good_connector/?connector_name=GoodConnector";

describe("debug configuration", () => {
  it("resolves a lmcache-connector config to a node launch of `run` with source maps through the compile cache", async () => {
    const config = await resolve({ type: DEBUG_TYPE, request: "launch", name: RUN_AGAINST_LOCAL_CACHE, url: goodUrl, cwd: "${workspaceFolder}", requests: 20, seed: 7 });
    expect(config).toMatchObject({
      type: "node", request: "launch", name: RUN_AGAINST_LOCAL_CACHE,
      program: bundledCliPath(root),
      args: ["run", goodUrl, "--cwd", "${workspaceFolder}", "--requests", "20", "--seed", "7"],
      cwd: "${workspaceFolder}",
      sourceMaps: true,
    });
    // The loader's real compile cache directory is where js-debug may read maps (and find outFiles).
    const cache = defaultCompileCacheDir();
    expect(config!.resolveSourceMapLocations).toContain(`${cache}/**`);
    expect(config!.resolveSourceMapLocations).toContain(`${ws.root}/**`);
    expect(config!.outFiles).toContain(`${cache}/**/*.js`);
  });

  it("prefers the workspace's installed runtime, unless the config asks for the bundled one", async () => {
    const bin = path.join(ws.root, "node_modules", "lmcache-connector-runtime", "bin", "lmcache-connector.js");
    fs.mkdirSync(path.dirname(bin), { recursive: true });
    fs.writeFileSync(bin, "");
    expect((await resolve({ type: DEBUG_TYPE, request: "launch", name: "x", url: goodUrl }))!.program).toBe(bin);
    expect((await resolve({ type: DEBUG_TYPE, request: "launch", name: "x", url: goodUrl, runtime: "bundled" }))!.program).toBe(bundledCliPath(root));
  });

  it("fills in F5 without a launch.json from the active editor's connector", async () => {
    (await import("vscode")).window.activeTextEditor = { document: new FakeTextDocument(Uri.file(ws.file("failing_connector.ts")), "typescript", "") } as never;
    try {
      const config = await resolve({});
      expect(config!.type).toBe("node");
      expect((config!.args as string[])[1]).toBe("external://host:0/failing_connector/?connector_name=FailingConnector");
    } finally {
      (await import("vscode")).window.activeTextEditor = undefined;
    }
  });

  it("refuses a config without url, with a message", async () => {
    expect(await resolve({ type: DEBUG_TYPE, request: "launch", name: "bad" })).toBeUndefined();
    expect(fake.host.messages.at(-1)!.message).toMatch(/needs a connector "url"/);
  });

  it("offers one dynamic configuration per connector, the first named 'Run against local cache'", async () => {
    const configs = (await provider(2).provideDebugConfigurations!(folder())) as Record<string, unknown>[];
    expect(configs.map((c) => c.url).sort()).toEqual(["exiting", "failing", "good", "hanging"].map((m) => `external://host:0/${m}_connector/?connector_name=${m[0]!.toUpperCase()}${m.slice(1)}Connector`));
    expect(configs[0]!.name).toBe(RUN_AGAINST_LOCAL_CACHE);
    expect(new Set(configs.map((c) => c.name)).size).toBe(configs.length);
    expect(configs.every((c) => c.type === DEBUG_TYPE)).toBe(true);
    const initial = (await provider(1).provideDebugConfigurations!(folder())) as Record<string, unknown>[];
    expect(initial).toHaveLength(1);
    expect(initial[0]!.name).toBe(RUN_AGAINST_LOCAL_CACHE);
  });

  it("launches nothing in Restricted Mode", async () => {
    fake.host.isTrusted = false;
    expect(await resolve({ type: DEBUG_TYPE, request: "launch", name: "x", url: goodUrl })).toBeUndefined();
    expect(fake.host.messages.at(-1)!.message).toMatch(/Run against local cache runs this workspace's connector code/);
  });

  it("resolves to a program and args that really run the harness on the connector", async () => {
    const config = (await resolve({ type: DEBUG_TYPE, request: "launch", name: "x", url: goodUrl, cwd: ws.root, requests: 5 }))!;
    const out = execFileSync(process.execPath, [String(config.program), ...(config.args as string[]), "--format", "json"], { cwd: ws.root, encoding: "utf8" });
    const report = JSON.parse(out.slice(out.indexOf("{\n")));
    expect(report.leaks.leakedObjects).toBe(0);
  });
});
