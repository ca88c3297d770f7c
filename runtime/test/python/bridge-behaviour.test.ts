import { spawnSync } from "node:child_process";
import { mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createEngineConfig } from "../../src/config/engine-config";
import { createConnector } from "../../src/connector/create-connector";
import { CacheEngineKey } from "../../src/keys/cache-engine-key";
import { LocalCPUBackend } from "../../src/storage-backend/local-cpu-backend";
import { conformanceMetadata } from "../../src/conformance/env";
import { runConformance } from "../../src/conformance/engine";
import { stopBridges } from "../../src/python/host";
import { FIXTURES, load, loadError } from "./load-connector";

// Python connectors under LMCache's threading and ownership rules, edited sources, --lmcache (/usr/bin/python3).
process.env["LMCACHE_PYTHON"] = "/usr/bin/python3";
afterAll(() => stopBridges());

describe("ownership events with no frame to ride on", () => {
  it("a reference a connector drops later, from its own task, reaches the engine's object", async () => {
    const config = createEngineConfig({});
    const local = new LocalCPUBackend({ config, metadata: conformanceMetadata() });
    const opened = await createConnector("external://host:0/write_behind/?connector_name=WriteBehind", { localCpuBackend: local, config, metadata: conformanceMetadata(), cwd: join(FIXTURES, "good") });
    const obj = local.allocate([4096], "uint8")!;
    obj.refCountUp(); // the put's own reference, released by the Instrumented wrapper

    await opened.put(new CacheEngineKey({ modelName: "m", worldSize: 1, workerId: 0, chunkHash: 1n, dtype: "bfloat16" }), obj);
    expect(obj.getRefCount()).toBe(2); // the caller's and the connector's write-behind reference
    const until = Date.now() + 5000;
    while (obj.getRefCount() !== 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(obj.getRefCount()).toBe(1); // dropped by the background task, with no call after it
    await opened.close();
  });
});

describe("threads as LMCache uses them", () => {
  it("an exists_sync that runs its coroutine on the connector's loop (run_coroutine_threadsafe) works from the caller thread", async () => {
    const run = await runConformance({ url: "external://host:0/loop_exists_sync/?connector_name=LoopExistsSync", cwd: join(FIXTURES, "good"), seed: 8, cases: ["exists.*", "miss.*", "concurrency.*"] });
    expect(run.results.filter((r) => r.status !== "passed").map((r) => `${r.id}: ${r.message}`)).toEqual([]);
    expect(run.results.length).toBeGreaterThan(3);
  });

  it("no deadlock when Node blocks in exists_sync while a get waits for its allocate answer and exists_sync needs the loop", async () => {
    const config = createEngineConfig({});
    const local = new LocalCPUBackend({ config, metadata: conformanceMetadata() });
    const c = await createConnector("external://host:0/loop_exists_sync/?connector_name=LoopExistsSync", { localCpuBackend: local, config, metadata: conformanceMetadata(), cwd: join(FIXTURES, "good") });
    const key = new CacheEngineKey({ modelName: "m", worldSize: 1, workerId: 0, chunkHash: 1n, dtype: "bfloat16" });
    const obj = local.allocate([4096], "uint8")!;
    obj.refCountUp();
    await c.put(key, obj);
    for (let i = 0; i < 20; i++) {
      const pending = c.get(key); // sent now; its allocate() callback comes back while…
      expect(c.existsSync(key)).toBe(true); // …Node is blocked here
      (await pending)!.refCountDown();
    }
    obj.refCountDown();
    expect(local.memoryAllocator.stats().liveObjects).toBe(0);
    await c.close();
  });
});


describe("an edited Python source", () => {
  it("is imported afresh on the next load by the same bridge", async () => {
    const dir = mkdtempSync(join(tmpdir(), "py-edit-"));
    const source = (answer: string) =>
      `from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector\n\n\nclass Edited(RemoteConnector):\n` +
      `    def __init__(self, loop, local_cpu_backend, config):\n        pass\n\n    async def exists(self, key):\n        return False\n\n` +
      `    def exists_sync(self, key):\n        return False\n\n    async def get(self, key):\n        return None\n\n    async def put(self, key, memory_obj):\n        pass\n\n` +
      `    async def list(self):\n        return ["${answer}"]\n\n    async def close(self):\n        pass\n`;
    writeFileSync(join(dir, "edited.py"), source("first"));
    const first = await load("edited", "Edited", dir);
    expect(await first.list()).toEqual(["first"]);
    writeFileSync(join(dir, "edited.py"), source("second"));
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, "edited.py"), later, later); // a distinct mtime even on a coarse clock
    const second = await load("edited", "Edited", dir);
    expect(await second.list()).toEqual(["second"]);
  });
});

describe("--lmcache", () => {
  it("installed, on an interpreter without LMCache, is one clear refusal; kit names the kit's package", async () => {
    process.env["LMCACHE_KIT_LMCACHE"] = "installed";
    try {
      const hasLmcache = spawnSync("/usr/bin/python3", ["-c", "import lmcache"]).status === 0;
      if (hasLmcache) {
        const connector = await load("dict_connector", "DictConnector", join(FIXTURES, "good"));
        expect(String(connector.getWrappedConnector())).toMatch(/· lmcache installed /);
        await connector.close();
      } else {
        const err = await loadError("dict_connector", "DictConnector", join(FIXTURES, "good"));
        expect(err.name).toBe("PythonSetupError");
        expect(err.message).toMatch(/--lmcache installed: this interpreter cannot import lmcache .*use --lmcache kit/);
      }
      process.env["LMCACHE_KIT_LMCACHE"] = "kit";
      const connector = await load("dict_connector", "DictConnector", join(FIXTURES, "good"));
      expect(String(connector.getWrappedConnector())).toMatch(/· lmcache kit \S+\+lmcache-connector-kit>$/);
      await connector.close();
    } finally {
      delete process.env["LMCACHE_KIT_LMCACHE"];
    }
  });
});
