/**
 * Unhandled rejections left by a connector: the engine yields to the event loop between cases, and
 * with `trapUnhandledRejections` fails the case during which a rejection surfaced, forwarding any
 * rejection outside a case to the listeners that were there before, which it restores afterwards.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runConformance } from "../../src/conformance/engine";
import { RejectionTrap, yieldToEventLoop } from "../../src/conformance/rejection-trap";
import type { RunnerEvent } from "../../src/runner/protocol";

const RUNNER_FIXTURES = join(__dirname, "..", "fixtures", "runner");
const BASE_STORE = join(__dirname, "..", "fixtures", "broken", "base_store");
const fixture = (module: string, className: string) => `external://host:0/${module}/?connector_name=${className}`;
const MESSAGE = /^the connector left an unhandled promise rejection: Error: /;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lmc-rejections-"));
  // Rejects in a forgotten promise only inside list(): only the cases that call list() may fail.
  writeFileSync(
    join(dir, "rejects_in_list.ts"),
    [
      `import { BaseStore } from ${JSON.stringify(BASE_STORE)};`,
      `async function forgotten(): Promise<void> {`,
      `  throw new Error("list forgot this one");`,
      `}`,
      `export class RejectsInList extends BaseStore {`,
      `  override async list(): Promise<string[]> {`,
      `    void forgotten().then(() => undefined);`,
      `    return super.list();`,
      `  }`,
      `}`,
      ``,
    ].join("\n"),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rejectionListeners = () => process.listeners("unhandledRejection");

describe("unhandled rejections in a conformance run", () => {
  it("fails every case whose connector rejected, logs the load probe's, and restores the listeners", async () => {
    const before = rejectionListeners();
    const events: RunnerEvent[] = [];
    const run = await runConformance({
      url: fixture("rejecting_connector", "RejectingConnector"),
      cwd: RUNNER_FIXTURES,
      cases: ["roundtrip.*"],
      seed: 3,
      trapUnhandledRejections: true,
      onEvent: (e) => events.push(e),
    });
    expect(rejectionListeners()).toEqual(before);
    expect(run.results.length).toBeGreaterThan(0);
    // The constructor rejects, so every case's fresh connector does.
    for (const r of run.results) {
      expect(r.status).toBe("failed");
      expect(r.message).toMatch(/the connector left an unhandled promise rejection: Error: boom from a forgotten promise/);
    }
    expect(run.summary.failed).toBe(run.results.length);
    const logs = events.filter((e) => e.type === "log" && e.level === "error").map((e) => (e as { message: string }).message);
    expect(logs.some((m) => /^while loading, the connector left an unhandled promise rejection: Error: boom/.test(m))).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: "run-finished", summary: run.summary });
  });

  it("attributes a rejection to the cases in which it happened, not to the others", async () => {
    const run = await runConformance({ url: fixture("rejects_in_list", "RejectsInList"), cwd: dir, seed: 4, trapUnhandledRejections: true });
    const rejected = run.results.filter((r) => MESSAGE.test(r.message ?? "") || /also, the connector left/.test(r.message ?? ""));
    const clean = run.results.filter((r) => r.status === "passed");
    expect(rejected.length).toBeGreaterThan(0);
    expect(clean.length).toBeGreaterThan(0);
    for (const r of rejected) {
      expect(r.status).toBe("failed");
      expect(r.message).toMatch(/list forgot this one/);
      // Only cases that call list() can have seen it; their recorded ops show the call.
      if (r.ops) expect(r.ops.some((op) => op.op === "list")).toBe(true);
    }
  });

  it("yields to the event loop between cases even when the connector never does", async () => {
    let finishedWhenImmediateRan = -1;
    let finished = 0;
    let total = 0;
    await runConformance({
      url: "memory://",
      cwd: process.cwd(),
      seed: 1,
      onEvent: (e) => {
        if (e.type === "run-started") {
          total = e.cases.length;
          setImmediate(() => (finishedWhenImmediateRan = finished));
        }
        if (e.type === "case-finished") finished += 1;
      },
    });
    expect(total).toBeGreaterThan(2);
    expect(finishedWhenImmediateRan).toBeGreaterThanOrEqual(0);
    expect(finishedWhenImmediateRan).toBeLessThan(total);
  });

  it("leaves the process's rejection listeners alone unless asked", async () => {
    const before = rejectionListeners();
    const seen: unknown[][] = [];
    await runConformance({
      url: "memory://",
      cwd: process.cwd(),
      cases: ["roundtrip.*"],
      onEvent: (e) => {
        if (e.type === "case-started") seen.push(rejectionListeners());
      },
    });
    expect(seen.length).toBeGreaterThan(0);
    for (const listeners of seen) expect(listeners).toEqual(before);
  });
});

describe("RejectionTrap", () => {
  it("records rejections inside a window, forwards the others to the previous listeners, then restores them", async () => {
    const saved = rejectionListeners();
    process.removeAllListeners("unhandledRejection");
    const forwarded: unknown[] = [];
    const spy = (reason: unknown) => forwarded.push(reason);
    process.on("unhandledRejection", spy);
    const trap = new RejectionTrap();
    try {
      trap.install();
      expect(rejectionListeners()).not.toContain(spy);

      trap.open();
      void Promise.reject(new Error("inside"));
      await yieldToEventLoop();
      const inside = trap.close();
      expect(inside.map((r) => (r as Error).message)).toEqual(["inside"]);
      expect(forwarded).toEqual([]);

      void Promise.reject(new Error("outside"));
      await yieldToEventLoop();
      expect(forwarded.map((r) => (r as Error).message)).toEqual(["outside"]);

      trap.uninstall();
      expect(rejectionListeners()).toEqual([spy]);
    } finally {
      trap.uninstall();
      process.removeAllListeners("unhandledRejection");
      for (const l of saved) process.on("unhandledRejection", l as (...args: unknown[]) => void);
    }
  });
});
