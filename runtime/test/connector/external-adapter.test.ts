import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { createConnector } from "../../src/connector/create-connector";
import { InstrumentedRemoteConnector } from "../../src/connector/instrumented-connector";
import { clearLogRecords, getLogRecords } from "../../src/logging";
import { makeBackend } from "./helpers";

const FIXTURES = join(__dirname, "..", "fixtures", "connectors");
const url = (cls: string, mod = "plugin_connectors") => `external://host:0/${mod}/?connector_name=${cls}`;

beforeEach(() => clearLogRecords());

async function create(u: string) {
  const b = makeBackend();
  return createConnector(u, { localCpuBackend: b.backend, config: b.config, metadata: b.metadata, cwd: FIXTURES });
}

describe("external:// adapter", () => {
  it("loads the class, constructs it with ONE { loop, localCpuBackend, config } object and logs LMCache's lines in order", async () => {
    const b = makeBackend();
    const conn = await createConnector(url("RecordingConnector"), { localCpuBackend: b.backend, config: b.config, cwd: FIXTURES });
    expect(conn).toBeInstanceOf(InstrumentedRemoteConnector);
    const inner = conn.getWrappedConnector() as unknown as { init: Record<string, unknown>; argCount: number };
    expect(inner.argCount).toBe(1);
    expect(Object.keys(inner.init).sort()).toEqual(["config", "localCpuBackend", "loop"]);
    expect(inner.init.localCpuBackend).toBe(b.backend);
    expect(inner.init.config).toBe(b.config);
    const messages = getLogRecords()
      .filter((r) => r.logger.endsWith("external_adapter"))
      .map((r) => `${r.level}:${r.message}`);
    expect(messages).toEqual([
      `info:Creating External connector for URL: ${url("RecordingConnector")}`,
      "warning:External connector is due for deprecation in release v0.5.0. Please use the Remote Storage Plugin Framework instead.",
      "info:Loaded external connector: plugin_connectors.RecordingConnector",
    ]);
  });

  it("reports a missing module as ImportError with the loader's text appended", async () => {
    const err = await create(url("X", "no_such_module")).catch((e) => e);
    expect(err.name).toBe("ImportError");
    expect(err.message).toMatch(/^Could not import module 'no_such_module', error: No module named 'no_such_module'/);
  });

  it("reports a missing export as AttributeError", async () => {
    await expect(create(url("Nope"))).rejects.toMatchObject({
      name: "AttributeError",
      message: "Module 'plugin_connectors' has no class 'Nope', error: module 'plugin_connectors' has no attribute 'Nope'",
    });
  });

  it("rejects a class that is not a RemoteConnector, and a non-class, with TypeError", async () => {
    await expect(create(url("NotAConnector"))).rejects.toMatchObject({
      name: "TypeError",
      message: "NotAConnector must be a subclass of RemoteConnector",
    });
    await expect(create(url("notAClass"))).rejects.toMatchObject({
      name: "TypeError",
      message: "issubclass() arg 1 must be a class",
    });
  });

  it("refuses a connector missing existsSync like Python's ABC", async () => {
    await expect(create(url("MissingExistsSync"))).rejects.toMatchObject({
      name: "TypeError",
      message: "Can't instantiate abstract class MissingExistsSync with abstract method existsSync",
    });
  });

  it("mis-reports ImportError/AttributeError raised by the constructor (LMCache gotcha), passes others through", async () => {
    await expect(create(url("CtorThrowsAttributeError"))).rejects.toMatchObject({
      name: "AttributeError",
      message:
        "Module 'plugin_connectors' has no class 'CtorThrowsAttributeError', error: 'NoneType' object has no attribute 'extra_config'",
    });
    await expect(create(url("CtorThrowsImportError"))).rejects.toMatchObject({
      name: "ImportError",
      message: "Could not import module 'plugin_connectors', error: No module named 'redis'",
    });
    await expect(create(url("CtorThrowsValueError"))).rejects.toMatchObject({ name: "ValueError", message: "bad settings" });
  });

  it("applies parseExternalUrl's checks before loading anything", async () => {
    await expect(create("external://host:0/plugin_connectors/")).rejects.toMatchObject({
      name: "ValueError",
      message: "External connector requires 'connector_name' in query parameters",
    });
    await expect(create("external://host/plugin_connectors/?connector_name=RecordingConnector")).rejects.toMatchObject({
      name: "AssertionError",
    });
    // Matching is case-sensitive on the raw URL.
    await expect(create("External://host:0/plugin_connectors/?connector_name=RecordingConnector")).rejects.toMatchObject({
      name: "ValueError",
      message: "No adapter found for URL: External://host:0/plugin_connectors/?connector_name=RecordingConnector",
    });
  });
});
