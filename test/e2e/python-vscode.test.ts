/**
 * End-to-end: Python connectors in a real VS Code (code-server + Chromium, the packaged .vsix
 * installed, NO Python extension): the scaffolder's Python project, the Testing view on a `.py`
 * connector, F5 with a breakpoint in the connector's `put()`, and "Debug this failure" stopping in
 * the failing method — the Python side under debugpy, attached through the kit's own
 * `lmcache-connector-python` adapter. Expected verdicts come from the CLI on the same sources.
 * Screenshots under test-results/screenshots/<scenario>/ (and docs/screenshots/ with
 * LMCACHE_E2E_README_SHOTS=1).
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { caseInfo, selectCases } from "../../runtime/src/conformance/engine";
import { contributedCommandTitle, manifestHasDebugger } from "./driver/manifest";
import { REPO_ROOT } from "./driver/paths";
import { scenarioSessions } from "./driver/scenarios";
import { clearTestFilter, expectPausedOnBreakpointAt, setBreakpoint, testRowState } from "./driver/steps";
import { makeWorkspace } from "./workspaces";

const SCENARIO_TIMEOUT = 300_000;
const UI_WAIT = 60_000;
const CLI = path.join(REPO_ROOT, "runtime", "bin", "lmcache-connector.js");
const NEW_PROJECT_TITLE = contributedCommandTitle(/^New Connector Project/);

const MODULE = "dict_connector.py";
const CLASS = "DictConnector";
const URL = `external://host:0/dict_connector/?connector_name=${CLASS}`;
const GOOD_SOURCE = fs.readFileSync(path.join(REPO_ROOT, "runtime", "test", "fixtures", "python", "good", MODULE), "utf8");
const EXISTS_SYNC_BODY = "        return key.to_string() in self.store";
const EXISTS_SYNC_BROKEN = "        return False";
const lines = GOOD_SOURCE.split("\n");
/** 1-based lines of the source. */
const EXISTS_SYNC_LINE = lines.indexOf(EXISTS_SYNC_BODY) + 1;
const PUT_FIRST_LINE = lines.findIndex((l) => l.includes("name = key.to_string()")) + 1;
const brokenSource = (): string => GOOD_SOURCE.replace(EXISTS_SYNC_BODY, EXISTS_SYNC_BROKEN);
const TITLES = new Map(selectCases().map((c) => [caseInfo(c).id, caseInfo(c).title]));

const scenarios = scenarioSessions();
const startSession = scenarios.start;

function pythonWorkspace(prefix: string, source = GOOD_SOURCE): string {
  const folder = makeWorkspace(prefix, { [MODULE]: source });
  scenarios.track(folder);
  return folder;
}

interface CliCase { id: string; title?: string; status: string; location?: { file: string; line: number } }

/** The CLI's verdicts on `folder` (Debian's interpreter, the kit's lmcache: what the extension discovers too). */
function cliVerdicts(folder: string, seed: number): CliCase[] {
  const run = spawnSync(process.execPath, [CLI, "check", URL, "--cwd", folder, "--seed", String(seed), "--format", "json", "--python", "/usr/bin/python3"], { encoding: "utf8", maxBuffer: 1 << 24 });
  return (JSON.parse(run.stdout) as { cases: CliCase[] }).cases;
}

