import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRunner } from "../../src/runner/client";
import type { RunnerJob } from "../../src/runner/job";
import type { RunnerEvent } from "../../src/runner/protocol";

const fixtures = path.resolve(__dirname, "../fixtures/runner");
let outDir: string;
let runnerPath: string;

beforeAll(async () => {
  // Bundle the runner from the current sources, as build.mjs does. It lives under runtime/ so the
  // bundle resolves `esbuild` (kept external) from the workspace's node_modules.
  outDir = mkdtempSync(path.join(__dirname, ".runner-build-"));
  runnerPath = path.join(outDir, "runner.js");
  await build({
    entryPoints: [path.resolve(__dirname, "../../src/runner/runner-main.ts")],
    outfile: runnerPath,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    sourcemap: true,
    external: ["esbuild"],
    logLevel: "error",
  });
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const ext = (module: string, cls: string) => `external://host:0/${module}/?connector_name=${cls}`;

async function runJob(job: RunnerJob, opts: { hardTimeoutMs?: number; env?: NodeJS.ProcessEnv } = {}) {
  const events: RunnerEvent[] = [];
  const handle = startRunner(job, { onEvent: (e) => events.push(e), runnerPath, ...opts });
  const result = await handle.done;
  return { events, result, pid: handle.pid };
}

/** The last event that is not connector output (output outside any case is flushed at the very end). */
function lastEvent(events: RunnerEvent[]): RunnerEvent {
  return events.filter((e) => e.type !== "connector-output").at(-1)!;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!pidAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return !pidAlive(pid);
}

describe("runner process", () => {
  it("streams a good connector's check in order on its own channel, keeps console output as connector output, ends with run-finished", async () => {
    const { events, result } = await runJob({ kind: "check", url: ext("good_connector", "GoodConnector"), cwd: fixtures });
    expect(result).toEqual({ exitCode: 0, signal: null });
    const types = events.filter((e) => e.type !== "log" && e.type !== "connector-output").map((e) => e.type);
    expect(types[0]).toBe("run-started");
    expect(types[types.length - 1]).toBe("run-finished");
    expect(types).not.toContain("runner-crashed");
    // Every case starts before it finishes and cases do not interleave.
    let open: string | null = null;
    for (const e of events) {
      if (e.type === "case-started") {
        expect(open).toBeNull();
        open = e.id;
      } else if (e.type === "case-finished") {
        expect(e.id).toBe(open);
        open = null;
      }
    }
    const started = events.find((e) => e.type === "run-started")!;
    const finished = events.filter((e) => e.type === "case-finished");
    if (started.type === "run-started") expect(finished.map((e) => e.id)).toEqual(started.cases.map((c) => c.id).filter((id) => finished.some((f) => f.id === id)));
    const summary = events.find((e) => e.type === "run-finished")!;
    expect(summary.type === "run-finished" && summary.summary.failed).toBe(0);
    const printed = events.map((e) => (e.type === "connector-output" && e.stream === "stdout" ? e.text : "")).join("");
    expect(printed).toContain("GoodConnector constructed\n");
    expect(printed).toContain("raw stdout write from the connector\n");
    // Connector output and engine events belong to the same run.
    expect(new Set(events.map((e) => e.runId)).size).toBe(1);
  });

  it("reports a connector whose checks fail with exit code 1 and no crash", async () => {
    const { events, result } = await runJob({ kind: "check", url: ext("failing_connector", "FailingConnector"), cwd: fixtures });
    expect(result.exitCode).toBe(1);
    expect(result.crashed).toBeUndefined();
    const last = lastEvent(events);
    expect(last.type).toBe("run-finished");
    if (last.type === "run-finished") expect(last.summary.failed).toBeGreaterThan(0);
  });

  it("reports a load error as load-error with LMCache's text and exit code 2", async () => {
    const { events, result } = await runJob({ kind: "check", url: ext("no_such_module", "X"), cwd: fixtures });
    expect(result.exitCode).toBe(2);
    const loadError = events.find((e) => e.type === "load-error");
    expect(loadError && loadError.type === "load-error" && loadError.message).toMatch(/Could not import module 'no_such_module'/);
  });

  it("kills a connector that loops forever and reports a timeout within the limit", async () => {
    const start = Date.now();
    const { events, result, pid } = await runJob(
      { kind: "check", url: ext("hanging_connector", "HangingConnector"), cwd: fixtures },
      { hardTimeoutMs: 1500 },
    );
    const elapsed = Date.now() - start;
    expect(result.crashed?.reason).toBe("timeout");
    expect(elapsed).toBeLessThan(1500 + 8000);
    const crash = lastEvent(events);
    expect(crash.type).toBe("runner-crashed");
    if (crash.type === "runner-crashed") expect(crash.detail).toMatch(/event loop was blocked for more than 1500 ms/);
    expect(await waitGone(pid!)).toBe(true);
  });

  it("reports a connector that calls process.exit", async () => {
    const { events, result } = await runJob({ kind: "check", url: ext("exiting_connector", "ExitingConnector"), cwd: fixtures });
    expect(result.exitCode).toBe(3);
    expect(result.crashed?.reason).toBe("exit");
    expect(result.crashed?.caseId).toBeDefined(); // the case in flight is named
    expect(result.crashed?.detail).toMatch(/process\.exit\(3\) called by connector code/);
    expect(result.crashed?.detail).toMatch(/exiting_connector\.ts/); // the stack points into the connector source
    expect(lastEvent(events).type).toBe("runner-crashed");
  });

  it("reports an unhandled rejection with its message", async () => {
    const { result, events } = await runJob({
      kind: "run",
      url: ext("rejecting_connector", "RejectingConnector"),
      cwd: fixtures,
      options: { requests: 5, chunkSize: 16 },
    });
    expect(result.crashed?.reason).toBe("unhandled-rejection");
    expect(result.crashed?.detail).toMatch(/boom from a forgotten promise/);
    const crash = lastEvent(events);
    expect(crash.type === "runner-crashed" && crash.runId).not.toBe("unknown");
  });

  it("a check job fails the cases whose connector left an unhandled rejection, without crashing", async () => {
    const { result, events } = await runJob({
      kind: "check",
      url: ext("rejecting_connector", "RejectingConnector"),
      cwd: fixtures,
      options: { cases: ["roundtrip.*", "lifecycle.*"], seed: 2 },
    });
    expect(result.crashed).toBeUndefined();
    expect(result.exitCode).toBe(1);
    const finished = events.filter((e) => e.type === "case-finished");
    expect(finished.length).toBeGreaterThan(0);
    for (const e of finished) {
      expect(e.type === "case-finished" && e.status).toBe("failed");
      expect(e.type === "case-finished" && e.message).toMatch(/the connector left an unhandled promise rejection: Error: boom from a forgotten promise/);
    }
    const last = lastEvent(events);
    expect(last.type).toBe("run-finished");
    if (last.type === "run-finished") expect(last.summary.failed).toBe(finished.length);
  });

  it("cancel kills the runner and whatever it spawned; no orphan survives", async () => {
    const pidFile = path.join(outDir, "grandchild.pid");
    const events: RunnerEvent[] = [];
    const handle = startRunner(
      { kind: "check", url: ext("hanging_connector", "HangingConnector"), cwd: fixtures },
      { onEvent: (e) => events.push(e), runnerPath, hangMs: 0, env: { ...process.env, HANGING_CHILD_PID_FILE: pidFile } },
    );
    // Wait until the connector is loaded (its constructor logs) and has started the grandchild.
    const deadline = Date.now() + 15000;
    while (!events.some((e) => e.type === "case-started") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const grandchild = Number(readFileSync(pidFile, "utf8"));
    expect(pidAlive(handle.pid!)).toBe(true);
    expect(pidAlive(grandchild)).toBe(true);
    handle.cancel();
    const result = await handle.done;
    expect(result.crashed?.reason).toBe("cancelled");
    expect(pidAlive(handle.pid!)).toBe(false);
    expect(await waitGone(grandchild)).toBe(true);
  });

  it("runs the local-cache harness as a job and returns its report", async () => {
    const { events, result } = await runJob({
      kind: "run",
      url: "memory://",
      cwd: fixtures,
      options: { requests: 10, chunkSize: 16, model: { numLayers: 1, numKvHeads: 1, headSize: 16 } },
    });
    expect(result.exitCode).toBe(0);
    const report = events.find((e) => e.type === "result");
    expect(report && report.type === "result" && report.kind).toBe("run");
    expect(events.filter((e) => e.type === "progress")).toHaveLength(10);
    expect(lastEvent(events).type).toBe("run-finished");
  });
});

describe("what listeners receive has the URL's password masked", () => {
  it("every event of a check job against a leaky connector (the Testing view's messages and output)", { timeout: 30_000 }, async () => {
    const pw = "s3cr3t-url-pw";
    const secretsDir = path.resolve(__dirname, "../fixtures/secrets");
    const { events } = await runJob({
      kind: "check",
      url: `external://user:${pw}@host:0/leaky_connector/?connector_name=LeakyConnector`,
      cwd: secretsDir,
      options: { cases: ["roundtrip.4kib"] },
    });
    const text = JSON.stringify(events);
    expect(events.some((e) => e.type === "case-finished" && e.status === "failed"), text).toBe(true);
    expect(text).toContain("user:***@host:0");
    expect(text).not.toContain(pw);
  });
});
