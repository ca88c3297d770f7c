/**
 * Live conformance against the fake host, with REAL runner child processes on the runtime's
 * fixture connectors: the tree from static discovery, streamed results (pass, failure with
 * location and diff, hang, crash), cancellation, continuous re-runs, trust gating and
 * "Debug this failure".
 */
import { randomBytes } from "node:crypto";
import * as net from "node:net";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runConformance, selectCases, caseInfo } from "../../runtime/src/conformance/engine";
import { connectorUrl } from "../src/connectors";
import { COMMANDS } from "../src/ids";
import { bundledRunnerPath } from "../src/runtime-paths";
import { CancellationTokenSource, fake, TestRunRequest, type FakeTestController, type FakeTestItem, type FakeTestRun } from "./fake-vscode";
import { ConnectorWorkspace } from "./conformance-fixture";
import { activateExtension, deactivateExtension } from "./workspace";

const root = path.resolve(__dirname, "..", "..");
const runnerPath = bundledRunnerPath(root);
let ws: ConnectorWorkspace;
let context: ReturnType<typeof activateExtension>["context"];
let api: ReturnType<typeof activateExtension>["api"];

beforeEach(() => {
  fake.reset();
  ws = new ConnectorWorkspace();
});
afterEach(() => {
  if (context) deactivateExtension(context);
  ws.dispose();
});

async function start(options: { hardTimeoutMs?: number; debounceMs?: number } = {}): Promise<FakeTestController> {
  ({ api, context } = activateExtension({ runnerPath, hardTimeoutMs: options.hardTimeoutMs ?? 4000, debounceMs: options.debounceMs ?? 50 }));
  const controller = fake.host.testControllers[0]!;
  await controller.showTestingView();
  await vi.waitFor(() => expect(controller.items.size).toBe(4), { timeout: 15_000 });
  return controller;
}

const item = (c: FakeTestController, cls: string) => c.items.get(`${ws.file(`${cls.replace(/Connector$/, "").toLowerCase()}_connector.ts`)}#${cls}`)!;

async function run(c: FakeTestController, include: FakeTestItem[], token = new CancellationTokenSource().token): Promise<FakeTestRun> {
  const before = c.runs.length;
  await c.profiles[0]!.runHandler(new TestRunRequest(include, undefined, c.profiles[0] as never), token);
  return c.runs[before]!;
}

describe("test tree", () => {
  it("leaves discovery to the Testing view: activation finds nothing until the view resolves its root", async () => {
    ({ api, context } = activateExtension({ runnerPath }));
    const c = fake.host.testControllers[0]!;
    // Activation returned and its promises settled: still no discovery (no lint core, no TypeScript).
    await new Promise((r) => setImmediate(r));
    expect(api.features.tests.discoveryStarted).toBe(false);
    expect(c.items.size).toBe(0);
    await c.showTestingView();
    expect(api.features.tests.discoveryStarted).toBe(true);
    expect([...c.items].map(([, i]) => i.label).sort()).toEqual(["ExitingConnector", "FailingConnector", "GoodConnector", "HangingConnector"]);
  });

  it("has one item per connector class, with its range, categories and cases", async () => {
    const c = await start();
    const good = item(c, "GoodConnector");
    const pos = ws.classPosition("good_connector.ts", "GoodConnector");
    expect([good.range!.start.line, good.range!.start.character]).toEqual([pos.line, pos.character]);
    expect(good.range!.end.character - good.range!.start.character).toBe("GoodConnector".length);
    expect(good.uri!.fsPath).toBe(ws.file("good_connector.ts"));
    // The subclasses whose base comes from another module are found too; the non-connector is not.
    expect([...c.items].map(([, i]) => i.label).sort()).toEqual(["ExitingConnector", "FailingConnector", "GoodConnector", "HangingConnector"]);
    const infos = selectCases().map(caseInfo);
    const categories = [...new Set(infos.map((i) => i.category))];
    const cats: FakeTestItem[] = [];
    good.children.forEach((cat) => cats.push(cat));
    expect(cats.map((cat) => cat.label)).toEqual(categories);
    const cases: FakeTestItem[] = [];
    for (const cat of cats) cat.children.forEach((k) => cases.push(k));
    expect(cases.map((k) => k.label)).toEqual(categories.flatMap((cat) => infos.filter((i) => i.category === cat).map((i) => i.title)));
    expect(cases.map((k) => k.description)).toEqual(categories.flatMap((cat) => infos.filter((i) => i.category === cat).map((i) => i.explanation)));
  });
});

