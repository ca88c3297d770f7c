/**
 * End-to-end tests in a real VS Code: code-server 4.100.3 (VS Code 1.100.3, Node 20 extension host)
 * with the kit's extension installed, driven through Debian's Chromium by playwright-core, all on
 * loopback. Every step saves a screenshot under test-results/screenshots/<scenario>/.
 *
 * Every scenario always runs: a feature missing from the extension fails its scenario.
 * Expected results are computed with the runtime itself (the linter, the conformance engine), not
 * written into the test.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { builtinModules, createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { lintDocument } from "../../runtime/src/lint";
import { selectCases, caseInfo, runConformance } from "../../runtime/src/conformance/engine";
import { installExtension, packagedVsix } from "./driver/extension-folder";
import { scenarioSessions } from "./driver/scenarios";
import { clearTestFilter, expectPausedOnBreakpointAt, filterTests, setBreakpoint, testRowState, type PwPage } from "./driver/steps";
import { contributedCommandTitle, manifestHasDebugger } from "./driver/manifest";
import { REPO_ROOT } from "./driver/paths";
import {
  LINT_CONFIG,
  PORTLESS_URL,
  STORE,
  STORE_SOURCE,
  brokenStoreSource,
  connectorWorkspace,
  lintWorkspace,
  makeWorkspace,
} from "./workspaces";

/** Generous: 2 shared cores, several engineers, a browser and a VS Code server per scenario. */
const SCENARIO_TIMEOUT = 300_000;
const UI_WAIT = 60_000;

const NEW_PROJECT_TITLE = contributedCommandTitle(/^New Connector Project/);


const scenarios = scenarioSessions();
const startSession = scenarios.start;

