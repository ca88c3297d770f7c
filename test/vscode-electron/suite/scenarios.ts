/// <reference types="mocha" />
/**
 * The real-VS-Code scenarios through the VS Code API (the code-server suite drives the same ones
 * through the UI). Scenario 3 (Testing view results) is not here: test results of another
 * extension's controller are only readable through proposed API, so the UI suite covers it.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { FIXED_URL, LINT_CONFIG, PORTLESS_URL, STORE, STORE_SOURCE, lintWorkspace } from "../../e2e/workspaces";

const EXTENSION_ID = "lmcache-connector-kit.lmcache-connector-kit";

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** `promise`'s value, or an Error saying `failure` when it has not settled within `timeoutMs`. */
async function within<T>(promise: Promise<T>, timeoutMs: number, failure: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(failure)), timeoutMs)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function workspaceRoot(): string {
  const root = process.env.LMCACHE_ELECTRON_WORKSPACE ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(root, "no workspace folder");
  return root;
}

function write(rel: string, text: string): vscode.Uri {
  const file = path.join(workspaceRoot(), rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return vscode.Uri.file(file);
}

/** Registers the scenarios with the global Mocha functions. */
export function registerScenarios(): void {
  describe("LMCache Connector Kit in VS Code", () => {
    before(async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(ext, `${EXTENSION_ID} is not loaded`);
      await ext.activate();
    });

    it("1. a portless external:// URL gets LMC005, and its quick fix clears it", async () => {
      const source = lintWorkspace();
      try {
        for (const rel of [LINT_CONFIG, "connectors/good_connector.ts"]) write(rel, fs.readFileSync(path.join(source, rel), "utf8"));
      } finally {
        fs.rmSync(source, { recursive: true, force: true });
      }
      const uri = vscode.Uri.file(path.join(workspaceRoot(), LINT_CONFIG));
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      const diagnostic = await until("LMC005", () =>
        vscode.languages.getDiagnostics(uri).find((d) => d.source === "lmcache" && String(typeof d.code === "object" ? d.code.value : d.code) === "LMC005"),
      );
      assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>("vscode.executeCodeActionProvider", uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
      const fix = actions.find((a) => a.diagnostics?.some((d) => d.message === diagnostic.message) && a.edit);
      assert.ok(fix, "no quick fix offered");
      assert.ok(await vscode.workspace.applyEdit(fix.edit!));
      assert.ok(doc.getText().includes(FIXED_URL));
      assert.ok(!doc.getText().includes(PORTLESS_URL));
      await until("LMC005 to clear", () => !vscode.languages.getDiagnostics(uri).some((d) => d.severity === vscode.DiagnosticSeverity.Error) || undefined);
      await doc.save();
    });

    it("2. New Connector Project writes the project and opens the class", async () => {
      const running = vscode.commands.executeCommand("lmcacheConnector.newConnectorProject");
      let done = false;
      void running.then(() => (done = true), () => (done = true));
      // Accept every question's default (project name my-lmcache-connector, memory template, …).
      for (let i = 0; i < 30 && !done; i++) {
        await new Promise((r) => setTimeout(r, 500));
        await vscode.commands.executeCommand("workbench.action.acceptSelectedQuickOpenItem");
      }
      await running;
      const editor = await until("the class to open", () => vscode.window.activeTextEditor);
      assert.match(editor.document.getText(), /class \w+ extends RemoteConnector/);
      assert.ok(editor.document.uri.fsPath.startsWith(workspaceRoot()));
      assert.ok(fs.existsSync(path.join(workspaceRoot(), "my-lmcache-connector", "package.json")));
    });

    it("4. Run against local cache stops at a breakpoint in the connector's TypeScript, then finishes", async () => {
      const repo = process.env.LMCACHE_REPO_ROOT!;
      const uri = write(STORE.file, STORE_SOURCE);
      const modules = path.join(workspaceRoot(), "node_modules");
      fs.mkdirSync(modules, { recursive: true });
      if (!fs.existsSync(path.join(modules, "lmcache-connector-runtime"))) fs.symlinkSync(path.join(repo, "runtime"), path.join(modules, "lmcache-connector-runtime"));
      const breakpoint = new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(STORE.putFirstLine - 1, 0)));
      vscode.debug.addBreakpoints([breakpoint]);
      const stopped = new Promise<vscode.DebugStackFrame>((resolve) => {
        const sub = vscode.debug.onDidChangeActiveStackItem((item) => {
          if (item instanceof vscode.DebugStackFrame) {
            sub.dispose();
            resolve(item);
          }
        });
      });
      const ended = new Promise<void>((resolve) => {
        const sub = vscode.debug.onDidTerminateDebugSession(() => {
          if (!vscode.debug.activeDebugSession) {
            sub.dispose();
            resolve();
          }
        });
      });
      const folder = vscode.workspace.workspaceFolders![0];
      assert.ok(await vscode.debug.startDebugging(folder, { type: "lmcache-connector", request: "launch", name: "Run against local cache", url: STORE.url, cwd: workspaceRoot(), requests: 10, seed: 7 }));
      await within(stopped, 120_000, "no stop at the breakpoint");
      const editor = await until("the stopped editor", () => vscode.window.activeTextEditor);
      assert.equal(editor.document.uri.fsPath, uri.fsPath);
      assert.equal(editor.selection.active.line, STORE.putFirstLine - 1);
      vscode.debug.removeBreakpoints([breakpoint]);
      await vscode.commands.executeCommand("workbench.action.debug.continue");
      await within(ended, 120_000, "the workload did not finish");
    });
  });
}
