/**
 * Advisory findings in the Testing view: a passing case that found something LMCache does not
 * rely on stays a pass, with the finding (what, why it is advisory, LMCache's own behaviour) in
 * the case's test output at its location, and the language status counts advisories apart. Real
 * runner child process on the runtime's broken fixture `works_after_close` (close() does nothing).
 */
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runConformance } from "../../runtime/src/conformance/engine";
import { connectorUrl } from "../src/connectors";
import { advisoryText, failureText, type CaseFinished } from "../src/failure-message";
import { bundledRunnerPath } from "../src/runtime-paths";
import { CancellationTokenSource, fake, LanguageStatusSeverity, TestRunRequest, type FakeTestRun } from "./fake-vscode";
import { BROKEN_FIXTURES, ConnectorWorkspace } from "./conformance-fixture";
import { activateExtension, deactivateExtension } from "./workspace";

const runnerPath = bundledRunnerPath(path.resolve(__dirname, "..", ".."));
let ws: ConnectorWorkspace;
let context: ReturnType<typeof activateExtension>["context"] | undefined;

beforeEach(() => {
  fake.reset();
  ws = new ConnectorWorkspace(["works_after_close.ts", "base_store.ts"], BROKEN_FIXTURES);
});
afterEach(() => {
  if (context) deactivateExtension(context);
  context = undefined;
  ws.dispose();
});

describe("advisories from a real runner", () => {
  it("passes advisory cases, explains the finding in the case output and counts advisories apart", async () => {
    ({ context } = activateExtension({ runnerPath, hardTimeoutMs: 8000, debounceMs: 50 }));
    const c = fake.host.testControllers[0]!;
    const id = `${ws.file("works_after_close.ts")}#WorksAfterClose`;
    await c.showTestingView();
    await vi.waitFor(() => expect(c.items.get(id)).toBeDefined(), { timeout: 15_000 });
    const connector = c.items.get(id)!;
    const before = c.runs.length;
    await c.profiles[0]!.runHandler(new TestRunRequest([connector], undefined, c.profiles[0] as never), new CancellationTokenSource().token);
    const r: FakeTestRun = c.runs[before]!;
    expect(r.ended).toBe(true);

    // The same cases in-process, with the seed the runner reported.
    const seed = Number(/seed (-?\d+)/.exec(r.output.join(""))![1]);
    const reference = await runConformance({ url: connectorUrl({ modulePath: "works_after_close", className: "WorksAfterClose" }), cwd: ws.root, seed });
    const advised = reference.results.filter((x) => x.status === "passed" && x.advisory);
    expect(advised.map((x) => x.id)).toContain("lifecycle.ops-after-close");

    const finals = r.finalStates();
    const stateOf = (caseId: string) => [...finals].find(([itemId]) => itemId.endsWith(`/${caseId}`))?.[1].state;
    for (const ref of advised) {
      expect(stateOf(ref.id)).toBe("passed");
      const out = r.outputRecords.filter((o) => o.test?.id.endsWith(`/${ref.id}`) && o.text.includes("Advisory"));
      expect(out).toHaveLength(1);
      const text = out[0]!.text;
      expect(text).toContain(ref.advisory!.message);
      expect(text).toContain(`why it is advisory: ${ref.advisory!.why}`);
      expect(text).toContain("LMCache does not rely on this");
      if (ref.lmcacheToo) expect(text).toContain(ref.lmcacheToo);
      // The output points at the connector (the finding's location, else the class).
      expect(out[0]!.location?.uri.fsPath).toBe(ref.location?.file ?? ws.file("works_after_close.ts"));
    }
    // Clean passes get no advisory output.
    const clean = reference.results.filter((x) => x.status === "passed" && !x.advisory);
    expect(clean.length).toBeGreaterThan(0);
    for (const ref of clean) {
      expect(stateOf(ref.id)).toBe("passed");
      expect(r.outputRecords.some((o) => o.test?.id.endsWith(`/${ref.id}`) && o.text.includes("Advisory"))).toBe(false);
    }

    const status = fake.host.languageStatusItems.find((i) => i.id.endsWith("#WorksAfterClose"))!;
    const s = reference.summary;
    const n = advised.length;
    expect(status.text).toBe(
      `WorksAfterClose: conformance ${s.passed}/${reference.results.length}, ${n} ${n === 1 ? "advisory" : "advisories"}${s.skipped ? `, ${s.skipped} skipped` : ""}${s.failed ? `, ${s.failed} failed` : ""}`,
    );
    expect(status.severity).toBe(s.failed > 0 ? LanguageStatusSeverity.Error : LanguageStatusSeverity.Warning);
  });
});

describe("advisory and lmcacheToo wording", () => {
  const base: CaseFinished = { v: 1, type: "case-finished", runId: "r", id: "list.complete", status: "failed", ms: 1, message: "list() missed a key" };

  it("adds LMCache's own behaviour to a failure's message", () => {
    const lmcacheToo = "LMCache's own connector behaves this way too: FSConnector.list() skips keys being written";
    expect(failureText({ ...base, lmcacheToo }, 7)).toContain(lmcacheToo);
    expect(failureText(base, 7)).not.toContain("LMCache's own");
  });

  it("words an advisory with what was found, why it is advisory, the count and LMCache's behaviour", () => {
    const event: CaseFinished = {
      ...base,
      status: "passed",
      message: undefined,
      advisory: { message: "put() succeeded after close()", why: "RemoteBackend never calls a closed connector", expected: "an error", actual: "ok", count: 3 },
      lmcacheToo: "LMCache's own connector behaves this way too",
    };
    const text = advisoryText(event);
    expect(text).toContain("put() succeeded after close() (and 2 more)");
    expect(text).toContain("why it is advisory: RemoteBackend never calls a closed connector");
    expect(text).toContain("expected: an error");
    expect(text).toContain("actual:   ok");
    expect(text).toContain("LMCache's own connector behaves this way too");
    expect(advisoryText({ ...base, status: "passed" })).toBe("");
  });
});
