import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CacheEngineKey } from "../../src/keys/cache-engine-key";
import { stopBridges } from "../../src/python/host";
import { FIXTURES, LOADING, load, loadError } from "./load-connector";
import { findInterpreter, forgetInterpreterProbes } from "../../src/python/interpreter";
import { connectorLanguage } from "../../src/python/resolve";

// Loading a Python connector exactly as LMCache's ExternalConnectorAdapter does, in /usr/bin/python3.
const BROKEN = join(FIXTURES, "broken");
process.env["LMCACHE_PYTHON"] = "/usr/bin/python3";
afterAll(() => stopBridges());

describe("LMCache's loading steps and messages, in Python", () => {
  it.each([
    ["imports_missing", "X", LOADING, "ImportError", "Could not import module 'imports_missing', error: No module named 'not_a_real_module_xyz'"],
    ["not_a_connector", "Nope", LOADING, "AttributeError", "Module 'not_a_connector' has no class 'Nope', error: module 'not_a_connector' has no attribute 'Nope'"],
    ["not_a_connector", "NotAConnector", LOADING, "TypeError", "NotAConnector must be a subclass of RemoteConnector"],
    ["not_a_connector", "value", LOADING, "TypeError", "issubclass() arg 1 must be a class"],
    ["init_attribute_error", "InitAttributeError", LOADING, "AttributeError", "Module 'init_attribute_error' has no class 'InitAttributeError', error: 'LMCacheEngineConfig' object has no attribute 'no_such_setting'"],
    ["abstract_missing", "AbstractMissing", LOADING, "TypeError", "Can't instantiate abstract class AbstractMissing with abstract method get"],
    ["wrong_init", "WrongInit", BROKEN, "TypeError", "WrongInit.__init__() got an unexpected keyword argument 'loop'"],
    ["missing_init", "MissingInit", BROKEN, "TypeError", "RemoteConnector.__init__() got an unexpected keyword argument 'loop'"],
  ])("%s / %s → %s", async (module, cls, cwd, name, message) => {
    const err = await loadError(module, cls, cwd);
    expect(err.name).toBe(name);
    expect(err.message).toBe(message);
  });

  it("a SyntaxError propagates unchanged, naming the file and line", async () => {
    const err = await loadError("syntax_error", "Broken");
    expect(err.name).toBe("SyntaxError");
    expect(err.message).toMatch(/syntax_error\.py, line 4\)$/);
  });

  it("a module found nowhere keeps the loader's ImportError", async () => {
    const err = await loadError("no_such_module_anywhere", "X");
    expect([err.name, err.message]).toEqual(["ImportError", "Could not import module 'no_such_module_anywhere', error: No module named 'no_such_module_anywhere'"]);
  });

  it("loads a good connector: real CacheEngineKey objects, the Python class's name and repr", async () => {
    const connector = await load("dict_connector", "DictConnector", join(FIXTURES, "good"));
    const inner = connector.getWrappedConnector();
    expect(inner.constructor.name).toBe("DictConnector");
    expect(String(inner)).toMatch(/^<DictConnector · Python 3\.\d+\.\d+ \(.+\) · lmcache (kit|installed) /);
    await connector.close();
  });
});

describe("which language a module path loads", () => {
  it("Python wins over a TS module of the same name; --language ts chooses TS", () => {
    const cwd = join(FIXTURES, "both");
    expect(connectorLanguage("both_conn", { cwd, env: {} })).toBe("python");
    expect(connectorLanguage("both_conn", { cwd, env: { LMCACHE_CONNECTOR_LANGUAGE: "ts" } })).toBe("ts");
    expect(connectorLanguage("both_conn", { cwd, language: "python", env: {} })).toBe("python");
    expect(connectorLanguage("dict_connector", { cwd: join(FIXTURES, "good"), env: {} })).toBe("python");
    expect(connectorLanguage("a..b", { cwd, env: {} })).toBe("ts"); // invalid names never reach Python
  });

  it("PYTHONPATH is a root for Python modules", () => {
    expect(connectorLanguage("dict_connector", { cwd: tmpdir(), env: { PYTHONPATH: join(FIXTURES, "good"), LMCACHE_PYTHON: "/usr/bin/python3" } })).toBe("python");
  });
});

describe("interpreter discovery", () => {
  it("finds an interpreter that can import torch when none is named", () => {
    forgetInterpreterProbes();
    const found = findInterpreter({ PATH: process.env["PATH"] });
    expect(found.version).toMatch(/^3\.(1\d|[2-9]\d)\./);
  });

  it("an explicit interpreter that does not exist gets one clear message saying what to install", () => {
    expect(() => findInterpreter({ LMCACHE_PYTHON: "/nonexistent/python3" })).toThrow(/not usable: \/nonexistent\/python3 could not be run \(ENOENT\)\. Install Python >= 3\.10 with torch \(Debian\/Ubuntu: apt-get install python3-torch/);
  });

  it("an interpreter that is too old, or lacks torch, is refused with the reason", () => {
    const dir = mkdtempSync(join(tmpdir(), "fake-python-"));
    const fake = (name: string, answer: string) => {
      const path = join(dir, name);
      writeFileSync(path, `#!/bin/sh\necho '${answer}'\n`);
      chmodSync(path, 0o755);
      return path;
    };
    // what the probe (PROBE_SCRIPT, without --versions) prints: the version, torch found ("") or null
    const old = fake("old", '{"exe":"/fake/old","v":"3.8.10","major":[3,8],"torch":""}');
    const noTorch = fake("notorch", '{"exe":"/fake/nt","v":"3.12.1","major":[3,12],"torch":null}');
    const notPython = fake("notpython", "hello");
    expect(() => findInterpreter({ LMCACHE_PYTHON: old })).toThrow(/is Python 3\.8\.10; LMCache needs Python >= 3\.10\. Install/);
    expect(() => findInterpreter({ LMCACHE_PYTHON: noTorch })).toThrow(/\(Python 3\.12\.1\) cannot import torch\. Install .*apt-get install python3-torch/);
    expect(() => findInterpreter({ LMCACHE_PYTHON: notPython })).toThrow(/notpython did not answer like a Python interpreter\. Install/);
  });
});
