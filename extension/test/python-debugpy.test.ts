/**
 * A Python connector under the debugger, against the fake host but with REAL parts: the bundled
 * runner and CLI, the kit's Python bridge in /usr/bin/python3, and debugpy (Debian's
 * python3-debugpy) driven over DAP as VS Code drives the `DebugAdapterServer` our adapter factory
 * returns — no Python extension involved. Breakpoints bind in the `.py`, stepping stays in the
 * connector, variables show.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { COMMANDS, PYTHON_DEBUG_TYPE } from "../src/ids";
import { DapClient } from "./dap-client";
import { CancellationTokenSource, DebugAdapterServer, fake, FakeDebugSession, TestRunRequest, type FakeTestItem } from "./fake-vscode";
import { BROKEN_LINE, ROOT, URL, usePythonWorkspace } from "./python-workspace";

const ws = usePythonWorkspace();
const { connectorItem, setExistsSync, start } = ws;

/**
 * Plays VS Code for a `lmcache-connector-python` session: asks our adapter factory for the adapter,
 * connects to the DebugAdapterServer, and runs `steps` with the client (initialize + attach with
 * the session's configuration, as VS Code sends it, are done here).
 */
async function actAsVsCode(session: FakeDebugSession, steps: (dap: DapClient) => Promise<void>): Promise<void> {
  const factory = fake.host.adapterFactories.find((f) => f.type === PYTHON_DEBUG_TYPE)!.factory;
  const descriptor = (await factory.createDebugAdapterDescriptor(session)) as DebugAdapterServer;
  expect(descriptor).toBeInstanceOf(DebugAdapterServer);
  expect(descriptor.host).toBe("127.0.0.1");
  const dap = await DapClient.connect(descriptor.port, descriptor.host);
  try {
    await dap.request("initialize", { clientID: "vscode", adapterID: PYTHON_DEBUG_TYPE, pathFormat: "path", linesStartAt1: true, columnsStartAt1: true });
    const attach = dap.request("attach", session.configuration);
    await dap.nextEvent("initialized");
    await steps(dap);
    await attach;
  } finally {
    dap.close();
  }
}

/** Sets a breakpoint at `line` (1-based), continues past configuration, and waits for the stop there. */
async function stopAt(dap: DapClient, line: number): Promise<{ frames: { name: string; line: number; source?: { path?: string } }[]; variables: string[]; threadId: number }> {
  const bp = await dap.request("setBreakpoints", { source: { path: ws.file }, breakpoints: [{ line }] });
  expect((bp.body!.breakpoints as { verified: boolean }[])[0]!.verified).toBe(true);
  await dap.request("configurationDone");
  const stopped = await dap.nextEvent("stopped");
  const threadId = stopped.body!.threadId as number;
  const trace = await dap.request("stackTrace", { threadId });
  const frames = trace.body!.stackFrames as { id: number; name: string; line: number; source?: { path?: string } }[];
  const scopes = await dap.request("scopes", { frameId: frames[0]!.id });
  const vars = await dap.request("variables", { variablesReference: (scopes.body!.scopes as { variablesReference: number }[])[0]!.variablesReference });
  return { frames, variables: (vars.body!.variables as { name: string }[]).map((v) => v.name), threadId };
}

const lineOf = (text: string) => fs.readFileSync(ws.file, "utf8").split("\n").findIndex((l) => l.includes(text)) + 1;