describe("runs stream from a real runner", () => {
  it("passes a good connector's cases and shows its score", async () => {
    const c = await start();
    const r = await run(c, [item(c, "GoodConnector")]);
    expect(r.ended).toBe(true);
    expect(r.name).toBe("LMCache conformance"); // the run's label in the Test Results view
    const reference = await runConformance({ url: connectorUrl({ modulePath: "good_connector", className: "GoodConnector" }), cwd: ws.root });
    const finals = r.finalStates();
    const byCase = new Map([...finals].map(([id, rec]) => [id.slice(id.lastIndexOf("/") + 1), rec.state]));
    expect(Object.fromEntries(byCase)).toEqual(Object.fromEntries(reference.results.map((x) => [x.id, x.status])));
    expect(r.records.filter((x) => x.state === "started").length).toBe(reference.results.length);
    const s = reference.summary;
    const status = fake.host.languageStatusItems.find((i) => i.id.endsWith("#GoodConnector"))!;
    expect(status.text).toBe(`GoodConnector: conformance ${s.passed}/${reference.results.length}${s.skipped ? `, ${s.skipped} skipped` : ""}`);
    expect((status.selector as { pattern: string }).pattern).toBe(ws.file("good_connector.ts"));
  });

  it("reports a failing connector's failures with expected/actual, ops and the method's location", async () => {
    const c = await start();
    const r = await run(c, [item(c, "FailingConnector")]);
    // The same cases in-process, with the seed the runner reported.
    const seed = Number(/seed (-?\d+)/.exec(r.output.join(""))![1]);
    const reference = await runConformance({ url: connectorUrl({ modulePath: "failing_connector", className: "FailingConnector" }), cwd: ws.root, seed });
    const failedRef = reference.results.filter((x) => x.status === "failed");
    expect(failedRef.length).toBeGreaterThan(0);
    const failed = [...r.finalStates()].filter(([, rec]) => rec.state === "failed");
    expect(failed.map(([id]) => id.slice(id.lastIndexOf("/") + 1)).sort()).toEqual(failedRef.map((x) => x.id).sort());
    for (const [id, rec] of failed) {
      const ref = failedRef.find((x) => id.endsWith(`/${x.id}`))!;
      const m = rec.message!;
      expect(m.contextValue).toBe("lmcacheConformanceFailure");
      // Keys carry a per-run random namespace; everything else must agree.
      const mask = (t: string) => t.replace(/[0-9a-f]{12,}/g, "#");
      expect(mask(String(m.message))).toContain(mask(ref.message!.split("\n")[0]!));
      if (ref.ops?.length) expect(String(m.message)).toContain(`1. ${ref.ops[0]!.op}(`);
      if (ref.expected !== undefined && ref.actual !== undefined && ref.expected !== ref.actual) {
        expect([m.expectedOutput, m.actualOutput]).toEqual([ref.expected, ref.actual]);
      }
      if (ref.location) {
        expect(m.location!.uri.fsPath).toBe(ref.location.file);
        expect(m.location!.range.start.line).toBe(ref.location.line - 1);
      }
    }
    // At least one failure points into the connector's own file, at its overriding `get`.
    const getLine = fs.readFileSync(ws.file("failing_connector.ts"), "utf8").split("\n").findIndex((l) => /async get\(/.test(l));
    expect(failed.some(([, rec]) => rec.message!.location?.uri.fsPath === ws.file("failing_connector.ts") && rec.message!.location.range.start.line === getLine)).toBe(true);
  });

  it("reports a hanging connector as errored (the runner's watchdog) and ends the run", async () => {
    const c = await start({ hardTimeoutMs: 2500 });
    const r = await run(c, [item(c, "HangingConnector")]);
    expect(r.ended).toBe(true);
    const errored = r.records.filter((x) => x.state === "errored");
    expect(errored.length).toBeGreaterThan(0);
    expect(String(errored[0]!.message!.message)).toMatch(/hung the runner \(timeout\)/);
    // The case that hung is the one that had started and never finished.
    const started = r.records.filter((x) => x.state === "started").map((x) => x.id);
    expect(started).toContain(errored[0]!.id);
  });

  it("reports a connector that exits the process as a crash", async () => {
    const c = await start();
    const r = await run(c, [item(c, "ExitingConnector")]);
    const errored = r.records.filter((x) => x.state === "errored");
    expect(errored.length).toBeGreaterThan(0);
    expect(String(errored[0]!.message!.message)).toMatch(/crashed the runner \(exit, exit code 3\).*process\.exit\(3\)/s);
  });

  it("kills the runner when the run is cancelled", async () => {
    const c = await start({ hardTimeoutMs: 60_000 });
    const source = new CancellationTokenSource();
    const t0 = Date.now();
    const running = run(c, [item(c, "HangingConnector")], source.token);
    await vi.waitFor(() => expect(c.runs[0]?.records.some((x) => x.state === "started")).toBe(true), { timeout: 15_000 });
    const pid = api.features.tests.lastRunnerPid!;
    source.cancel();
    const r = await running;
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.ended).toBe(true);
    expect(() => process.kill(pid, 0)).toThrow();
    expect(r.records.some((x) => x.state === "errored")).toBe(false);
  });

  it("runs only the selected case", async () => {
    const c = await start();
    const [first] = selectCases();
    const caseItem = c.allItems().find((i) => i.id === `${item(c, "GoodConnector").id}/${first!.category}/${first!.id}`)!;
    const r = await run(c, [caseItem]);
    expect([...r.finalStates().keys()]).toEqual([caseItem.id]);
  });
});

