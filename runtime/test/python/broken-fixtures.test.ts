import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runConformance } from "../../src/conformance/engine";
import { stopBridges } from "../../src/python/host";

// The Python twins of test/fixtures/broken/*.ts, run through the bridge by /usr/bin/python3.
const BROKEN = join(__dirname, "..", "fixtures", "python", "broken");
const env = { LMCACHE_PYTHON: "/usr/bin/python3" };
process.env["LMCACHE_PYTHON"] = env.LMCACHE_PYTHON;
afterAll(() => stopBridges());

/** Fixture module → the case meant to catch it (the same table as the TS fixtures'). */
const TABLE: [module: string, className: string, caseId: string][] = [
  ["put_releases_ref", "PutReleasesRef", "refs.put-keeps-caller-ref"],
  ["get_throws_on_miss", "GetThrowsOnMiss", "miss.get-returns-null"],
  ["exists_sync_disagrees", "ExistsSyncDisagrees", "exists.sync-agrees"],
  ["keys_collide_on_escape", "KeysCollideOnEscape", "keys.no-escape-collisions"],
  ["keeps_view_of_put_buffer", "KeepsViewOfPutBuffer", "ownership.put-buffer-not-kept"],
  ["lies_about_batched_get", "LiesAboutBatchedGet", "batched.capability-honesty"],
  ["batched_get_not_prefix", "BatchedGetNotPrefix", "batched.get-non-blocking-prefix"],
  ["leaks_on_miss", "LeaksOnMiss", "refs.no-leak-on-miss"],
  ["hangs_in_get", "HangsInGet", "deadline.ops-settle"],
  ["remove_sync_noop", "RemoveSyncNoop", "remove.removes"],
  ["overwrite_keeps_first", "OverwriteKeepsFirst", "overwrite.last-write-wins"],
  ["non_deterministic", "NonDeterministic", "stability.repeat-reads"],
  ["ping_nonzero", "PingNonzero", "ping.healthy"],
  ["truncates_large", "TruncatesLarge", "roundtrip.large"],
  ["drops_shape", "DropsShape", "roundtrip.full-chunk"],
  ["evicts_silently", "EvictsSilently", "differential.memory-reference"],
  ["close_strands_in_flight", "CloseStrandsInFlight", "concurrency.close-in-flight"],
  ["empty_value_is_miss", "EmptyValueIsMiss", "roundtrip.zero-bytes"],
  ["batched_get_stops_at_miss", "BatchedGetStopsAtMiss", "remote-backend.batched-get-length"],
  ["no_super_metadata", "NoSuperMetadata", "remote-backend.health-self-test"],
  ["wipes_store_on_close", "WipesStoreOnClose", "remote-backend.persists-across-instances"],
  ["keys_private_per_instance", "KeysPrivatePerInstance", "remote-backend.persists-across-instances"],
  ["same_key_puts_race", "SameKeyPutsRace", "concurrency.shared-keys"],
  // Python-only breakages
  ["sync_exists", "SyncExists", "miss.exists-false"],
  ["async_exists_sync", "AsyncExistsSync", "exists.sync-agrees"],
];

/** Faults LMCache does not rely on: caught as an advisory on a passing case, failed under --strict (as the TS twins). */
const ADVISORY_TABLE: [module: string, className: string, caseId: string, finding: RegExp][] = [
  ["list_duplicates", "ListDuplicates", "list.every-key-once", /list\(\)/],
  ["works_after_close", "WorksAfterClose", "lifecycle.ops-after-close", /after close\(\) succeeded/],
  ["throws_in_close_second_time", "ThrowsInCloseSecondTime", "lifecycle.close-twice", /second close\(\) threw/],
  ["same_key_puts_race", "SameKeyPutsRaceUnbatched", "concurrency.shared-keys", /concurrent put/],
];

const url = (module: string, className: string) => `external://host:0/${module}/?connector_name=${className}`;

