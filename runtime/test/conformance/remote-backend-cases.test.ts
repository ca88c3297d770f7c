/**
 * The "remote-backend" conformance cases (through the harness's RemoteBackend): each broken
 * fixture fails the case meant for it, with the cause named; the good connectors pass (or, where
 * the store is private to one connector instance, the persistence case skips as not applicable).
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runConformance } from "../../src/conformance/engine";

const BROKEN = join(__dirname, "..", "fixtures", "broken");
const EXAMPLES = join(__dirname, "..", "..", "..", "docs", "examples");
const url = (module: string, cls: string) => `external://host:0/${module}/?connector_name=${cls}`;
const CASES = ["remote-backend.*"];

async function run(u: string, cwd = BROKEN) {
  const result = await runConformance({ url: u, cwd, cases: CASES, seed: 5, timeoutMs: 2000 });
  expect(result.loadError).toBeUndefined();
  return Object.fromEntries(result.results.map((r) => [r.id, r]));
}

describe("remote-backend cases catch what they claim", () => {
  it.each([
    ["batched_get_stops_at_miss", "BatchedGetStopsAtMiss", "remote-backend.batched-get-length", /AssertionError: keys length: 3, decompressed memory objs length: 1/],
    ["no_super_metadata", "NoSuperMetadata", "remote-backend.health-self-test", /AttributeError.*meta_shapes.*never called super\(config, metadata\)/],
    ["wipes_store_on_close", "WipesStoreOnClose", "remote-backend.persists-across-instances", /a new connector after the first closed: RemoteBackend\.contains\(\) is False/],
    ["keys_private_per_instance", "KeysPrivatePerInstance", "remote-backend.persists-across-instances", /lists \d+ entries but finds none of the 3 chunks/],
  ])("%s fails %s", async (module, cls, caseId, message) => {
    const byId = await run(url(module, cls));
    expect(byId[caseId]?.status).toBe("failed");
    expect(byId[caseId]?.message).toMatch(message);
    // Only the case meant for the fixture fails.
    expect(Object.values(byId).filter((r) => r.status === "failed").map((r) => r.id)).toEqual([caseId]);
  });

  it("a correct connector with a store shared by its instances passes all three", async () => {
    const byId = await run(url("shared_store", "SharedStore"));
    expect(Object.values(byId).map((r) => [r.id, r.status])).toEqual([
      ["remote-backend.batched-get-length", "skipped"], // no batched get declared
      ["remote-backend.health-self-test", "passed"],
      ["remote-backend.persists-across-instances", "passed"],
    ]);
  });

  it("memory://<name> passes all three; anonymous memory:// is private, so persistence skips as not applicable", async () => {
    const named = await run("memory://remote-backend-cases");
    expect(Object.values(named).map((r) => r.status)).toEqual(["passed", "passed", "passed"]);
    const anonymous = await run("memory://");
    expect(anonymous["remote-backend.batched-get-length"]?.status).toBe("passed");
    expect(anonymous["remote-backend.health-self-test"]?.status).toBe("passed");
    expect(anonymous["remote-backend.persists-across-instances"]).toMatchObject({ status: "skipped", skip: { kind: "not-applicable" } });
  });

  it("docs/examples/my_connector.ts fails none (its Map is per instance: persistence skips)", async () => {
    const byId = await run(url("my_connector", "MyConnector"), EXAMPLES);
    expect(Object.values(byId).filter((r) => r.status === "failed")).toEqual([]);
    expect(byId["remote-backend.health-self-test"]?.status).toBe("passed");
    expect(byId["remote-backend.persists-across-instances"]?.status).toBe("skipped");
  });
});
