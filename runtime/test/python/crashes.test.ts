import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runConformance } from "../../src/conformance/engine";
import { stopBridges } from "../../src/python/host";

// A Python connector that exits, crashes or spins fails the case in flight, naming the method;
// the next case gets a fresh bridge; the bridge never outlives the process that started it.
const BROKEN = join(__dirname, "..", "fixtures", "python", "broken");
process.env["LMCACHE_PYTHON"] = "/usr/bin/python3";
afterAll(() => stopBridges());

const url = (module: string, className: string) => `external://host:0/${module}/?connector_name=${className}`;
// 3 s per case (calls 1.5 s): long enough for a bridge restart on a loaded machine, short enough to keep the file quick
const check = (module: string, cls: string, cases: string[]) => runConformance({ url: url(module, cls), cwd: BROKEN, cases, seed: 2, timeoutMs: 3000 });

describe("a Python connector that takes the process down", () => {
  it("os._exit in get fails the case naming get(); the next case runs on a new bridge", async () => {
    const run = await check("exits_in_get", "ExitsInGet", ["roundtrip.4kib", "lifecycle.close-twice"]);
    const byId = Object.fromEntries(run.results.map((r) => [r.id, r]));
    expect(byId["roundtrip.4kib"]!.status).toBe("failed");
    expect(byId["roundtrip.4kib"]!.message).toMatch(/the Python bridge \(pid \d+\) exited with code 3 while get\(\) was in flight/);
    expect(byId["lifecycle.close-twice"]!.status).toBe("passed");
  }, 30_000);

  it("a segfault in put fails the case naming put()", async () => {
    const run = await check("segfaults_in_put", "SegfaultsInPut", ["roundtrip.4kib"]);
    expect(run.results[0]!.status).toBe("failed");
    expect(run.results[0]!.message).toMatch(/killed by SIGSEGV while put\(\) was in flight/);
    expect(run.results[0]!.location?.file).toBe(join(BROKEN, "segfaults_in_put.py"));
  }, 30_000);

  it("a busy loop in exists_sync is cut at the sync deadline, naming exists_sync()", async () => {
    process.env["LMCACHE_KIT_SYNC_DEADLINE_MS"] = "500";
    try {
      const run = await check("busy_in_exists_sync", "BusyInExistsSync", ["exists.sync-agrees"]);
      expect(run.results[0]!.status).toBe("failed");
      expect(run.results[0]!.message).toMatch(/exists_sync\(\) did not return within 500 ms/);
    } finally {
      delete process.env["LMCACHE_KIT_SYNC_DEADLINE_MS"];
    }
  }, 30_000);

  it("a coroutine that never yields fails its case at the call deadline, naming get()", async () => {
    const run = await check("busy_in_get", "BusyInGet", ["roundtrip.4kib"]);
    expect(run.results[0]!.status).toBe("failed");
    expect(run.results[0]!.message).toMatch(/get\(\) did not settle within \d+ ms/);
  }, 30_000);
});