describe.sequential("Python connectors in a real VS Code (code-server 4.100.3 + Chromium, no Python extension)", () => {
  it("P1. “New Connector Project…” with Python chosen writes the Python project and opens the class", async () => {
    const folder = makeWorkspace("py-scaffold", { "README.md": "An empty folder for a new Python connector project.\n" });
    const { workbench } = await startSession("p1-new-python-project", folder);
    expect(NEW_PROJECT_TITLE).toBeDefined();
    await workbench.runCommand(NEW_PROJECT_TITLE!);
    await workbench.page.locator(".quick-input-widget").waitFor({ state: "visible", timeout: UI_WAIT });
    const projectName = "e2e-py-store";
    const className = "E2ePyStoreConnector";
    let askedLanguage = false;
    for (let step = 0; step < 20; step++) {
      const input = workbench.page.locator(".quick-input-widget");
      if (!(await input.isVisible())) {
        await workbench.page.waitForTimeout(1_000);
        if (!(await input.isVisible())) break;
      }
      const asked = ((await input.textContent()) ?? "") + " " + ((await input.locator("input").getAttribute("placeholder")) ?? "");
      const field = input.locator("input");
      if (/language/i.test(asked)) {
        askedLanguage = true;
        await field.fill("Python");
        await workbench.page.locator(".quick-input-list .monaco-list-row", { hasText: "Python" }).first().waitFor({ timeout: UI_WAIT });
      } else if (/class name/i.test(asked)) await field.fill(className);
      else if (/project name|package name/i.test(asked)) await field.fill(projectName);
      else if (/folder|location|directory|where/i.test(asked) && /\//.test(await field.inputValue())) await field.fill(folder + "/");
      await workbench.screenshot(`wizard-step-${step + 1}`);
      await field.press("Enter");
      await workbench.page.waitForTimeout(500);
    }
    expect(askedLanguage, "the wizard's first question is the language").toBe(true);
    const project = path.join(folder, projectName);
    expect(fs.existsSync(path.join(project, "pyproject.toml"))).toBe(true);
    const pkg = path.join(project, "src", projectName.replace(/-/g, "_"));
    const classFiles = fs.readdirSync(pkg).filter((f) => f.endsWith(".py") && fs.readFileSync(path.join(pkg, f), "utf8").includes(`class ${className}(RemoteConnector)`));
    expect(classFiles).toHaveLength(1);
    await workbench.activeTab(classFiles[0]!).waitFor({ timeout: UI_WAIT });
    await workbench.screenshot("python-class-opened", "new-python-project-class");
  }, SCENARIO_TIMEOUT);

  it("P2. break exists_sync in the .py and save: the affected cases turn red, located in the .py; fixed, they turn green", async () => {
    const folder = pythonWorkspace("py-testing");
    const brokenDir = pythonWorkspace("py-testing-broken", brokenSource());
    const seed = 1234;
    const good = cliVerdicts(folder, seed);
    const broken = cliVerdicts(brokenDir, seed);
    expect(good.filter((c) => c.status === "failed")).toEqual([]);
    const failing = broken.filter((c) => c.status === "failed");
    expect(failing.length).toBeGreaterThan(0);
    // every failure the CLI reports is located in the connector's .py
    expect(failing.every((c) => c.location?.file === path.join(brokenDir, MODULE))).toBe(true);
    // titles the Test Explorer's filter takes literally (no ":" or "@" filter syntax)
    const failingTitles = failing.map((c) => TITLES.get(c.id)!).filter((t) => !/[:@]/.test(t));
    expect(failingTitles.length).toBeGreaterThan(0);
    const goodState = new Map(good.map((c) => [TITLES.get(c.id)!, c.status === "passed" ? "Passed" : c.status === "skipped" ? "Skipped" : c.status]));

    const { workbench } = await startSession("p2-python-testing-view", folder, { "testing.automaticallyOpenPeekView": "never" });
    await workbench.openFile(MODULE);
    await workbench.runCommand("Testing: Focus on Test Explorer View");
    await workbench.page.locator(".part.sidebar .monaco-list-row", { hasText: CLASS }).first().waitFor({ timeout: UI_WAIT });
    await workbench.screenshot("python-cases-listed");
    await workbench.runCommand("Test: Start Continuous Run");
    await workbench.openFile(MODULE);
    await workbench.replaceLine(EXISTS_SYNC_LINE, EXISTS_SYNC_BROKEN.trim());
    for (const title of failingTitles) {
      await expect.poll(() => testRowState(workbench.page, title), { timeout: 180_000 }).toBe("Failed");
    }
    await workbench.screenshot("python-broken-cases-red", "testing-view-python-failed");
    // The failure is located in the .py: its message is drawn in the connector's editor, after a
    // line (as CSS content or injected text; the source itself has no "!=").
    await clearTestFilter(workbench.page);
    await workbench.openFile(MODULE);
    expect(brokenSource()).not.toContain("!=");
    const inlineMessages = (): Promise<string> => workbench.page.evaluate(() => {
      // Runs in the page, where the DOM exists; this tree is type-checked without the DOM lib.
      const { document, getComputedStyle } = globalThis as unknown as PageGlobals;
      const out: string[] = [];
      for (const el of document.querySelectorAll(".editor-instance .monaco-editor *")) {
        for (const pseudo of ["::before", "::after"]) {
          const c = getComputedStyle(el, pseudo).content;
          if (c && c !== "none" && c !== "normal") out.push(c);
        }
        if (el.childElementCount === 0 && /!=/.test(el.textContent ?? "")) out.push(el.textContent ?? "");
      }
      return out.join(" | ");
    });
    await expect.poll(inlineMessages, { timeout: UI_WAIT }).toContain("!=");
    await workbench.screenshot("python-failure-in-source");

    await workbench.openFile(MODULE);
    await workbench.replaceLine(EXISTS_SYNC_LINE, EXISTS_SYNC_BODY.trim());
    for (const title of failingTitles) {
      await expect.poll(() => testRowState(workbench.page, title), { timeout: 180_000 }).toBe(goodState.get(title));
    }
    await clearTestFilter(workbench.page);
    await workbench.screenshot("python-fixed-cases-green");
  }, SCENARIO_TIMEOUT);

  it("P3. F5 “Run against local cache” stops at a breakpoint in the Python put() and the Variables view shows memory_obj", async () => {
    expect(manifestHasDebugger("lmcache-connector-python")).toBe(true);
    const folder = pythonWorkspace("py-debug");
    const launch = { type: "lmcache-connector", request: "launch", name: "Run against local cache", language: "python", command: "run", url: URL, cwd: "${workspaceFolder}", requests: 20, seed: 7 };
    fs.mkdirSync(path.join(folder, ".vscode"), { recursive: true });
    fs.writeFileSync(path.join(folder, ".vscode", "launch.json"), JSON.stringify({ version: "0.2.0", configurations: [launch] }, null, 2));
    // The report the run must end with: the CLI's own run with the same URL, requests and seed.
    const cli = execFileSync(process.execPath, [CLI, "run", URL, "--cwd", folder, "--requests", "20", "--seed", "7", "--python", "/usr/bin/python3"], { encoding: "utf8" });
    const summaryLines = cli.split("\n").filter((l) => /^(Bytes|Evictions): /.test(l));
    expect(summaryLines).toHaveLength(2);

    const { workbench } = await startSession("p3-python-debug-local-cache", folder, { "debug.openDebug": "openOnDebugBreak" });
    await workbench.openFile(MODULE);
    await setBreakpoint(workbench, PUT_FIRST_LINE);
    await workbench.focusEditor();
    await workbench.page.keyboard.press("F5");
    await workbench.page.locator(".editor-instance .monaco-editor .debug-top-stack-frame-line").first().waitFor({ timeout: 180_000 });
    await expectPausedOnBreakpointAt(workbench, PUT_FIRST_LINE);
    const variables = workbench.page.locator(".debug-variables .monaco-list-row");
    await expect.poll(async () => (await variables.allTextContents()).join(" | "), { timeout: UI_WAIT }).toContain("memory_obj");
    await workbench.screenshot("python-stopped-in-put", "debug-python-breakpoint");

    await workbench.runCommand("Remove All Breakpoints");
    await workbench.focusEditor();
    await workbench.page.keyboard.press("F5"); // continue
    await workbench.page.locator(".debug-toolbar").waitFor({ state: "hidden", timeout: 180_000 });
    // The CLI's report, in the terminal the run opened: the same lines as the CLI's own run.
    await workbench.runCommand("Terminal: Focus Terminal");
    for (const line of summaryLines) {
      await expect.poll(() => workbench.terminalText(), { timeout: 180_000 }).toContain(line);
    }
    await workbench.screenshot("python-run-finished");
  }, SCENARIO_TIMEOUT);

  it("P4. “Debug this failure” on a red Python case stops inside the failing method", async () => {
    const folder = pythonWorkspace("py-debug-failure", brokenSource());
    const failing = cliVerdicts(folder, 99).filter((c) => c.status === "failed");
    const target = failing.map((c) => ({ ...c, title: TITLES.get(c.id)! })).find((c) => /^[\w\s-]+$/.test(c.title));
    expect(target, `a failing case with a plain title among ${failing.map((c) => c.id).join(", ")}`).toBeDefined();

    const { workbench } = await startSession("p4-python-debug-this-failure", folder, { "testing.automaticallyOpenPeekView": "never", "debug.openDebug": "openOnDebugBreak" });
    const page = workbench.page;
    await workbench.openFile(MODULE);
    await workbench.runCommand("Testing: Focus on Test Explorer View");
    await page.locator(".part.sidebar .monaco-list-row", { hasText: CLASS }).first().waitFor({ timeout: UI_WAIT });
    await workbench.runCommand("Test: Run All Tests");
    await expect.poll(() => testRowState(page, target!.title), { timeout: 180_000 }).toBe("Failed");
    await workbench.openFile(MODULE);
    await setBreakpoint(workbench, EXISTS_SYNC_LINE);
    await workbench.runCommand("Testing: Focus on Test Explorer View");
    await expect.poll(() => testRowState(page, target!.title), { timeout: UI_WAIT }).toBe("Failed");
    const row = page.locator(".part.sidebar .monaco-list-row", { hasText: target!.title }).first();
    await row.hover();
    const action = row.locator('.action-label[aria-label="Debug this failure"]');
    await action.waitFor({ timeout: UI_WAIT });
    await action.click();
    await page.locator(".debug-toolbar").waitFor({ timeout: 180_000 });
    await page.locator(".editor-instance .monaco-editor .debug-top-stack-frame-line").first().waitFor({ timeout: 180_000 });
    await expectPausedOnBreakpointAt(workbench, EXISTS_SYNC_LINE);
    await expect.poll(async () => (await page.locator(".debug-call-stack .monaco-list-row").allTextContents()).join(" "), { timeout: UI_WAIT }).toContain("exists_sync");
    await workbench.screenshot("python-stopped-in-failing-method", "debug-this-failure-python");

    await workbench.openFile(MODULE);
    await workbench.runCommand("Remove All Breakpoints");
    await workbench.focusEditor();
    await page.keyboard.press("F5"); // continue
    await page.locator(".debug-toolbar").waitFor({ state: "hidden", timeout: 180_000 });
    await workbench.runCommand("Testing: Focus on Test Explorer View");
    await expect.poll(() => testRowState(page, target!.title), { timeout: UI_WAIT }).toBe("Failed");
  }, SCENARIO_TIMEOUT);
});

/** The few DOM globals the in-page check above uses (the tree is type-checked without lib "dom"). */
interface PageElement { readonly childElementCount: number; readonly textContent: string | null }
interface PageGlobals {
  document: { querySelectorAll(selector: string): Iterable<PageElement> };
  getComputedStyle(el: PageElement, pseudo: string): { content: string };
}
