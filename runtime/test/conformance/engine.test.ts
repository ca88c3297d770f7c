import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ALL_CASES } from "../../src/conformance/cases";
import { runConformance, selectCases } from "../../src/conformance/engine";
import type { RunnerEvent } from "../../src/runner/protocol";

const BROKEN = join(__dirname, "..", "fixtures", "broken");
const fixture = (module: string, className: string) => `external://host:0/${module}/?connector_name=${className}`;

describe("runConformance against the memory:// reference", () => {
  it("passes every case, quickly, and streams a well-formed event sequence", async () => {
    const events: RunnerEvent[] = [];
    const started = performance.now();
    // A named memory:// store (shared in-process), so the persistence case has something to check.
    const run = await runConformance({ url: "memory://engine-test", cwd: process.cwd(), seed: 11, onEvent: (e) => events.push(e) });
    const wall = performance.now() - started;
    expect(run.results.filter((r) => r.status !== "passed").map((r) => `${r.id}: ${r.message}`)).toEqual([]);
    expect(run.summary).toEqual({ passed: ALL_CASES.length, failed: 0, skipped: 0, advisories: 0 });
    expect(run.results.filter((r) => r.advisory).map((r) => `${r.id}: ${r.advisory!.message}`)).toEqual([]);
    expect(wall).toBeLessThan(2000);

    expect(events[0]!.type).toBe("run-started");
    const startedEvent = events[0] as Extract<RunnerEvent, { type: "run-started" }>;
    expect(startedEvent.seed).toBe(11);
    expect(startedEvent.connector).toMatch(/^MemoryConnector/);
    expect(startedEvent.cases.map((c) => c.id)).toEqual(ALL_CASES.map((c) => c.id));
    expect(events.at(-1)).toMatchObject({ type: "run-finished", summary: run.summary });
    const finished = events.filter((e) => e.type === "case-finished");
    expect(finished.map((e) => (e as { id: string }).id)).toEqual(ALL_CASES.map((c) => c.id));
    // Every case-finished is preceded by its case-started.
    for (const [i, e] of events.entries()) {
      if (e.type === "case-finished") expect(events[i - 1]).toMatchObject({ type: "case-started", id: e.id });
    }
    expect(new Set(events.map((e) => e.runId)).size).toBe(1);
  });

  it("has unique category.name ids, each with a title and an explanation citing LMCache", () => {
    const ids = ALL_CASES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of ALL_CASES) {
      expect(c.id).toMatch(/^[a-z]+(-[a-z]+)*\.[a-z0-9-]+$/);
      expect(c.id.startsWith(`${c.category}.`)).toBe(true);
      expect(c.title.length).toBeGreaterThan(10);
      expect(c.explanation).toMatch(/LMCache|RemoteBackend|Instrumented|support_/);
    }
  });

  it("gives the same results when run twice with the same seed", async () => {
    const strip = (r: Awaited<ReturnType<typeof runConformance>>) => r.results.map((x) => [x.id, x.status, x.message ?? ""]);
    const url = fixture("overwrite_keeps_first", "OverwriteKeepsFirst");
    const a = await runConformance({ url, cwd: BROKEN, seed: 5, cases: ["overwrite.*", "roundtrip.4kib", "keys.*"] });
    const b = await runConformance({ url, cwd: BROKEN, seed: 5, cases: ["overwrite.*", "roundtrip.4kib", "keys.*"] });
    expect(strip(a)).toEqual(strip(b));
    expect(a.summary.failed).toBeGreaterThan(0);
  });
});

describe("load errors are LMCache's errors", () => {
  const cases: [string, string, RegExp][] = [
    ["nonsense", "ValueError", /^Invalid remote url nonsense: missing scheme$/],
    ["nope://x", "ValueError", /^No adapter found for URL: nope:\/\/x$/],
    ["external://host:0/no_such_module/?connector_name=X", "ImportError", /Could not import module 'no_such_module'/],
    [fixture("base_store", "NoSuchClass"), "AttributeError", /has no class 'NoSuchClass'/],
  ];
  it.each(cases)("%s → %s", async (url, errorName, message) => {
    const events: RunnerEvent[] = [];
    const run = await runConformance({ url, cwd: BROKEN, onEvent: (e) => events.push(e) });
    expect(run.loadError?.errorName).toBe(errorName);
    expect(run.loadError?.message).toMatch(message);
    expect(events).toEqual([{ v: 1, type: "load-error", runId: run.runId, errorName, message: run.loadError!.message }]);
    expect(run.summary).toEqual({ passed: 0, failed: 0, skipped: 0 });
  });
});

