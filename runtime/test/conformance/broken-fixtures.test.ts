import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runConformance } from "../../src/conformance/engine";

const BROKEN = join(__dirname, "..", "fixtures", "broken");

/** Fixture module → the case meant to catch it. */
const TABLE: [module: string, className: string, caseId: string][] = [
  ["put_releases_ref", "PutReleasesRef", "refs.put-keeps-caller-ref"],
  ["get_throws_on_miss", "GetThrowsOnMiss", "miss.get-returns-null"],
  ["exists_sync_disagrees", "ExistsSyncDisagrees", "exists.sync-agrees"],
  ["list_duplicates", "ListDuplicates", "list.every-key-once"],
  ["keys_collide_on_escape", "KeysCollideOnEscape", "keys.no-escape-collisions"],
  ["keeps_view_of_put_buffer", "KeepsViewOfPutBuffer", "ownership.put-buffer-not-kept"],
  ["lies_about_batched_get", "LiesAboutBatchedGet", "batched.capability-honesty"],
  ["batched_get_not_prefix", "BatchedGetNotPrefix", "batched.get-non-blocking-prefix"],
  ["leaks_on_miss", "LeaksOnMiss", "refs.no-leak-on-miss"],
  ["hangs_in_get", "HangsInGet", "deadline.ops-settle"],
  ["throws_in_close_second_time", "ThrowsInCloseSecondTime", "lifecycle.close-twice"],
  ["works_after_close", "WorksAfterClose", "lifecycle.ops-after-close"],
  ["remove_sync_noop", "RemoveSyncNoop", "remove.removes"],
  ["overwrite_keeps_first", "OverwriteKeepsFirst", "overwrite.last-write-wins"],
  ["non_deterministic", "NonDeterministic", "stability.repeat-reads"],
  ["ping_nonzero", "PingNonzero", "ping.healthy"],
  ["truncates_large", "TruncatesLarge", "roundtrip.large"],
  ["drops_shape", "DropsShape", "roundtrip.full-chunk"],
  ["evicts_silently", "EvictsSilently", "differential.memory-reference"],
  ["close_strands_in_flight", "CloseStrandsInFlight", "concurrency.close-in-flight"],
  ["empty_value_is_miss", "EmptyValueIsMiss", "roundtrip.zero-bytes"],
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

  it("the correct base store passes every case the fixtures target", async () => {
    const run = await runConformance({ url: url("base_store", "BaseStore"), cwd: BROKEN, cases: TABLE.map((t) => t[2]), seed: 7, timeoutMs: 2000 });
    const failed = run.results.filter((r) => r.status !== "passed").map((r) => `${r.id}: ${r.message}`);
    expect(failed).toEqual([]);
    expect(run.results.length).toBe(new Set(TABLE.map((t) => t[2])).size);
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
});