describe("continuous run", () => {
  it("re-runs only the connector whose file was saved, and imports widen the set", async () => {
    const c = await start({ debounceMs: 30 });
    const profile = c.profiles[0]!;
    expect(profile.supportsContinuousRun).toBe(true);
    const source = new CancellationTokenSource();
    await profile.runHandler(new TestRunRequest(undefined, undefined, profile as never, true), source.token);
    expect(c.runs.length).toBe(0);
    const doc = fake.open(ws.file("failing_connector.ts"), fs.readFileSync(ws.file("failing_connector.ts"), "utf8"), "typescript");
    fake.save(doc);
    fake.save(doc); // a burst of saves is one re-run
    await vi.waitFor(() => expect(c.runs[0]?.ended).toBe(true), { timeout: 20_000 });
    await new Promise((r) => setTimeout(r, 200));
    expect(c.runs.length).toBe(1);
    expect(c.runs[0]!.request.include!.map((i) => i.label)).toEqual(["FailingConnector"]);
    expect(c.invalidated.at(-1)!.map((i) => i.label)).toEqual(["FailingConnector"]);
    // The base module is imported by every subclass: all four are affected by it.
    const affected = api.features.tests.affectedBy(new Set([ws.file("good_connector.ts")])).map((i) => i.label).sort();
    expect(affected).toEqual(["ExitingConnector", "FailingConnector", "GoodConnector", "HangingConnector"]);
    // Stopping the continuous run stops re-runs.
    source.cancel();
    fake.save(doc);
    await new Promise((r) => setTimeout(r, 300));
    expect(c.runs.length).toBe(1);
  });
});

describe("trust", () => {
  it("refuses to run conformance in Restricted Mode, saying why", async () => {
    fake.host.isTrusted = false;
    const c = await start();
    await c.profiles[0]!.runHandler(new TestRunRequest([item(c, "GoodConnector")]), new CancellationTokenSource().token);
    expect(c.runs.length).toBe(0);
    expect(fake.host.messages.at(-1)!.message).toMatch(/needs a trusted workspace/);
    await c.profiles[1]!.runHandler(new TestRunRequest([item(c, "GoodConnector")]), new CancellationTokenSource().token);
    expect(fake.host.debugStarts.length).toBe(0);
  });
});

describe("Debug this failure", () => {
  it("relaunches exactly the failed case with the same seed under the debugger, and reports its result", async () => {
    const c = await start();
    const first = await run(c, [item(c, "FailingConnector")]);
    const [failedId, rec] = [...first.finalStates()].find(([, x]) => x.state === "failed")!;
    const caseItem = c.allItems().find((i) => i.id === failedId)!;
    const seed = Number(/seed (-?\d+)/.exec(first.output.join(""))![1]);

    // Play js-debug's attach: release the runner's --inspect-brk pause over the inspector protocol.
    fake.host.onStartDebugging = (config, session) => {
      void resumeInspector(Number(config.port)).finally(() => session.terminate());
    };
    await fake.host.commands.get(COMMANDS.debugFailure)!({ test: caseItem, message: rec.message });
    const { config } = fake.host.debugStarts[0]!;
    expect(config).toMatchObject({ type: "node", request: "attach", address: "127.0.0.1", continueOnAttach: true, sourceMaps: true });
    expect(Number(config.port)).toBeGreaterThan(0);
    const debugRun = c.runs.at(-1)!;
    expect(debugRun).not.toBe(first);
    expect(debugRun.ended).toBe(true);
    expect([...debugRun.finalStates()].map(([id, x]) => [id, x.state])).toEqual([[failedId, "failed"]]);
  });
});

/** Sends `Runtime.runIfWaitingForDebugger` to the inspector on `port` (a minimal WebSocket client). */
async function resumeInspector(port: number): Promise<void> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const url = new URL(targets[0]!.webSocketDebuggerUrl);
  const socket = net.connect(port, "127.0.0.1");
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write(`GET ${url.pathname} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  await new Promise<void>((resolve) => socket.once("data", () => resolve()));
  const payload = Buffer.from(JSON.stringify({ id: 1, method: "Runtime.runIfWaitingForDebugger" }));
  const mask = randomBytes(4);
  const frame = Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!))]);
  socket.write(frame);
  // Stay connected until the runner ends (closing the socket would not pause it again).
  await new Promise<void>((resolve) => socket.once("close", () => resolve()).once("error", () => resolve()));
}