describe("a Python connector under debugpy", () => {
  it("Debug this failure: the failing case runs with the bridge under debugpy and stops inside the failing method", async () => {
    setExistsSync(BROKEN_LINE);
    const c = await start();
    const profile = c.profiles[0]!;
    let keys: FakeTestItem | undefined;
    connectorItem(c).children.forEach((cat) => { if (cat.label === "keys") keys = cat; });
    await profile.runHandler(new TestRunRequest([keys!], undefined, profile as never), new CancellationTokenSource().token);
    const first = c.runs.at(-1)!;
    const [failedId, rec] = [...first.finalStates()].find(([id, x]) => x.state === "failed" && id.endsWith("/keys.real-strings"))!;
    const caseItem = c.allItems().find((i) => i.id === failedId)!;
    const brokenLine = lineOf(BROKEN_LINE);
    let stop: Awaited<ReturnType<typeof stopAt>> | undefined;
    let stepped: number | undefined;
    fake.host.onStartDebugging = (_config, session) => {
      void actAsVsCode(session, async (dap) => {
        stop = await stopAt(dap, brokenLine - 1); // self._check(), the line before the broken return
        // stepping works and stays in the connector (the bridge's frames are hidden)
        await dap.request("next", { threadId: stop.threadId });
        const after = await dap.nextEvent("stopped", dap.events.length);
        const trace = await dap.request("stackTrace", { threadId: after.body!.threadId });
        const top = (trace.body!.stackFrames as { line: number; source?: { path?: string } }[])[0]!;
        stepped = top.source?.path === ws.file ? top.line : -1;
        await dap.request("continue", { threadId: stop.threadId });
      });
    };
    await fake.host.commands.get(COMMANDS.debugFailure)!({ test: caseItem, message: rec.message });
    const { config } = fake.host.debugStarts[0]!;
    expect(config).toMatchObject({ type: PYTHON_DEBUG_TYPE, request: "attach", justMyCode: true });
    expect(config.rules).toEqual([{ path: `${path.join(ROOT, "runtime", "python")}/**`, include: false }]);
    expect(stop!.frames[0]).toMatchObject({ name: "exists_sync", line: brokenLine - 1, source: { path: ws.file } });
    expect(stop!.frames.every((f) => !f.source?.path?.includes("lmcache_connector_kit"))).toBe(true);
    expect(stop!.variables).toEqual(expect.arrayContaining(["self", "key"]));
    expect(stepped).toBe(brokenLine);
    const debugRun = c.runs.at(-1)!;
    expect(debugRun).not.toBe(first);
    expect(debugRun.ended).toBe(true);
    expect([...debugRun.finalStates()].map(([id, x]) => [id, x.state])).toEqual([[failedId, "failed"]]);
  }, 120_000);

  it("F5 Run against local cache: the CLI's harness stops at a breakpoint in put() and memory_obj is a variable; the CLI ends with the session", async () => {
    await start();
    const provider = fake.host.debugProviders.find((p) => p.type === "lmcache-connector" && p.triggerKind === 1)!.provider as Record<string, (...a: unknown[]) => Promise<Record<string, unknown> | undefined>>;
    const resolved = await provider.resolveDebugConfiguration!(fake.host.folders[0], { type: "lmcache-connector", request: "launch", name: "Run against local cache", url: URL, cwd: ws.dir, requests: 4 });
    expect(resolved).toMatchObject({ type: PYTHON_DEBUG_TYPE, request: "attach" });
    const session = new FakeDebugSession(resolved!);
    let stop: Awaited<ReturnType<typeof stopAt>> | undefined;
    await actAsVsCode(session, async (dap) => {
      stop = await stopAt(dap, lineOf("name = key.to_string()"));
      await dap.request("setBreakpoints", { source: { path: ws.file }, breakpoints: [] });
      await dap.request("continue", { threadId: stop.threadId });
      await dap.nextEvent("terminated");
    });
    expect(stop!.frames[0]).toMatchObject({ name: "put", source: { path: ws.file } });
    expect(stop!.variables).toEqual(expect.arrayContaining(["key", "memory_obj", "self"]));
    const terminal = fake.host.terminals.find((t) => t.name === "LMCache: Run against local cache")!;
    expect(terminal.text).toMatch(/requests 4\/4/);
    session.terminate();
    // the CLI prints its report after the bridge (and so the session) has ended: it is not cut off
    await vi.waitFor(() => expect(terminal.text).toMatch(/^Bytes: .* written/m), { timeout: 20_000 });
  }, 120_000);
});