describe("Python broken fixtures fail the case meant for them", () => {
  it.each(TABLE)("%s fails %s", async (module, className, caseId) => {
    // 3 s per case: the machine is shared, and a Python call crosses a process boundary
    const run = await runConformance({ url: url(module, className), cwd: BROKEN, cases: [caseId], seed: 7, timeoutMs: 3000 });
    expect(run.loadError).toBeUndefined();
    expect(run.results.map((r) => [r.id, r.status])).toEqual([[caseId, "failed"]]);
    const failure = run.results[0]!;
    expect(failure.message).toBeTruthy();
    expect(failure.ops?.length ?? 0).toBeGreaterThan(0);
    expect(failure.location?.file.endsWith(".py")).toBe(true);
  });

  it.each(ADVISORY_TABLE)("%s is reported as an advisory on %s, and fails it under --strict", async (module, className, caseId, finding) => {
    const run = await runConformance({ url: url(module, className), cwd: BROKEN, cases: [caseId], seed: 7, timeoutMs: 3000 });
    expect(run.results.map((r) => [r.id, r.status])).toEqual([[caseId, "passed"]]);
    expect(run.results[0]!.advisory?.message).toMatch(finding);
    const strict = await runConformance({ url: url(module, className), cwd: BROKEN, cases: [caseId], seed: 7, timeoutMs: 3000, strict: true });
    expect(strict.results.map((r) => [r.id, r.status])).toEqual([[caseId, "failed"]]);
  });

  it("the correct Python base store passes every case the fixtures target, with no advisory", async () => {
    const cases = [...new Set([...TABLE, ...ADVISORY_TABLE].map((t) => t[2]))];
    const run = await runConformance({ url: url("base_store", "BaseStore"), cwd: BROKEN, cases, seed: 7, timeoutMs: 10_000 });
    // a capability the base store does not declare (batched get) is a skip, never a failure
    const failed = run.results.filter((r) => r.status === "failed" || r.advisory).map((r) => `${r.id}: ${r.message ?? r.advisory?.message}`);
    expect(failed).toEqual([]);
    expect(run.results.length).toBe(cases.length);
  });

  it("a sync exists() fails with LMCache's own TypeError, traceback and the .py line", async () => {
    const run = await runConformance({ url: url("sync_exists", "SyncExists"), cwd: BROKEN, cases: ["miss.exists-false"], seed: 1 });
    const r = run.results[0]!;
    expect(r.message).toMatch(/TypeError: object bool can't be used in 'await' expression/);
    expect(r.message).toMatch(/Traceback \(most recent call last\)/);
    expect(r.location?.file).toBe(join(BROKEN, "sync_exists.py"));
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(r.location!.file, "utf8").split("\n")[r.location!.line - 1]).toMatch(/def exists\(/);
  });

  it("points a failure at the method's def line in the .py file", async () => {
    const run = await runConformance({ url: url("put_releases_ref", "PutReleasesRef"), cwd: BROKEN, cases: ["refs.put-keeps-caller-ref"], seed: 3 });
    const loc = run.results[0]!.location!;
    expect(loc.file).toBe(join(BROKEN, "put_releases_ref.py"));
    const { readFileSync } = await import("node:fs");
    const line = readFileSync(loc.file, "utf8").split("\n")[loc.line - 1]!;
    expect(line).toMatch(/async def put\(/);
    expect(line.slice(loc.column - 1).startsWith("put")).toBe(true);
  });

  it("a differential counterexample found on a Python connector replays with --seed/--replay", async () => {
    const first = await runConformance({ url: url("evicts_silently", "EvictsSilently"), cwd: BROKEN, cases: ["differential.memory-reference"], seed: 21 });
    const replay = first.results[0]!.replay;
    expect(first.results[0]!.status).toBe("failed");
    expect(replay?.seed).toBe(21);
    expect(replay?.path).toBeTruthy();
    const again = await runConformance({ url: url("evicts_silently", "EvictsSilently"), cwd: BROKEN, cases: ["differential.memory-reference"], seed: replay!.seed, replayPath: replay!.path });
    expect(again.results[0]!.status).toBe("failed");
    expect(again.results[0]!.message).toBe(first.results[0]!.message);
  });

  it("a correct store shared by its instances passes the persistence case (which skips on private stores)", async () => {
    const run = await runConformance({ url: url("shared_store", "SharedStore"), cwd: BROKEN, cases: ["remote-backend.*"], seed: 5, timeoutMs: 10_000 });
    expect(run.results.map((r) => [r.id, r.status])).toEqual([
      ["remote-backend.batched-get-length", "skipped"],
      ["remote-backend.health-self-test", "passed"],
      ["remote-backend.persists-across-instances", "passed"],
    ]);
  });
});

