import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runConformance } from "../../src/conformance/engine";
import { getLogRecords } from "../../src/logging";
import { stopBridges } from "../../src/python/host";

// plugin://<name> with a Python class named in remote_storage_plugin.<name>.module_path/.class_name.
const GOOD = join(__dirname, "..", "fixtures", "python", "good");
const LOADING = join(__dirname, "..", "fixtures", "python", "loading");
process.env["LMCACHE_PYTHON"] = "/usr/bin/python3";
afterAll(() => stopBridges());

const plugin = (module: string, cls: string) => ({
  remoteStoragePlugins: ["pystore.primary"],
  extraConfig: { "remote_storage_plugin.pystore.primary.module_path": module, "remote_storage_plugin.pystore.primary.class_name": cls },
});

describe("plugin:// with a Python RemoteConnector class", () => {
  it("loads through DynamicConnectorAdapter's rules and passes the cases it is given", async () => {
    const run = await runConformance({ url: "plugin://pystore.primary", cwd: GOOD, seed: 4, cases: ["roundtrip.*", "refs.*", "lifecycle.*"], config: plugin("dict_connector", "DictConnector") });
    expect(run.loadError).toBeUndefined();
    expect(run.connector).toMatch(/^DictConnector · Python/);
    expect(run.results.filter((r) => r.status !== "passed")).toEqual([]);
    // the type prefix rule: plugin://pystore.other reaches the same adapter
    const other = await runConformance({ url: "plugin://pystore.other", cwd: GOOD, seed: 4, cases: ["roundtrip.4kib"], config: plugin("dict_connector", "DictConnector") });
    expect(other.summary.passed).toBe(1);
  }, 60_000);

  it("a missing class is logged as LMCache logs it, and the URL then has no adapter", async () => {
    const since = Date.now();
    const run = await runConformance({ url: "plugin://pystore.primary", cwd: GOOD, seed: 4, cases: ["roundtrip.4kib"], config: plugin("dict_connector", "Nope") });
    expect(run.loadError).toEqual({ errorName: "ValueError", message: "No adapter found for URL: plugin://pystore.primary" });
    const logged = getLogRecords().filter((r) => r.level === "error" && r.time >= since).map((r) => r.message);
    expect(logged).toContain("Failed to load remote connector pystore.primary due to import/attribute error: module 'dict_connector' has no attribute 'Nope'");
  }, 60_000);

  it("a class that is neither an adapter nor a connector is skipped with LMCache's warning", async () => {
    const since = Date.now();
    const run = await runConformance({ url: "plugin://pystore.primary", cwd: LOADING, seed: 4, cases: ["roundtrip.4kib"], config: plugin("not_a_connector", "NotAConnector") });
    expect(run.loadError?.message).toBe("No adapter found for URL: plugin://pystore.primary");
    const warned = getLogRecords().filter((r) => r.level === "warning" && r.time >= since).map((r) => r.message);
    expect(warned).toContain("Remote connector pystore.primary class NotAConnector is neither a ConnectorAdapter nor a RemoteConnector subclass");
  }, 60_000);
});

describe("plugin:// with a Python ConnectorAdapter class", () => {
  const adapterPlugin = {
    remoteStoragePlugins: ["pydict"],
    extraConfig: { "remote_storage_plugin.pydict.module_path": "dict_adapter", "remote_storage_plugin.pydict.class_name": "DictAdapter" },
  };

  it("instantiates it, asks its can_parse and builds the connector with its create_connector", async () => {
    const run = await runConformance({ url: "plugin://pydict", cwd: GOOD, seed: 4, cases: ["roundtrip.4kib", "refs.*", "miss.*"], config: adapterPlugin });
    expect(run.loadError).toBeUndefined();
    expect(run.connector).toMatch(/^DictConnector · Python/);
    expect(run.results.filter((r) => r.status !== "passed")).toEqual([]);
  }, 60_000);

  it("a URL its can_parse refuses has no adapter", async () => {
    const run = await runConformance({ url: "plugin://other", cwd: GOOD, seed: 4, cases: ["roundtrip.4kib"], config: { ...adapterPlugin, remoteStoragePlugins: ["pydict", "other"] } });
    expect(run.loadError).toEqual({ errorName: "ValueError", message: "No adapter found for URL: plugin://other" });
  }, 60_000);
});