describe.sequential("real VS Code (code-server 4.100.3 + Chromium)", () => {
  it("0. the packaged .vsix holds only what runs (under 6 MB) and --install-extension installs it", () => {
    const vsix = packagedVsix();
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "lmcache-e2e-vsix-contents-"));
    scenarios.track(stateDir);
    const folder = installExtension(path.join(stateDir, "extensions"), path.join(stateDir, "user-data"));
    const files = listFiles(folder).sort();
    const largest = files.map((f) => [f, fs.statSync(path.join(folder, f)).size] as const).sort((a, b) => b[1] - a[1]).slice(0, 5);
    // The budget: under 6 MB. On failure the message names the largest files (the packed runtime,
    // generator/vendor/*.tgz, is the part that grows with the runtime).
    expect(vsix.bytes, `largest files: ${largest.map(([f, n]) => `${f} ${(n / 1e6).toFixed(2)} MB`).join(", ")}`).toBeLessThan(6_000_000);
    // Exactly the run-time pieces: no sources, tests, fixtures, source maps, .env files or node_modules.
    const allowed = [
      /^\.vsixmanifest$/, /^package\.json$/, /^readme\.md$/, /^changelog\.md$/, /^LICENSE\.txt$/, /^media\/icon\.png$/, /^media\/walkthrough\/[\w-]+\.md$/,
      /^docs\/diagnostics\.md$/, /^dist\/(extension|lint-core|render|runner|lmcache-connector)\.js$/, /^dist\/typescript\.js\.br$/, /^dist\/esbuild-wasm\//,
      /^generator\/vendor\/lmcache-connector-runtime-[\d.]+\.tgz$/, /^python\/.+\.(py|pyi|typed|md)$/,
      /^native\/prebuilds\/[a-z0-9]+-[a-z0-9]+\/lmcache_kit_shm\.node$/,
    ];
    expect(files.filter((f) => !allowed.some((re) => re.test(f)) || /(^|\/)tests?\//.test(f))).toEqual([]);
    for (const needed of ["dist/extension.js", "dist/runner.js", "dist/lmcache-connector.js", "dist/typescript.js.br", "dist/esbuild-wasm/esbuild.wasm.br", "media/icon.png", "LICENSE.txt"]) {
      expect(files).toContain(needed);
    }
    // The Python lane (runtime/python: the bridge and the kit's lmcache package, not their tests)
    // ships inside it as python/, where the runtime's kitPythonDir() finds it from dist/.
    const python = path.join(REPO_ROOT, "runtime", "python");
    if (fs.existsSync(python)) {
      const shipped = listFiles(python).filter((f) => f.endsWith(".py") && !/(^|\/)(tests|__pycache__)\//.test(f)).map((f) => `python/${f}`);
      expect(shipped.length).toBeGreaterThan(0);
      expect(shipped.filter((f) => !files.includes(f))).toEqual([]);
      expect(files).toContain("python/lmcache_connector_kit/bridge.py");
    }
    // The native shared mapping built for this platform ships too, and the installed bundles find
    // it: a Python connector checked with the installed CLI shares its payload pages (the header
    // would say "payloads copied (<why>)" otherwise).
    expect(files).toContain(`native/prebuilds/${process.platform}-${process.arch}/lmcache_kit_shm.node`);
    const check = spawnSync(process.execPath, [path.join(folder, "dist", "lmcache-connector.js"), "check", "external://host:0/dict_connector/?connector_name=DictConnector", "--cwd", path.join(REPO_ROOT, "runtime", "test", "fixtures", "python", "good"), "--python", "/usr/bin/python3", "--cases", "roundtrip.*"], { encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/^Conformance of DictConnector · Python [\d.]+ \(\/usr\/bin\/python3\) · lmcache \w+ [^ ]+ \(external:/m);
    expect(check.stdout).not.toContain("payloads copied");
    // Every module the shipped bundles require by name is Node's own (or the editor's `vscode`):
    // nothing is looked up in a node_modules.
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const optional = new Set(["source-map-support"]); // TypeScript's own try/catch probe
    for (const bundle of files.filter((f) => /^dist\/[^/]+\.js$/.test(f))) {
      const text = fs.readFileSync(path.join(folder, bundle), "utf8");
      const named = [...text.matchAll(/(?<![.\w$])require\(\s*["']([^"'./][^"']*)["']\s*\)/g)].map((m) => m[1]!);
      const foreign = [...new Set(named)].filter((id) => !builtins.has(id) && !optional.has(id) && !(id === "vscode" && bundle === "dist/extension.js"));
      expect(foreign, bundle).toEqual([]);
    }
  }, SCENARIO_TIMEOUT);

  it("1. a bad external:// URL shows in the editor and the Problems panel; the quick fix clears it", async () => {
    const folder = lintWorkspace();
    const configPath = path.join(folder, LINT_CONFIG);
    const original = fs.readFileSync(configPath, "utf8");
    // What the extension must show: the runtime linter's own verdict on the same file.
    const expected = lintDocument({ path: configPath, text: original }, { cwd: folder }).filter((d) => d.severity === "error");
    expect(expected.map((d) => d.code)).toEqual(["LMC005"]);
    const [portless] = expected;
    expect(portless!.fixes).toHaveLength(1);
    const fix = portless!.fixes[0]!;

    const { workbench } = await startSession("1-lint-quick-fix", folder);
    await workbench.screenshot("workspace-opened");
    await workbench.openFile(LINT_CONFIG);

    await workbench.errorSquiggles.first().waitFor({ timeout: UI_WAIT });
    await workbench.screenshot("diagnostic-in-editor");

    const problems = await workbench.readProblems();
    const markers = problems.filter((p) => p.label.startsWith("Error:"));
    expect(markers).toHaveLength(1);
    expect(markers[0]!.label).toContain(portless!.message);
    expect(markers[0]!.label).toContain(`at line ${portless!.range.start.line + 1} and character ${portless!.range.start.character + 1}`);
    expect(markers[0]!.text).toContain(portless!.code);
    expect(await workbench.statusProblems()).toMatch(/Errors: 1\b/);
    await workbench.screenshot("problems-panel", "lint-problems");

    await workbench.applyQuickFix(fix.title);
    // The linter's own fix applied to the original text is what the editor must now hold.
    const lines = original.split("\n");
    const edit = fix.edits[0]!;
    const line = lines[edit.range.start.line]!;
    lines[edit.range.start.line] = line.slice(0, edit.range.start.character) + edit.newText + line.slice(edit.range.end.character);
    const fixedText = lines.join("\n");
    await expect.poll(() => workbench.editorText(), { timeout: UI_WAIT }).toContain(lines[edit.range.start.line]!.trim());
    await expect.poll(() => workbench.errorSquiggles.count(), { timeout: UI_WAIT }).toBe(0);
    await expect.poll(async () => (await workbench.readProblems()).filter((p) => p.label.startsWith("Error:")).length, { timeout: UI_WAIT }).toBe(0);
    // What remains is exactly what the linter still reports for the fixed text (e.g. LMC018's note).
    const remaining = lintDocument({ path: configPath, text: fixedText }, { cwd: folder });
    expect(remaining.filter((d) => d.severity === "error")).toEqual([]);
    const markerRows = (await workbench.readProblems()).filter((p) => /^(Error|Warning|Info):/.test(p.label));
    expect(markerRows.map((p) => /LMC\d{3}/.exec(p.text)?.[0]).sort()).toEqual(remaining.map((d) => d.code).sort());
    expect(await workbench.statusProblems()).not.toMatch(/Errors: [1-9]/);
    await workbench.screenshot("quick-fix-applied");

    await workbench.save();
    expect(fs.readFileSync(configPath, "utf8")).toBe(fixedText);
    expect(fixedText).not.toContain(PORTLESS_URL);
  }, SCENARIO_TIMEOUT);

  it(
    "2. “LMCache: New Connector Project…” writes the project and opens the class",
    async () => {
      const folder = makeWorkspace("scaffold", { "README.md": "An empty folder for a new connector project.\n" });
      const { workbench } = await startSession("2-new-connector-project", folder);
      await workbench.screenshot("empty-workspace");
      expect(NEW_PROJECT_TITLE, 'the extension contributes "LMCache: New Connector Project…"').toBeDefined();
      await workbench.runCommand(NEW_PROJECT_TITLE!);
      await workbench.screenshot("command-started");
      const projectName = "e2e-scaffolded-store";
      const className = "E2eScaffoldedConnector";
      // The command activates the extension first (lazy activation), so the wizard's first step
      // may take a while to appear; later steps follow each other quickly.
      await workbench.page.locator(".quick-input-widget").waitFor({ state: "visible", timeout: UI_WAIT });
      // Answer the wizard by what each step asks; defaults for everything else.
      for (let step = 0; step < 20; step++) {
        const input = workbench.page.locator(".quick-input-widget");
        if (!(await input.isVisible())) {
          await workbench.page.waitForTimeout(1_000);
          if (!(await input.isVisible())) break;
        }
        const asked = ((await input.textContent()) ?? "") + " " + ((await input.locator("input").getAttribute("placeholder")) ?? "") + " " + ((await input.locator("input").inputValue()) ?? "");
        const field = input.locator("input");
        if (/class name/i.test(asked)) await field.fill(className);
        else if (/project name|package name/i.test(asked)) await field.fill(projectName);
        else if (/folder|location|directory|where/i.test(asked) && /\//.test(await field.inputValue())) await field.fill(folder + "/");
        await workbench.screenshot(`wizard-step-${step + 1}`);
        await field.press("Enter");
        await workbench.page.waitForTimeout(500);
      }
      // The project is on disk, with the class in it, and the class's file is the active editor.
      const written = listFiles(folder).filter((f) => f !== "README.md");
      expect(written).toContain(path.join(projectName, "package.json"));
      const classFiles = written.filter((f) => /\.ts$/.test(f) && fs.readFileSync(path.join(folder, f), "utf8").includes(`class ${className} extends RemoteConnector`));
      expect(classFiles).toHaveLength(1);
      await workbench.activeTab(path.basename(classFiles[0]!)).waitFor({ timeout: UI_WAIT });
      await workbench.screenshot("class-opened", "new-project-class");
      const pkg = JSON.parse(fs.readFileSync(path.join(folder, projectName, "package.json"), "utf8")) as { name: string };
      expect(pkg.name).toBe(projectName);
      // The packed runtime the installed extension ships (generator/vendor in the .vsix) is written
      // into the project byte for byte, so `npm install` works offline.
      const render = await import("../../generator/src/render/index.js");
      const vendored = fs.readFileSync(path.join(folder, projectName, ...render.RUNTIME_TARBALL_PATH.split("/")));
      expect(vendored.equals(fs.readFileSync(render.vendoredRuntimePath()))).toBe(true);
    },
    SCENARIO_TIMEOUT,
  );

  it(
    "3. the Testing view lists the conformance cases, runs them green, turns the broken case red and green again",
    async () => {
      const folder = connectorWorkspace("testing");
      expect(STORE_SOURCE.split("\n")[STORE.existsSyncBodyLine - 1]).toBe(STORE.existsSyncBody);
      // Expected verdicts from the conformance engine itself, on the good and the broken source.
      const seed = 1234;
      const good = await runConformance({ url: STORE.url, cwd: folder, seed });
      const brokenDir = connectorWorkspace("testing-broken", brokenStoreSource());
      scenarios.track(brokenDir);
      const broken = await runConformance({ url: STORE.url, cwd: brokenDir, seed });
      expect(good.summary.failed).toBe(0);
      const newlyFailing = broken.results.filter((r) => r.status === "failed").map((r) => r.title);
      expect(newlyFailing.length).toBeGreaterThan(0);
      const allTitles = selectCases().map((c) => caseInfo(c).title);

      const { workbench } = await startSession("3-testing-view", folder, { "testing.automaticallyOpenPeekView": "never" });
      await workbench.openFile(STORE.file);
      await workbench.runCommand("Testing: Focus on Test Explorer View");
      await workbench.page.locator(".part.sidebar .monaco-list-row", { hasText: STORE.className }).first().waitFor({ timeout: UI_WAIT });
      // Every conformance case is listed (filter by title: the tree is virtualised).
      for (const title of [allTitles[0]!, allTitles[allTitles.length - 1]!, ...newlyFailing]) {
        await expect.poll(() => testRowState(workbench.page, title), { timeout: UI_WAIT }).not.toBe("missing");
      }
      await clearTestFilter(workbench.page);
      await workbench.screenshot("cases-listed");

      // The summary counts passed of run (skipped cases are not counted).
      await workbench.runCommand("Test: Run All Tests");
      await expect.poll(() => resultSummary(workbench.page), { timeout: 180_000 }).toMatch(new RegExp(`^${good.summary.passed}/${good.summary.passed + good.summary.failed}(?!\\d{2})`));
      await workbench.screenshot("all-passed");

      await workbench.runCommand("Test: Start Continuous Run");
      await workbench.openFile(STORE.file);
      await workbench.replaceLine(STORE.existsSyncBodyLine, STORE.existsSyncBroken.trim());
      for (const title of newlyFailing) {
        await expect.poll(() => testRowState(workbench.page, title), { timeout: 180_000 }).toBe("Failed");
      }
      await workbench.screenshot("broken-case-red", "testing-view-failed");

      await workbench.openFile(STORE.file);
      await workbench.replaceLine(STORE.existsSyncBodyLine, STORE.existsSyncBody.trim());
      // Back to what the engine gives the good source: passed, or skipped where the good connector
      // has nothing to check (e.g. a store private to each instance cannot persist across them).
      const goodState = new Map(good.results.map((r) => [r.title, r.status === "passed" ? "Passed" : r.status === "skipped" ? "Skipped" : r.status]));
      expect(newlyFailing.filter((t) => goodState.get(t) === "Passed").length).toBeGreaterThan(0);
      for (const title of newlyFailing) {
        await expect.poll(() => testRowState(workbench.page, title), { timeout: 180_000 }).toBe(goodState.get(title));
      }
      await clearTestFilter(workbench.page);
      await workbench.screenshot("fixed-case-green");
    },
    SCENARIO_TIMEOUT,
  );

  it(
    "4. F5 “Run against local cache” stops at a breakpoint in the connector's TypeScript and finishes with the summary",
    async () => {
      expect(manifestHasDebugger("lmcache-connector"), 'the extension contributes the "lmcache-connector" debug type').toBe(true);
      const folder = connectorWorkspace("debug");
      const launch = { type: "lmcache-connector", request: "launch", name: "Run against local cache", url: STORE.url, cwd: "${workspaceFolder}", requests: 20, seed: 7 };
      fs.mkdirSync(path.join(folder, ".vscode"), { recursive: true });
      fs.writeFileSync(path.join(folder, ".vscode", "launch.json"), JSON.stringify({ version: "0.2.0", configurations: [launch] }, null, 2));
      // The summary the workload must end with: the CLI's own run with the same URL, requests and seed.
      const cli = execFileSync(process.execPath, [path.join(REPO_ROOT, "runtime", "bin", "lmcache-connector.js"), "run", STORE.url, "--cwd", folder, "--requests", "20", "--seed", "7"], { encoding: "utf8" });
      // Lines of the report that do not depend on timing.
      const summaryLines = cli.split("\n").filter((l) => /^(Bytes|Evictions): /.test(l));
      expect(summaryLines).toHaveLength(2);

      const { workbench } = await startSession("4-debug-local-cache", folder, { "debug.openDebug": "openOnDebugBreak" });
      await workbench.openFile(STORE.file);
      await setBreakpoint(workbench, STORE.putFirstLine);
      await workbench.screenshot("breakpoint-set");

      await workbench.focusEditor();
      await workbench.page.keyboard.press("F5");
      // Stopped in the connector's TypeScript (source maps bind the breakpoint), on its line.
      await workbench.page.locator(".editor-instance .monaco-editor .debug-top-stack-frame-line").first().waitFor({ timeout: 180_000 });
      await expect.poll(async () => (await workbench.page.locator(".tabs-container .tab.active").textContent()) ?? "").toContain(path.basename(STORE.file));
      await expectPausedOnBreakpointAt(workbench, STORE.putFirstLine);
      await workbench.screenshot("stopped-at-breakpoint", "debug-breakpoint");

      await workbench.runCommand("Remove All Breakpoints");
      await workbench.focusEditor();
      await workbench.page.keyboard.press("F5"); // continue
      // The workload finishes and prints its summary in the terminal; the session ends.
      for (const line of summaryLines) {
        await expect.poll(() => workbench.terminalText(), { timeout: 180_000 }).toContain(line);
      }
      await workbench.page.locator(".debug-toolbar").waitFor({ state: "hidden", timeout: 180_000 });
      await workbench.screenshot("workload-finished");
    },
    SCENARIO_TIMEOUT,
  );

  it(
    "5. “Debug this failure” relaunches the failing case under the debugger, and its result comes back through the debug session",
    async () => {
      const folder = connectorWorkspace("debug-failure", brokenStoreSource());
      // The failing case and its message, from the conformance engine on the same source.
      const broken = await runConformance({ url: STORE.url, cwd: folder, seed: 99 });
      const failing = broken.results.filter((r) => r.status === "failed");
      expect(failing.length).toBeGreaterThan(0);
      // A case whose title the Test Explorer's filter takes literally (no ":" or "@" filter syntax).
      const target = failing.find((r) => /^[\w\s-]+$/.test(r.title))!;
      expect(target, `a failing case with a plain title among ${failing.map((r) => r.title).join("; ")}`).toBeDefined();
      const firstLine = (target.message ?? "").split("\n")[0]!;
      expect(firstLine.length).toBeGreaterThan(0);

      const { workbench } = await startSession("5-debug-this-failure", folder, {
        "testing.automaticallyOpenPeekView": "never",
        "debug.openDebug": "openOnDebugBreak",
      });
      const page = workbench.page;
      await workbench.openFile(STORE.file);
      await workbench.runCommand("Testing: Focus on Test Explorer View");
      await page.locator(".part.sidebar .monaco-list-row", { hasText: STORE.className }).first().waitFor({ timeout: UI_WAIT });
      await workbench.runCommand("Test: Run All Tests");
      await expect.poll(() => testRowState(page, target.title), { timeout: 180_000 }).toBe("Failed");
      await workbench.screenshot("case-failed");

      // A breakpoint in the broken method: the relaunched case must stop there.
      await workbench.openFile(STORE.file);
      await setBreakpoint(workbench, STORE.existsSyncBodyLine);

      await workbench.runCommand("Testing: Focus on Test Explorer View");
      await expect.poll(() => testRowState(page, target.title), { timeout: UI_WAIT }).toBe("Failed");
      const row = page.locator(".part.sidebar .monaco-list-row", { hasText: target.title }).first();
      await row.hover();
      const action = row.locator('.action-label[aria-label="Debug this failure"]');
      await action.waitFor({ timeout: UI_WAIT });
      await workbench.screenshot("debug-this-failure-action");
      await action.click();

      // A debug session stops in the connector's TypeScript, inside the failing case.
      await page.locator(".debug-toolbar").waitFor({ timeout: 180_000 });
      await page.locator(".editor-instance .monaco-editor .debug-top-stack-frame-line").first().waitFor({ timeout: 180_000 });
      await expectPausedOnBreakpointAt(workbench, STORE.existsSyncBodyLine);
      await workbench.screenshot("stopped-in-failing-case", "debug-this-failure");
      // While paused, the case is running in a run of its own: its case-started event already came
      // through the debug session's output (the row's label keeps the last result; its icon spins).
      await workbench.runCommand("Testing: Focus on Test Explorer View");
      await filterTests(page, target.title);
      const caseRow = page.locator(".part.sidebar .monaco-list-row", { hasText: target.title }).first();
      await expect.poll(async () => (await caseRow.innerHTML()).match(/codicon-[\w-]*(?:loading|spin)[\w-]*/g)?.length ?? 0, { timeout: UI_WAIT }).toBeGreaterThan(0);
      await expect.poll(() => resultSummary(page), { timeout: UI_WAIT }).toMatch(/^0\/1(?!\d)/);
      await workbench.screenshot("case-running-under-debugger");
      await workbench.openFile(STORE.file);

      await workbench.runCommand("Remove All Breakpoints");
      await workbench.focusEditor();
      await page.keyboard.press("F5"); // continue
      await page.locator(".debug-toolbar").waitFor({ state: "hidden", timeout: 180_000 });

      // The debug run's result came back through the debug session: the newest run in Test Results
      // is the debug run, and under it the case failed with the engine's message (a result lost on
      // the way would leave the case skipped, with no message).
      await workbench.runCommand("Testing: Focus on Test Explorer View");
      await expect.poll(() => testRowState(page, target.title), { timeout: UI_WAIT }).toBe("Failed");
      await workbench.runCommand("Test Results: Focus on Test Results View");
      const resultRows = page.locator(".part.panel .test-output-peek-tree .monaco-list-row");
      const resultRow = async (i: number): Promise<string> => {
        const row = resultRows.nth(i);
        return `${await row.getAttribute("aria-level")}|${await row.getAttribute("aria-label")}|${await row.textContent()}`;
      };
      await expect.poll(() => resultRow(0), { timeout: UI_WAIT }).toBe("1|LMCache conformance (debug)|LMCache conformance (debug)");
      await expect.poll(() => resultRow(1), { timeout: UI_WAIT }).toBe(`2|${firstLine}|${target.title}${firstLine}`);
      await workbench.screenshot("debug-run-result");
    },
    SCENARIO_TIMEOUT,
  );

  it(
    "6. a connector project without typescript (or any node_modules) runs in the Testing view and through the bundled CLI",
    async () => {
      const folder = connectorWorkspace("no-typescript");
      // The point of the scenario: nothing the project or its parents hold can supply a compiler.
      for (const id of ["typescript", "esbuild", "esbuild-wasm", "lmcache-connector-runtime"]) {
        expect(() => createRequire(path.join(folder, "package.json")).resolve(id), id).toThrow();
      }
      const expected = await runConformance({ url: STORE.url, cwd: folder, seed: 5 });
      expect(expected.summary.failed).toBe(0);

      const { workbench, extensionFolder } = await startSession("6-no-typescript", folder, { "testing.automaticallyOpenPeekView": "never" });
      expect(fs.existsSync(path.join(extensionFolder, "node_modules"))).toBe(false);
      expect(() => createRequire(path.join(extensionFolder, "dist", "runner.js")).resolve("typescript")).toThrow();
      await workbench.openFile(STORE.file);
      await workbench.runCommand("Testing: Focus on Test Explorer View");
      await workbench.page.locator(".part.sidebar .monaco-list-row", { hasText: STORE.className }).first().waitFor({ timeout: UI_WAIT });
      await workbench.runCommand("Test: Run All Tests");
      await expect.poll(() => resultSummary(workbench.page), { timeout: 180_000 }).toMatch(new RegExp(`^${expected.summary.passed}/${expected.summary.passed + expected.summary.failed}(?!\\d{2})`));
      await workbench.screenshot("all-passed-without-typescript");

      // The installed extension's own CLI checks the connector and lints TypeScript (its scanner
      // ships in the .vsix as well): the verdicts are the runtime's own on the same file.
      const cli = path.join(extensionFolder, "dist", "lmcache-connector.js");
      const env = { ...process.env, NODE_PATH: "", NODE_OPTIONS: "" };
      const check = execFileSync(process.execPath, [cli, "check", STORE.url, "--cwd", folder, "--seed", "5"], { cwd: os.tmpdir(), encoding: "utf8", env });
      expect(check).toMatch(new RegExp(`OK: ${expected.summary.passed} passed, 0 failed`));
      const urls = path.join(folder, "src", "urls.ts");
      const urlsText = `export const REMOTE = "External://cache-host:0/src.e2e_store/?connector_name=${STORE.className}";\n`;
      fs.writeFileSync(urls, urlsText);
      const verdicts = lintDocument({ path: urls, text: urlsText }, { cwd: folder });
      expect(verdicts.filter((d) => d.severity === "error").length).toBeGreaterThan(0);
      const lint = spawnSync(process.execPath, [cli, "lint", urls, "--cwd", folder], { cwd: os.tmpdir(), encoding: "utf8", env });
      expect(lint.stderr).toBe("");
      expect(lint.status).toBe(1); // an error was found
      const printed = [...lint.stdout.matchAll(/urls\.ts:(\d+):(\d+): \w+ (LMC\d{3})/g)].map((m) => `${m[1]}:${m[2]} ${m[3]}`);
      expect(printed.sort()).toEqual(verdicts.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code}`).sort());
    },
    SCENARIO_TIMEOUT,
  );

  it("7. the installed extension runs a Python connector with the bridge and lmcache package it ships", () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "lmcache-e2e-vsix-python-"));
    scenarios.track(stateDir);
    const extensionFolder = installExtension(path.join(stateDir, "extensions"), path.join(stateDir, "user-data"));
    const folder = makeWorkspace("python", {
      "pystore/__init__.py": "",
      "pystore/dict_store.py": [
        '"""A dict-backed connector that keeps a copy of each stored object."""',
        "from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector",
        "",
        "",
        "class DictStore(RemoteConnector):",
        "    def __init__(self, loop, local_cpu_backend, config):",
        "        super().__init__(config, local_cpu_backend.metadata)",
        "        self.store = {}",
        "",
        "    async def exists(self, key):",
        "        return self.exists_sync(key)",
        "",
        "    def exists_sync(self, key):",
        "        return key.to_string() in self.store",
        "",
        "    async def get(self, key):",
        "        return self.store.get(key.to_string())",
        "",
        "    async def put(self, key, memory_obj):",
        "        self.store[key.to_string()] = memory_obj",
        "",
        "    async def list(self):",
        "        return list(self.store)",
        "",
        "    async def close(self):",
        "        self.store.clear()",
        "",
      ].join("\n"),
    });
    scenarios.track(folder);
    const url = "external://host:0/pystore.dict_store/?connector_name=DictStore";
    const cli = path.join(extensionFolder, "dist", "lmcache-connector.js");
    const out = execFileSync(process.execPath, [cli, "check", url, "--cwd", folder, "--cases", "roundtrip.*"], {
      cwd: os.tmpdir(),
      encoding: "utf8",
      env: { ...process.env, NODE_PATH: "", NODE_OPTIONS: "", PYTHONPATH: "" },
    });
    // The report names Debian's interpreter and the kit's lmcache package (no LMCache installed).
    expect(out.split("\n")[0]).toMatch(/^Conformance of DictStore · Python 3\.\d+\.\d+ \(\/usr\/bin\/python3\) · lmcache kit /);
    expect(out).toMatch(/OK: [1-9]\d* passed, 0 failed/);
  }, SCENARIO_TIMEOUT);
});

/** Files under `root`, relative, skipping node_modules. */
function listFiles(root: string, rel = ""): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    if (entry.name === "node_modules") continue;
    const child = path.join(rel, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(root, child));
    else out.push(child);
  }
  return out;
}

/** The Test Explorer's summary line, its parts separated by spaces ("41/44 1.2s"). */
async function resultSummary(page: PwPage): Promise<string> {
  const summary = page.locator(".part.sidebar .result-summary").first();
  const parts = await summary.locator(":scope > *").allTextContents().catch(() => [] as string[]);
  const text = parts.length > 0 ? parts.join(" ") : ((await summary.textContent().catch(() => "")) ?? "");
  return text.replace(/\s+/g, " ").trim();
}
