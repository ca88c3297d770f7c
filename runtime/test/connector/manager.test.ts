import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { extractPluginType } from "../../src/connector/adapter";
import { MemoryConnector } from "../../src/connector/adapters/memory-connector";
import { createConnector } from "../../src/connector/create-connector";
import { DynamicConnectorAdapter } from "../../src/connector/dynamic-adapter";
import { EventLoop } from "../../src/connector/event-loop";
import { ConnectorManager } from "../../src/connector/manager";
import { UPSTREAM_SCHEMES } from "../../src/connector/upstream-schemes";
import { clearLogRecords, getLogRecords } from "../../src/logging";
import { createEngineConfig } from "../../src/config/engine-config";
import { makeBackend } from "./helpers";

const FIXTURES = join(__dirname, "..", "fixtures", "connectors");
// One built-in adapter per upstream adapter class (plus the kit's memory://), in discovery order.
const BUILTIN_SCHEMAS = UPSTREAM_SCHEMES.map((e) => e.prefixes[0] ?? "plugin://");
const N = BUILTIN_SCHEMAS.length;

beforeEach(() => clearLogRecords());

function pluginConfig(plugins: string[] | null, extra: Record<string, unknown> | null) {
  return createEngineConfig({ remoteStoragePlugins: plugins, extraConfig: extra });
}

const pluginKeys = (name: string, mod: string, cls: string) => ({
  [`remote_storage_plugin.${name}.module_path`]: mod,
  [`remote_storage_plugin.${name}.class_name`]: cls,
});

async function manager(url: string, config: ReturnType<typeof pluginConfig> | null) {
  const b = makeBackend();
  return ConnectorManager.create({ url, loop: new EventLoop(), localCpuBackend: b.backend, config, cwd: FIXTURES });
}

const logs = (level: string) => getLogRecords().filter((r) => r.level === level).map((r) => r.message);

describe("ConnectorManager", () => {
  it("registers built-ins in module-file order and warns when there is no config", async () => {
    const m = await manager("memory://", null);
    expect(m.adapters.map((a) => a.schema)).toEqual(BUILTIN_SCHEMAS);
    expect(BUILTIN_SCHEMAS).toEqual(expect.arrayContaining(["audit://", "blackhole://", "external://", "fs://", "memory://", "mock://", "redis://"]));
    const modules = UPSTREAM_SCHEMES.map((e) => e.adapterModule);
    expect(modules).toEqual([...modules].sort());
    expect(logs("warning")).toContain("Configuration not available to parse remote connector adapters.");
  });

  it("loads plugin adapters after the built-ins, never throwing on bad entries", async () => {
    const config = pluginConfig(
      ["fixture", "fixture", "dyn.a", "badmod", "badclass", "nonadapter", "missing", "fs.primary"],
      {
        ...pluginKeys("fixture", "plugin_connectors", "FixtureAdapter"),
        ...pluginKeys("dyn.a", "plugin_connectors", "RecordingConnector"),
        ...pluginKeys("badmod", "no_such_module", "X"),
        ...pluginKeys("badclass", "plugin_connectors", "Nope"),
        ...pluginKeys("nonadapter", "plugin_connectors", "NotAConnector"),
        "remote_storage_plugin.missing.module_path": "plugin_connectors",
      },
    );
    const m = await manager("memory://", config);
    expect(m.adapters.slice(0, N).map((a) => a.schema)).toEqual(BUILTIN_SCHEMAS);
    const plugins = m.adapters.slice(N);
    expect(plugins.map((a) => a.schema)).toEqual(["fixture://", "plugin://dyn"]);
    expect(plugins[1]).toBeInstanceOf(DynamicConnectorAdapter);
    expect((plugins[1] as DynamicConnectorAdapter).pluginName).toBe("dyn.a");
    const errors = logs("error");
    expect(errors.some((e) => e.startsWith("Failed to load remote connector badmod due to import/attribute error: No module named"))).toBe(true);
    expect(errors).toContain(
      "Failed to load remote connector badclass due to import/attribute error: module 'plugin_connectors' has no attribute 'Nope'",
    );
    const warnings = logs("warning");
    expect(warnings).toContain("Remote connector nonadapter class NotAConnector is neither a ConnectorAdapter nor a RemoteConnector subclass");
    expect(warnings).toContain("Remote connector missing missing adapter module_path or class_name");
    // fs.primary needs no module: the built-in fs adapter claims plugin://fs.primary.
    expect(warnings.some((w) => w.includes("fs.primary"))).toBe(false);
  });

  it("warns for every plugin when extra_config is missing, and loads nothing", async () => {
    const m = await manager("memory://", pluginConfig(["a", "b"], null));
    expect(m.adapters.length).toBe(N);
    expect(logs("warning")).toEqual([
      "Remote connector a missing adapter module_path or class_name",
      "Remote connector b missing adapter module_path or class_name",
    ]);
  });

  it("creates from the first adapter that can parse: built-ins win over plugins", async () => {
    const b = makeBackend();
    const config = pluginConfig(["shadow", "fixture"], {
      ...pluginKeys("shadow", "plugin_connectors", "MemoryShadowAdapter"),
      ...pluginKeys("fixture", "plugin_connectors", "FixtureAdapter"),
    });
    const mem = await createConnector("memory://", { localCpuBackend: b.backend, config, cwd: FIXTURES });
    expect(mem.getWrappedConnector()).toBeInstanceOf(MemoryConnector);
    const fx = await createConnector("fixture://anything", { localCpuBackend: b.backend, config, cwd: FIXTURES });
    expect(fx.getWrappedConnector().constructor.name).toBe("RecordingConnector");
  });

  it("raises LMCache's errors for a missing scheme and an unknown scheme", async () => {
    const b = makeBackend();
    await expect(createConnector("nope", { localCpuBackend: b.backend })).rejects.toMatchObject({
      name: "ValueError",
      message: "Invalid remote url nope: missing scheme",
    });
    await expect(createConnector("nope://x", { localCpuBackend: b.backend })).rejects.toMatchObject({
      name: "ValueError",
      message: "No adapter found for URL: nope://x",
    });
  });
});

