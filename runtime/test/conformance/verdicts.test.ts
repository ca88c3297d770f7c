/**
 * Verdicts that follow what LMCache relies on: required cases fail, advisory ones are reported on
 * a passing case, payloads follow save_chunk_meta, and the kit's ports of LMCache's own connectors
 * fail only where LMCache's connector does (and say so).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_CASES } from "../../src/conformance/cases";
import { caseInfo, runConformance } from "../../src/conformance/engine";
import { startRedisServer, type RedisServer } from "../../../test/support/redis-server";

const ROOT = join(__dirname, "..", "..", "..");
const dirs: string[] = [];

function fsUrl(): string {
  const dir = mkdtempSync(join(tmpdir(), "lmc-verdicts-"));
  dirs.push(dir);
  return `fs://${dir}`;
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const byStatus = (run: Awaited<ReturnType<typeof runConformance>>, status: string) => run.results.filter((r) => r.status === status).map((r) => r.id).sort();
const advised = (run: Awaited<ReturnType<typeof runConformance>>) => run.results.filter((r) => r.status === "passed" && r.advisory).map((r) => r.id).sort();

describe("every case says whether LMCache relies on it", () => {
  it("each case is required or advisory, with a basis that cites LMCache's behaviour", () => {
    for (const c of ALL_CASES) {
      const info = caseInfo(c);
      expect(["required", "advisory"], c.id).toContain(info.level);
      // remote-backend.* go through the harness's RemoteBackend itself: required by construction.
      if (c.category === "remote-backend") continue;
      expect(info.basis, c.id).toMatch(/RemoteBackend|LMCache|lmcache|put_tasks|remove_sync|exists_sync|batched_|health|engine|wrapper|test_connector/);
      if (info.level === "advisory") expect(info.basis, c.id).not.toMatch(/^required/);
    }
    const advisory = ALL_CASES.filter((c) => c.level === "advisory").map((c) => c.id).sort();
    expect(advisory).toEqual(["lifecycle.ops-after-close", "list.every-key-once"]);
  });

  it("docs/conformance.md lists every case with its level", () => {
    const doc = readFileSync(join(ROOT, "docs", "conformance.md"), "utf8");
    for (const c of ALL_CASES) {
      const row = doc.split("\n").find((l) => l.startsWith(`| \`${c.id}\` |`));
      expect(row, c.id).toBeDefined();
      expect(row!.split("|")[2]!.trim(), c.id).toBe(c.level ?? "required");
    }
  });
});

describe("fs:// — the kit's port of LMCache's FSConnector", () => {
  it("fails only the genuine LMCache defects, each saying LMCache's own FSConnector behaves this way too", async () => {
    const run = await runConformance({ url: fsUrl(), cwd: ROOT, seed: 1 });
    expect(run.loadError).toBeUndefined();
    expect(byStatus(run, "failed")).toEqual(["keys.no-escape-collisions", "roundtrip.one-byte"]);
    for (const r of run.results.filter((x) => x.status === "failed")) {
      expect(r.message, r.id).toMatch(/LMCache's own FSConnector behaves this way too: /);
      expect(r.lmcacheToo, r.id).toMatch(/^LMCache's own FSConnector behaves this way too/);
    }
    const collision = run.results.find((r) => r.id === "keys.no-escape-collisions")!;
    expect(collision.message).toMatch(/-SEP-/);
    // What LMCache does not rely on is reported, not failed.
    expect(advised(run)).toEqual(["concurrency.shared-keys", "keys.real-strings", "lifecycle.ops-after-close", "list.every-key-once", "overwrite.last-write-wins"]);
    expect(run.summary.advisories).toBe(5);
    const list = run.results.find((r) => r.id === "list.every-key-once")!;
    expect(list.advisory!.why).toMatch(/RemoteBackend never calls list\(\)/);
    expect(list.lmcacheToo).toMatch(/FSConnector behaves this way too: list\(\) returns the file stems/);
    const race = run.results.find((r) => r.id === "concurrency.shared-keys")!;
    expect(race.advisory!.message).toMatch(/concurrent put/);
    expect(race.advisory!.why).toMatch(/put_tasks/);
  });

  it("--strict turns its advisories into failures", async () => {
    const run = await runConformance({ url: fsUrl(), cwd: ROOT, seed: 1, strict: true, cases: ["lifecycle.*", "list.*"] });
    expect(byStatus(run, "failed")).toEqual(["lifecycle.ops-after-close", "list.every-key-once"]);
    expect(run.results.find((r) => r.id === "list.every-key-once")!.message).toMatch(/^advisory, failed in strict mode: .*LMCache's own FSConnector behaves this way too/);
  });

  it("with save_chunk_meta false, sends only model-shaped KV chunks and fails only the name collision", async () => {
    const run = await runConformance({ url: fsUrl(), cwd: ROOT, seed: 1, config: { extraConfig: { save_chunk_meta: false } } });
    expect(byStatus(run, "failed")).toEqual(["keys.no-escape-collisions"]);
    for (const id of ["roundtrip.zero-bytes", "roundtrip.one-byte", "roundtrip.4kib", "roundtrip.odd-size", "roundtrip.large"]) {
      const r = run.results.find((x) => x.id === id)!;
      expect(r.status, id).toBe("skipped");
      expect(r.skip, id).toMatchObject({ kind: "not-applicable" });
      expect(r.skip!.detail, id).toMatch(/save_chunk_meta is false: LMCache then puts only full or partial KV chunks of the model's shape/);
    }
    for (const id of ["roundtrip.full-chunk", "roundtrip.partial-chunk", "refs.get-fresh-object", "differential.memory-reference"]) {
      expect(run.results.find((x) => x.id === id)!.status, id).toBe("passed");
    }
  });

  it("with save_chunk_meta false, every payload a case sends can be read back the way LMCache reads it (reshape_partial_chunk)", async () => {
    const url = "external://host:0/headerless_store/?connector_name=HeaderlessStore";
    const cwd = join(__dirname, "..", "fixtures", "conformance");
    const run = await runConformance({ url, cwd, seed: 4, config: { extraConfig: { save_chunk_meta: false } } });
    expect(run.loadError).toBeUndefined();
    expect(run.results.filter((r) => r.status === "failed" || r.advisory).map((r) => `${r.id}: ${r.message ?? r.advisory?.message}`)).toEqual([]);
    // The same store with chunk meta on keeps shapes, so the odd payloads run and pass as well.
    const withMeta = await runConformance({ url, cwd, seed: 4, cases: ["roundtrip.*"] });
    expect(byStatus(withMeta, "failed")).toEqual([]);
    expect(byStatus(withMeta, "skipped")).toEqual([]);
  });

  it("with chunk meta on, the odd-size payloads are sent (and pass)", async () => {
    const run = await runConformance({ url: fsUrl(), cwd: ROOT, seed: 2, cases: ["roundtrip.odd-size", "roundtrip.4kib", "roundtrip.large"] });
    expect(run.results.map((r) => [r.id, r.status])).toEqual([
      ["roundtrip.4kib", "passed"],
      ["roundtrip.odd-size", "passed"],
      ["roundtrip.large", "passed"],
    ]);
  });
});

describe("connectors that do what LMCache needs pass clean", () => {
  it("docs/examples/my_connector.ts: no failure, no advisory", async () => {
    const run = await runConformance({ url: "external://host:0/my_connector/?connector_name=MyConnector", cwd: join(ROOT, "docs", "examples"), seed: 3 });
    expect(run.loadError).toBeUndefined();
    expect(byStatus(run, "failed")).toEqual([]);
    expect(advised(run)).toEqual([]);
  });

  it("a user's class named like LMCache's connector gets no 'LMCache's own … too' note", async () => {
    const run = await runConformance({
      url: "external://host:0/keys_collide_on_escape/?connector_name=KeysCollideOnEscape",
      cwd: join(__dirname, "..", "fixtures", "broken"),
      seed: 3,
      cases: ["keys.no-escape-collisions"],
    });
    expect(run.results[0]!.status).toBe("failed");
    expect(run.results[0]!.lmcacheToo).toBeUndefined();
    expect(run.results[0]!.message).not.toMatch(/LMCache's own/);
  });
});

describe("--reference: the differential case against another connector", () => {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("compares memory:// with the RedisConnector port and reports where they disagree", async () => {
    const run = await runConformance({ url: "memory://", cwd: ROOT, seed: 1, cases: ["differential.*"], referenceUrl: server!.url, timeoutMs: 8000 });
    const r = run.results[0]!;
    expect(r.status).toBe("failed");
    // LMCache's RedisConnector drops misses from batched_get_non_blocking; memory:// stops at the first.
    expect(r.message).toMatch(new RegExp(`^diverged from ${server!.url.replace(/[/.]/g, "\\$&")} at step \\d+`));
    expect(r.expected).toMatch(/^batchedGetNonBlocking /);
    expect(r.replay?.seed).toBe(1);
  });

  it("the same connector as its own reference agrees", async () => {
    const run = await runConformance({ url: server!.url, cwd: ROOT, seed: 1, cases: ["differential.*"], referenceUrl: server!.url, timeoutMs: 8000 });
    expect(run.results.map((x) => [x.id, x.status, x.message])).toEqual([["differential.memory-reference", "passed", undefined]]);
  });

  it("a reference that does not load is a ValueError before any case runs, with its password masked", async () => {
    await expect(runConformance({ url: "memory://", cwd: ROOT, cases: ["differential.*"], referenceUrl: "nope://u:hunter2@x" })).rejects.toThrow(
      /^the reference connector nope:\/\/u:\*\*\*@x could not be loaded: ValueError: No adapter found for URL: nope:\/\/u:\*\*\*@x$/,
    );
  });
});
