import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runConformance } from "../../src/conformance/engine";

const BROKEN = join(__dirname, "..", "fixtures", "broken");

/** Fixture module → the case meant to catch it (a failure: LMCache relies on what the case checks). */
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
  ["exists_sync_async", "ExistsSyncAsync", "exists.sync-agrees"],
  ["same_key_puts_race", "SameKeyPutsRace", "concurrency.shared-keys"],
];

/**
 * Fixtures whose fault LMCache does not rely on: the case still catches it, as an advisory on a
 * passing case (exit code unaffected), and `--strict` turns it into a failure.
 */
const ADVISORY_TABLE: [module: string, className: string, caseId: string, finding: RegExp][] = [
  ["list_duplicates", "ListDuplicates", "list.every-key-once", /list\(\)/],
  ["works_after_close", "WorksAfterClose", "lifecycle.ops-after-close", /after close\(\) succeeded/],
  ["throws_in_close_second_time", "ThrowsInCloseSecondTime", "lifecycle.close-twice", /second close\(\) threw/],
  ["same_key_puts_race", "SameKeyPutsRaceUnbatched", "concurrency.shared-keys", /concurrent put/],
];

const url = (module: string, className: string) => `external://host:0/${module}/?connector_name=${className}`;

describe("broken fixtures fail the case meant for them", () => {
  it.each(TABLE)("%s fails %s", async (module, className, caseId) => {
    const run = await runConformance({ url: url(module, className), cwd: BROKEN, cases: [caseId], seed: 7, timeoutMs: 600 });
    expect(run.loadError).toBeUndefined();
    expect(run.results.map((r) => [r.id, r.status])).toEqual([[caseId, "failed"]]);
    const failure = run.results[0]!;
    expect(failure.message).toBeTruthy();
    expect(failure.ops?.length ?? 0).toBeGreaterThan(0);
  });

  it.each(ADVISORY_TABLE)("%s is reported as an advisory on %s, and fails it under --strict", async (module, className, caseId, finding) => {
    const run = await runConformance({ url: url(module, className), cwd: BROKEN, cases: [caseId], seed: 7, timeoutMs: 600 });
    expect(run.results.map((r) => [r.id, r.status])).toEqual([[caseId, "passed"]]);
    const advisory = run.results[0]!.advisory;
    expect(advisory?.message).toMatch(finding);
    expect(advisory?.why).toBeTruthy();
    expect(run.summary).toMatchObject({ passed: 1, failed: 0, advisories: 1 });
    expect(run.results[0]!.ops?.length ?? 0).toBeGreaterThan(0);

    for (const strict of [true, [caseId], ["advisory"]] as const) {
      const strictRun = await runConformance({ url: url(module, className), cwd: BROKEN, cases: [caseId], seed: 7, timeoutMs: 600, strict: strict as true | string[] });
      expect(strictRun.results.map((r) => [r.id, r.status]), JSON.stringify(strict)).toEqual([[caseId, "failed"]]);
      expect(strictRun.results[0]!.message).toMatch(/^advisory, failed in strict mode: /);
      expect(strictRun.results[0]!.message).toMatch(finding);
    }
    // A glob for another case leaves this advisory alone.
    const other = await runConformance({ url: url(module, className), cwd: BROKEN, cases: [caseId], seed: 7, timeoutMs: 600, strict: ["roundtrip.*"] });
    expect(other.results[0]!.status).toBe("passed");
  });

  it("the correct base store passes every case the fixtures target, with no advisory", async () => {
    const ids = [...TABLE, ...ADVISORY_TABLE].map((t) => t[2]);
    const run = await runConformance({ url: url("base_store", "BaseStore"), cwd: BROKEN, cases: ids, seed: 7, timeoutMs: 2000 });
    const failed = run.results.filter((r) => r.status !== "passed" || r.advisory).map((r) => `${r.id}: ${r.message ?? r.advisory?.message}`);
    expect(failed).toEqual([]);
    expect(run.results.length).toBe(new Set(ids).size);
  });

  it("a hanging get fails its case within the deadline and the run goes on", async () => {
    const started = Date.now();
    const run = await runConformance({ url: url("hangs_in_get", "HangsInGet"), cwd: BROKEN, cases: ["miss.*", "deadline.*", "lifecycle.close-twice"], seed: 1, timeoutMs: 400 });
    expect(Date.now() - started).toBeLessThan(5000);
    const byId = Object.fromEntries(run.results.map((r) => [r.id, r]));
    expect(byId["miss.get-returns-null"]!.status).toBe("failed");
    expect(byId["miss.get-returns-null"]!.message).toMatch(/get\(\) did not settle within 200 ms/);
    expect(byId["lifecycle.close-twice"]!.status).toBe("passed");
  });

  it("points a failure at the connector method's line in the source file", async () => {
    const run = await runConformance({ url: url("put_releases_ref", "PutReleasesRef"), cwd: BROKEN, cases: ["refs.put-keeps-caller-ref"], seed: 3 });
    const loc = run.results[0]!.location;
    expect(loc?.file).toBe(join(BROKEN, "put_releases_ref.ts"));
    const { readFileSync } = await import("node:fs");
    const line = readFileSync(join(BROKEN, "put_releases_ref.ts"), "utf8").split("\n")[loc!.line - 1]!;
    expect(line).toMatch(/async put\(/);
    expect(line.slice(loc!.column - 1).startsWith("put")).toBe(true);
  });

  it("a value the kit cannot JSON-print (a BigInt from exists()) fails the case with that value, not with the kit's own TypeError", async () => {
    const run = await runConformance({ url: url("exists_returns_bigint", "ExistsReturnsBigint"), cwd: BROKEN, cases: ["miss.exists-false"], seed: 3 });
    const result = run.results[0]!;
    expect(result.status).toBe("failed");
    expect(result.message).toContain("exists() of a missing key");
    expect(result.message).not.toMatch(/serialize a BigInt|raised TypeError/);
    expect(result.actual).toBe("0n");
    expect(result.expected).toBe("false");
  });
});