describe("DynamicConnectorAdapter", () => {
  it("reproduces the prefix-match quirk of canParse", async () => {
    const m = await manager("memory://", pluginConfig(["dyn.a"], pluginKeys("dyn.a", "plugin_connectors", "RecordingConnector")));
    const dyn = m.adapters[N] as DynamicConnectorAdapter;
    expect(dyn.schema).toBe("plugin://dyn");
    expect(dyn.canParse("plugin://dyn")).toBe(true);
    expect(dyn.canParse("plugin://dyn.b")).toBe(true);
    expect(dyn.canParse("plugin://dynamo")).toBe(true); // prefix test, as in LMCache
    expect(dyn.canParse("plugin://dy")).toBe(false);
    expect(dyn.canParse("plugin://other.dyn")).toBe(false);
    expect(dyn.canParse("dyn://x")).toBe(false);
  });

  it("constructs with { loop, localCpuBackend, config } only — pluginName is not forwarded", async () => {
    const b = makeBackend();
    const config = pluginConfig(["dyn.a"], pluginKeys("dyn.a", "plugin_connectors", "RecordingConnector"));
    const conn = await createConnector("plugin://dyn.b", { localCpuBackend: b.backend, config, pluginName: "dyn.b", cwd: FIXTURES });
    const inner = conn.getWrappedConnector() as unknown as { init: Record<string, unknown>; argCount: number };
    expect(Object.keys(inner.init).sort()).toEqual(["config", "localCpuBackend", "loop"]);
    expect(inner.argCount).toBe(1);
  });

  it("refuses a plugin connector class with unimplemented abstract methods", async () => {
    const b = makeBackend();
    const config = pluginConfig(["half"], pluginKeys("half", "plugin_connectors", "MissingExistsSync"));
    await expect(
      createConnector("plugin://half", { localCpuBackend: b.backend, config, pluginName: "half", cwd: FIXTURES }),
    ).rejects.toMatchObject({ name: "TypeError", message: "Can't instantiate abstract class MissingExistsSync with abstract method existsSync" });
  });

  it("extractPluginType takes the part before the first dot", () => {
    expect(["fs", "fs.primary", "a.b.c", ".x", ""].map(extractPluginType)).toEqual(["fs", "fs", "a", "", ""]);
  });
});
