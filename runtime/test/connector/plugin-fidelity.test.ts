/**
 * Plugin-path fidelity: adapter classes LMCache cannot instantiate are logged and skipped, and
 * `remote_url: plugin://fs` (the legacy path: no plugin name) fails as in LMCache.
 */
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { createConnector } from "../../src/connector/create-connector";
import { EventLoop } from "../../src/connector/event-loop";
import { ConnectorManager } from "../../src/connector/manager";
import { FSConnector } from "../../src/connector/adapters/fs-connector";
import { createEngineConfig } from "../../src/config/engine-config";
import { clearLogRecords, getLogRecords } from "../../src/logging";
import { makeBackend, tempDir } from "./helpers";

const FIXTURES = join(__dirname, "..", "fixtures", "connectors");
beforeEach(() => clearLogRecords());

const keys = (name: string, cls: string) => ({
  [`remote_storage_plugin.${name}.module_path`]: "plugin_adapters_bad",
  [`remote_storage_plugin.${name}.class_name`]: cls,
});

describe("plugin adapter classes", () => {
  it("one needing constructor arguments or leaving createConnector abstract is logged and skipped", async () => {
    const b = makeBackend();
    const config = createEngineConfig({
      remoteStoragePlugins: ["args", "half", "opt"],
      extraConfig: { ...keys("args", "NeedsSchemaAdapter"), ...keys("half", "HalfAdapter"), ...keys("opt", "OptionalArgsAdapter") },
    });
    const m = await ConnectorManager.create({ url: "memory://", loop: new EventLoop(), localCpuBackend: b.backend, config, cwd: FIXTURES });
    const errors = getLogRecords().filter((r) => r.level === "error").map((r) => r.message);
    expect(errors).toContain(
      "Failed to create remote connector args adapter: NeedsSchemaAdapter.__init__() missing 2 required positional arguments: 'schema' and 'extra'",
    );
    expect(errors).toContain("Failed to create remote connector half adapter: Can't instantiate abstract class HalfAdapter with abstract method create_connector");
    const schemas = m.adapters.map((a) => a.schema);
    expect(schemas).toContain("optional://");
    expect(schemas).not.toContain("half://");
    expect(schemas.filter((s) => s.includes("undefined"))).toEqual([]);
  });
});

describe("plugin://fs through remote_url (LMCache's legacy path passes no plugin name)", () => {
  it("fails with the fs adapter's no-path error; with the plugin name it is the plugin path", async () => {
    const { dir, cleanup } = tempDir();
    const b = makeBackend({ "remote_storage_plugin.fs.base_path": dir });
    const config = { ...b.config, remoteStoragePlugins: ["fs"] };
    await expect(createConnector("plugin://fs", { localCpuBackend: b.backend, config, metadata: b.metadata, pluginName: null })).rejects.toMatchObject({
      name: "ValueError",
      message: "Invalid fs URL 'plugin://fs': no path. Expected fs://[host:port]/path, for example fs:///var/lmcache",
    });
    const viaPlugin = await createConnector("plugin://fs", { localCpuBackend: b.backend, config, metadata: b.metadata, pluginName: "fs" });
    expect(viaPlugin.getWrappedConnector()).toBeInstanceOf(FSConnector);
    await viaPlugin.close();
    cleanup();
  });
});