describe("skips, strict mode and selection", () => {
  const url = fixture("base_store", "BaseStore");

  it("skips capability-gated cases with a typed reason, never counting them as passes", async () => {
    const run = await runConformance({ url, cwd: BROKEN, seed: 2, cases: ["batched.*"] });
    const byId = Object.fromEntries(run.results.map((r) => [r.id, r]));
    expect(byId["batched.get-order"]).toMatchObject({ status: "skipped", skip: { kind: "capability-not-declared", detail: "supportBatchedGet() returned false" } });
    expect(byId["batched.put"]!.status).toBe("skipped");
    // Era B/C defaults: async contains and non-blocking get are declared by the base class and pass.
    expect(byId["batched.async-contains-prefix"]!.status).toBe("passed");
    expect(run.summary.skipped).toBe(run.results.filter((r) => r.status === "skipped").length);
    expect(run.summary.passed + run.summary.skipped).toBe(run.results.length);
  });

  it("strict: true turns every skip into a failure; a glob list only the chosen ones", async () => {
    const all = await runConformance({ url, cwd: BROKEN, seed: 2, cases: ["batched.*"], strict: true });
    expect(all.summary.skipped).toBe(0);
    expect(all.results.find((r) => r.id === "batched.put")).toMatchObject({ status: "failed", message: "skipped in strict mode: supportBatchedPut() returned false" });
    const chosen = await runConformance({ url, cwd: BROKEN, seed: 2, cases: ["batched.*"], strict: ["batched.get-order"] });
    expect(chosen.results.find((r) => r.id === "batched.get-order")!.status).toBe("failed");
    expect(chosen.results.find((r) => r.id === "batched.put")!.status).toBe("skipped");
  });

  it("selects by glob and bare category, and rejects a glob that matches nothing", async () => {
    expect(selectCases(["roundtrip.*"]).map((c) => c.id)).toEqual(ALL_CASES.filter((c) => c.category === "roundtrip").map((c) => c.id));
    expect(selectCases(["refs"]).map((c) => c.id)).toEqual(ALL_CASES.filter((c) => c.category === "refs").map((c) => c.id));
    expect(selectCases(["*.no-leak-*"]).map((c) => c.id)).toEqual(["refs.no-leak-on-miss", "refs.no-leak-on-hit"]);
    await expect(runConformance({ url: "memory://", cwd: BROKEN, cases: ["nope.*"] })).rejects.toMatchObject({ name: "ValueError" });
  });

  it("stops between cases when the signal is aborted", async () => {
    const controller = new AbortController();
    const run = await runConformance({
      url: "memory://",
      cwd: BROKEN,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "case-finished") controller.abort();
      },
    });
    expect(run.results.length).toBe(1);
  });
});

describe("differential replay", () => {
  it("reports a minimal divergent sequence with a seed and path that replay it", async () => {
    const url = fixture("evicts_silently", "EvictsSilently");
    const first = await runConformance({ url, cwd: BROKEN, seed: 99, cases: ["differential.*"] });
    const failure = first.results[0]!;
    expect(failure.status).toBe("failed");
    expect(failure.replay?.seed).toBe(99);
    expect(failure.replay?.path).toMatch(/^\d+(:\d+)*$/);
    // The minimal sequence: 3 puts of distinct keys (the store holds 2) and one read.
    const steps = failure.message!.match(/\d+\. [a-zA-Z]+/g)!;
    expect(steps.filter((s) => s.endsWith("put")).length).toBe(3);
    expect(steps.length).toBe(4);
    // The op log shows only the replayed minimal sequence.
    expect(failure.ops!.filter((o) => o.op === "put").length).toBe(3);

    const replay = await runConformance({ url, cwd: BROKEN, seed: 99, cases: ["differential.*"], replayPath: failure.replay!.path });
    expect(replay.results[0]!.status).toBe("failed");
    expect(replay.results[0]!.message).toBe(failure.message);
    // The reference itself never diverges.
    const clean = await runConformance({ url: "memory://", cwd: BROKEN, seed: 99, cases: ["differential.*"] });
    expect(clean.results[0]!.status).toBe("passed");
  });
});
