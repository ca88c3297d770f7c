var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));

// test/e2e/driver/session.ts
var fs4 = __toESM(require("node:fs"));
var os = __toESM(require("node:os"));
var path5 = __toESM(require("node:path"));

// test/e2e/driver/code-server.ts
var import_node_child_process = require("node:child_process");
var fs = __toESM(require("node:fs"));
var net = __toESM(require("node:net"));
var path2 = __toESM(require("node:path"));

// test/e2e/driver/paths.ts
var path = __toESM(require("node:path"));
var REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
var E2E_CACHE = process.env.LMCACHE_E2E_CACHE ?? path.join(REPO_ROOT, ".cache", "e2e");
var SETUP_SCRIPT = path.join(REPO_ROOT, "test", "e2e", "setup-code-server.sh");
var SCREENSHOT_DIR = path.join(REPO_ROOT, "test-results", "screenshots");
var LOG_DIR = path.join(REPO_ROOT, "test-results", "e2e-logs");
var README_SCREENSHOT_DIR = path.join(REPO_ROOT, "docs", "screenshots");
var CHROMIUM = process.env.LMCACHE_E2E_CHROMIUM ?? "/usr/bin/chromium";

// test/e2e/driver/code-server.ts
function ensureCodeServer() {
  const entry = path2.join(E2E_CACHE, "code-server", "node_modules", "code-server", "out", "node", "entry.js");
  const marker = path2.join(E2E_CACHE, "code-server", ".installed-4.100.3");
  if (fs.existsSync(entry) && fs.existsSync(marker)) return entry;
  const out = (0, import_node_child_process.execFileSync)("bash", [SETUP_SCRIPT], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 6e5 });
  const printed = out.trim().split("\n").pop() ?? "";
  if (!fs.existsSync(printed)) throw new Error(`setup-code-server.sh printed no entry point (got ${JSON.stringify(printed)})`);
  return printed;
}
function freeLoopbackPort() {
  return new Promise((resolve2, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve2(port));
    });
  });
}
var live = /* @__PURE__ */ new Set();
process.once("exit", () => {
  for (const child of live) killGroup(child, "SIGKILL");
});
function killGroup(child, signal) {
  if (child.pid === void 0) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
  }
}
async function startCodeServer(opts) {
  const entry = ensureCodeServer();
  const port = await freeLoopbackPort();
  fs.mkdirSync(path2.dirname(opts.logFile), { recursive: true });
  const log = fs.openSync(opts.logFile, "w");
  const args = [
    entry,
    "--auth",
    "none",
    "--bind-addr",
    `127.0.0.1:${port}`,
    "--extensions-dir",
    opts.extensionsDir,
    "--user-data-dir",
    opts.userDataDir,
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-workspace-trust",
    "--disable-getting-started-override",
    opts.folder
  ];
  const child = (0, import_node_child_process.spawn)(process.execPath, args, {
    detached: true,
    // own process group, so stop() reaches the extension host and its children
    stdio: ["ignore", log, log],
    env: { ...process.env, ...opts.env, VSCODE_PROXY_URI: "", NODE_OPTIONS: "" }
  });
  fs.closeSync(log);
  live.add(child);
  let exited = null;
  const exitPromise = new Promise((resolve2) => {
    child.once("exit", (code, signal) => {
      exited = `exited with ${signal ?? code}`;
      live.delete(child);
      resolve2();
    });
  });
  const stop = async () => {
    if (exited) return;
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5e3);
    await exitPromise;
    clearTimeout(timer);
    killGroup(child, "SIGKILL");
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 9e4;
  for (; ; ) {
    if (exited) throw new Error(`code-server ${exited} before it answered; log:
${tail(opts.logFile)}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${url} within 90 s; log:
${tail(opts.logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { port, url, logFile: opts.logFile, stop };
}
function tail(file, lines = 40) {
  try {
    return fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

// test/e2e/driver/extension-folder.ts
var fs2 = __toESM(require("node:fs"));
var path3 = __toESM(require("node:path"));
var NOT_EXTENSION = /* @__PURE__ */ new Set(["package.json", "test-results"]);
function extensionFolderName(manifest = readManifest()) {
  return `${manifest.publisher}.${manifest.name}-${manifest.version}`;
}
function readManifest() {
  return JSON.parse(fs2.readFileSync(path3.join(REPO_ROOT, "package.json"), "utf8"));
}
function installExtension(extensionsDir) {
  const manifest = readManifest();
  const main = path3.join(REPO_ROOT, manifest.main ?? "dist/extension.js");
  if (!fs2.existsSync(main)) throw new Error(`extension bundle ${main} is missing: run \`npm run build\` first`);
  const folder = path3.join(extensionsDir, extensionFolderName(manifest));
  fs2.mkdirSync(folder, { recursive: true });
  fs2.copyFileSync(path3.join(REPO_ROOT, "package.json"), path3.join(folder, "package.json"));
  for (const entry of fs2.readdirSync(REPO_ROOT)) {
    if (entry.startsWith(".") || NOT_EXTENSION.has(entry)) continue;
    fs2.symlinkSync(path3.join(REPO_ROOT, entry), path3.join(folder, entry));
  }
  return folder;
}

// test/e2e/driver/workbench.ts
var fs3 = __toESM(require("node:fs"));
var path4 = __toESM(require("node:path"));
var import_playwright_core = require("playwright-core");
var CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run"
];
var Workbench = class _Workbench {
  constructor(browser, page, shotsName) {
    this.browser = browser;
    this.page = page;
    this.shotsName = shotsName;
  }
  browser;
  page;
  shotsName;
  shot = 0;
  /** Opens `url` (code-server with `?folder=`) in a new headless Chromium and waits for the workbench. */
  static async open(url, shotsName) {
    const browser = await import_playwright_core.chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: process.env.LMCACHE_E2E_HEADED !== "1"
    });
    try {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(3e4);
      await page.goto(url, { waitUntil: "domcontentloaded", timeout: 6e4 });
      await page.locator(".monaco-workbench .part.statusbar").waitFor({ timeout: 9e4 });
      await page.locator(".monaco-workbench .part.editor").waitFor({ timeout: 3e4 });
      return new _Workbench(browser, page, shotsName);
    } catch (error) {
      await browser.close();
      throw error;
    }
  }
  /** Closes the browser. */
  async close() {
    await this.browser.close().catch(() => void 0);
  }
  /** The quick input (command palette / Quick Open) widget. */
  get quickInput() {
    return this.page.locator(".quick-input-widget");
  }
  /**
   * Runs a command by its palette title ("Category: Title") through F1, choosing the row whose
   * label is exactly `title`. Fails when no such command is offered.
   */
  async runCommand(title) {
    const deadline = Date.now() + 45e3;
    for (; ; ) {
      await this.dismissQuickInput();
      await this.page.keyboard.press("F1");
      const input = this.quickInput.locator("input");
      await input.waitFor();
      await input.fill(`>${title}`);
      const row = this.quickInput.locator(".monaco-list-row", {
        has: this.page.locator(".label-name", { hasText: new RegExp(`^${escapeRegExp(title)}$`) })
      });
      try {
        await row.first().waitFor({ timeout: 5e3 });
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`command "${title}" is not in the command palette`, { cause: error });
        continue;
      }
      await row.first().click();
      return;
    }
  }
  /** Titles the command palette offers for `filter`. */
  async paletteTitles(filter) {
    await this.dismissQuickInput();
    await this.page.keyboard.press("F1");
    const input = this.quickInput.locator("input");
    await input.fill(`>${filter}`);
    await this.page.waitForTimeout(500);
    const titles = await this.quickInput.locator(".monaco-list-row .label-name").allTextContents();
    await this.page.keyboard.press("Escape");
    return titles;
  }
  /** Answers an open InputBox (or QuickPick with free text) and accepts it. */
  async answerInput(text) {
    const input = this.quickInput.locator("input");
    await input.waitFor();
    await input.fill(text);
    await input.press("Enter");
  }
  /** Picks the row labelled `label` in an open QuickPick. */
  async pick(label) {
    const row = this.quickInput.locator(".monaco-list-row", { has: this.page.locator(".label-name", { hasText: label }) });
    await row.first().waitFor();
    await row.first().click();
  }
  async dismissQuickInput() {
    if (await this.quickInput.isVisible()) await this.page.keyboard.press("Escape");
  }
  /** Opens a workspace file by its path relative to the folder (Quick Open) and waits for its tab. */
  async openFile(relativePath) {
    await this.dismissQuickInput();
    await this.page.keyboard.press("Control+P");
    const input = this.quickInput.locator("input");
    await input.waitFor();
    await input.fill(relativePath);
    const base = path4.basename(relativePath);
    const row = this.quickInput.locator(".monaco-list-row", { has: this.page.locator(".label-name", { hasText: base }) });
    await row.first().waitFor({ timeout: 2e4 });
    await input.press("Enter");
    await this.activeTab(base).waitFor();
    await this.page.locator(".editor-instance .monaco-editor .view-lines").first().waitFor();
  }
  /** The active editor tab, when its label is `name`. */
  activeTab(name) {
    return this.page.locator(".tabs-container .tab.active", { hasText: name });
  }
  /** Error squiggles in the visible editor. */
  get errorSquiggles() {
    return this.page.locator(".editor-instance .monaco-editor .squiggly-error");
  }
  /** The visible editor's text (the rendered lines, in order). */
  async editorText() {
    const lines = await this.page.locator(".editor-instance .monaco-editor .view-lines .view-line").allTextContents();
    return lines.join("\n").replace(/\u00a0/g, " ");
  }
  /** Shows the Problems panel and returns its rows (files and markers). */
  async readProblems() {
    await this.showProblems();
    const rows = this.page.locator(".markers-panel .monaco-list-row");
    const count = await rows.count();
    const out = [];
    for (let i = 0; i < count; i++) {
      const row = rows.nth(i);
      out.push({ label: await row.getAttribute("aria-label") ?? "", text: await row.textContent() ?? "" });
    }
    return out;
  }
  /** Opens the Problems panel (View: Problems). */
  async showProblems() {
    if (!await this.page.locator(".markers-panel").isVisible()) {
      await this.runCommand("View: Toggle Problems");
    }
    await this.page.locator(".markers-panel").waitFor();
  }
  /** The status bar's problems summary (e.g. "Errors: 1, Warnings: 0"). */
  async statusProblems() {
    return await this.page.locator("#status\\.problems a").first().getAttribute("aria-label") ?? "";
  }
  /** Moves the cursor to the given 1-based line and column of the active editor. */
  async goToLine(line, column = 1) {
    await this.runCommand("Go to Line/Column...");
    await this.answerInput(`${line}:${column}`);
  }
  /**
   * Applies the quick fix titled `title` at the next problem of the active editor: F8 moves the
   * cursor to the problem, Ctrl+. opens the Quick Fix menu, the matching entry is chosen.
   */
  async applyQuickFix(title) {
    await this.focusEditor();
    await this.page.keyboard.press("F8");
    await this.page.locator(".marker-widget").waitFor();
    await this.page.keyboard.press("Escape");
    await this.page.keyboard.press("Control+.");
    const menu = this.page.locator(".action-widget");
    await menu.locator(".monaco-list-row.action").first().waitFor({ timeout: 2e4 });
    const rows = await menu.locator(".monaco-list-row.action").count();
    for (let i = 0; i <= rows; i++) {
      const focused = await menu.locator(".monaco-list-row.action.focused").getAttribute("aria-label").catch(() => null) ?? "";
      if (typeof title === "string" ? focused === title : title.test(focused)) {
        await this.page.keyboard.press("Enter");
        await menu.waitFor({ state: "hidden" });
        return;
      }
      await this.page.keyboard.press("ArrowDown");
    }
    const offered = await menu.locator(".monaco-list-row.action").evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")));
    await this.page.keyboard.press("Escape");
    throw new Error(`quick fix ${String(title)} not offered; offered: ${JSON.stringify(offered)}`);
  }
  /** The integrated terminal's visible text (DOM renderer: see BASE_SETTINGS). */
  async terminalText() {
    const rows = await this.page.locator(".terminal-wrapper .xterm-rows > div").allTextContents();
    return rows.join("\n").replace(/\u00a0/g, " ");
  }
  /** Gives the active editor keyboard focus. */
  async focusEditor() {
    await this.page.locator(".editor-instance .monaco-editor textarea.inputarea, .editor-instance .monaco-editor .native-edit-context").first().focus();
  }
  /** Replaces the text of a 1-based line in the active editor (keeping its indentation) and saves. */
  async replaceLine(line, text) {
    await this.goToLine(line);
    await this.focusEditor();
    await this.page.keyboard.press("Home");
    await this.page.keyboard.press("Shift+End");
    await this.page.keyboard.insertText(text);
    await this.save();
  }
  /** Saves the active editor and waits until its tab is no longer dirty. */
  async save() {
    await this.page.keyboard.press("Control+S");
    await this.page.locator(".tabs-container .tab.active.dirty").waitFor({ state: "detached" });
  }
  /**
   * Saves a screenshot as test-results/screenshots/<session>/<nn>-<name>.png and returns its path.
   * With `readme`, and when `LMCACHE_E2E_README_SHOTS=1`, also refreshes docs/screenshots/<readme>.png
   * (committed; not rewritten on every run so that test runs leave the tree clean).
   */
  async screenshot(name, readme) {
    const dir = path4.join(SCREENSHOT_DIR, this.shotsName);
    fs3.mkdirSync(dir, { recursive: true });
    const file = path4.join(dir, `${String(++this.shot).padStart(2, "0")}-${name}.png`);
    await this.page.screenshot({ path: file });
    if (readme && process.env.LMCACHE_E2E_README_SHOTS === "1") {
      fs3.mkdirSync(README_SCREENSHOT_DIR, { recursive: true });
      await this.page.screenshot({ path: path4.join(README_SCREENSHOT_DIR, `${readme}.png`), scale: "css" });
    }
    return file;
  }
};
function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// test/e2e/driver/session.ts
var BASE_SETTINGS = {
  "workbench.startupEditor": "none",
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "security.workspace.trust.enabled": false,
  "git.enabled": false,
  "chat.disableAIFeatures": true,
  "editor.minimap.enabled": false,
  "files.autoSave": "off",
  // The DOM renderer puts the terminal's text into the page, where the tests read it.
  "terminal.integrated.gpuAcceleration": "off"
};
var VsCodeSession = class _VsCodeSession {
  constructor(server, workbench, stateDir) {
    this.server = server;
    this.workbench = workbench;
    this.stateDir = stateDir;
  }
  server;
  workbench;
  stateDir;
  static async start(opts) {
    const stateDir = fs4.mkdtempSync(path5.join(os.tmpdir(), `lmcache-e2e-${opts.name}-`));
    const userDataDir = path5.join(stateDir, "user-data");
    const extensionsDir = path5.join(stateDir, "extensions");
    fs4.mkdirSync(path5.join(userDataDir, "User"), { recursive: true });
    fs4.mkdirSync(extensionsDir, { recursive: true });
    fs4.writeFileSync(path5.join(userDataDir, "User", "settings.json"), JSON.stringify({ ...BASE_SETTINGS, ...opts.settings }, null, 2));
    installExtension(extensionsDir);
    const server = await startCodeServer({
      folder: opts.folder,
      userDataDir,
      extensionsDir,
      logFile: path5.join(LOG_DIR, `${opts.name}.log`),
      env: opts.env
    });
    let workbench;
    try {
      workbench = await Workbench.open(`${server.url}/?folder=${encodeURIComponent(opts.folder)}`, opts.name);
    } catch (error) {
      await server.stop();
      throw new Error(`workbench did not load: ${error.message}
server log:
${tail(server.logFile)}`);
    }
    return new _VsCodeSession(server, workbench, stateDir);
  }
  /** The extension host's log of this session (`exthost.log`), for assertions and failures. */
  extensionHostLog() {
    const logs = path5.join(this.stateDir, "user-data", "logs");
    const found = [];
    const walk = (dir) => {
      for (const entry of fs4.existsSync(dir) ? fs4.readdirSync(dir, { withFileTypes: true }) : []) {
        const full = path5.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name === "exthost.log" || entry.name.includes("LMCache")) found.push(full);
      }
    };
    walk(logs);
    return found.map((f) => `== ${path5.relative(logs, f)}
${fs4.readFileSync(f, "utf8")}`).join("\n");
  }
  async dispose() {
    await this.workbench.close();
    await this.server.stop();
    fs4.rmSync(this.stateDir, { recursive: true, force: true });
  }
};

// test/e2e/workspaces.ts
var fs5 = __toESM(require("node:fs"));
var os2 = __toESM(require("node:os"));
var path6 = __toESM(require("node:path"));
function makeWorkspace(prefix, files) {
  const root = fs5.realpathSync(fs5.mkdtempSync(path6.join(os2.tmpdir(), `lmcache-e2e-ws-${prefix}-`)));
  for (const [rel, text] of Object.entries(files)) {
    const file = path6.join(root, rel);
    fs5.mkdirSync(path6.dirname(file), { recursive: true });
    fs5.writeFileSync(file, text);
  }
  return root;
}
var STORE = {
  file: "src/e2e_store.ts",
  className: "E2eStoreConnector",
  url: "external://localhost:0/src.e2e_store/?connector_name=E2eStoreConnector",
  /** The line of `existsSync`'s body (1-based), broken and fixed by the scenarios. */
  existsSyncBodyLine: 30,
  existsSyncBody: "    this.assertOpen(); return this.store.has(key.toString());",
  existsSyncBroken: "    this.assertOpen(); return false; // broken on purpose by the e2e test",
  /** The line of `put`'s first statement (1-based): the debug scenario's breakpoint. */
  putFirstLine: 46
};
var STORE_SOURCE = [
  /* 1 */
  "/** A Map-backed connector used by the kit's end-to-end tests. */",
  /* 2 */
  'import { RemoteConnector, type CacheEngineKey, type ConnectorInit, type MemoryObj } from "lmcache-connector-runtime";',
  /* 3 */
  "",
  /* 4 */
  "interface Stored {",
  /* 5 */
  "  bytes: Uint8Array;",
  /* 6 */
  "  shapes: number[][];",
  /* 7 */
  '  dtypes: ReturnType<MemoryObj["getDtypes"]>;',
  /* 8 */
  '  fmt: ReturnType<MemoryObj["getMemoryFormat"]>;',
  /* 9 */
  "}",
  /* 10 */
  "",
  /* 11 */
  "export class E2eStoreConnector extends RemoteConnector {",
  /* 12 */
  "  private readonly store = new Map<string, Stored>();",
  /* 13 */
  "  private readonly init: ConnectorInit;",
  /* 14 */
  "  private closed = false;",
  /* 15 */
  "",
  /* 16 */
  "  constructor(init: ConnectorInit) {",
  /* 17 */
  "    super(init.localCpuBackend.config as never, init.localCpuBackend.metadata);",
  /* 18 */
  "    this.init = init;",
  /* 19 */
  "  }",
  /* 20 */
  "",
  /* 21 */
  "  private assertOpen(): void {",
  /* 22 */
  '    if (this.closed) throw new Error("connector is closed");',
  /* 23 */
  "  }",
  /* 24 */
  "",
  /* 25 */
  "  async exists(key: CacheEngineKey): Promise<boolean> {",
  /* 26 */
  "    return this.existsSync(key);",
  /* 27 */
  "  }",
  /* 28 */
  "",
  /* 29 */
  "  existsSync(key: CacheEngineKey): boolean {",
  /* 30 */
  "    this.assertOpen(); return this.store.has(key.toString());",
  /* 31 */
  "  }",
  /* 32 */
  "",
  /* 33 */
  "  async get(key: CacheEngineKey): Promise<MemoryObj | null> {",
  /* 34 */
  "    this.assertOpen();",
  /* 35 */
  "    const s = this.store.get(key.toString());",
  /* 36 */
  "    if (!s) return null;",
  /* 37 */
  "    const single = s.shapes.length === 1;",
  /* 38 */
  "    const obj = this.init.localCpuBackend.allocate((single ? s.shapes[0] : s.shapes) as never, (single ? s.dtypes[0] : s.dtypes) as never, s.fmt);",
  /* 39 */
  "    if (!obj) return null;",
  /* 40 */
  "    obj.byteArray.set(s.bytes);",
  /* 41 */
  "    return obj;",
  /* 42 */
  "  }",
  /* 43 */
  "",
  /* 44 */
  "  async put(key: CacheEngineKey, obj: MemoryObj): Promise<void> {",
  /* 45 */
  "    this.assertOpen();",
  /* 46 */
  "    const bytes = obj.byteArray.slice();",
  /* 47 */
  "    this.store.set(key.toString(), { bytes, shapes: obj.getShapes().map((x) => [...x]), dtypes: [...obj.getDtypes()], fmt: obj.getMemoryFormat() });",
  /* 48 */
  "  }",
  /* 49 */
  "",
  /* 50 */
  "  async list(): Promise<string[]> {",
  /* 51 */
  "    this.assertOpen();",
  /* 52 */
  "    return [...this.store.keys()];",
  /* 53 */
  "  }",
  /* 54 */
  "",
  /* 55 */
  "  async close(): Promise<void> {",
  /* 56 */
  "    this.closed = true;",
  /* 57 */
  "  }",
  /* 58 */
  "}",
  ""
].join("\n");
function connectorWorkspace(prefix, repoRoot, source = STORE_SOURCE) {
  const root = makeWorkspace(prefix, {
    "package.json": JSON.stringify({ name: "e2e-store", version: "0.0.0", private: true, dependencies: { "lmcache-connector-runtime": "*" } }, null, 2) + "\n",
    "tsconfig.json": JSON.stringify({ compilerOptions: { target: "ES2022", module: "Node16", strict: true, sourceMap: true, skipLibCheck: true } }, null, 2) + "\n",
    [STORE.file]: source,
    "lmcache-config.yaml": `chunk_size: 256
local_cpu: true
remote_url: "${STORE.url}"
remote_serde: "naive"
`
  });
  fs5.mkdirSync(path6.join(root, "node_modules"), { recursive: true });
  fs5.symlinkSync(path6.join(repoRoot, "runtime"), path6.join(root, "node_modules", "lmcache-connector-runtime"));
  return root;
}

// ../../tmp/probe2.ts
(async () => {
  const folder = connectorWorkspace("probe", "/work/main");
  const s = await VsCodeSession.start({ name: "probe", folder });
  try {
    const w = s.workbench;
    await w.openFile("src/e2e_store.ts");
    await w.runCommand("Testing: Focus on Test Explorer View");
    await w.page.waitForTimeout(3e3);
    console.log(await w.page.locator(".suggest-input-container").count(), await w.page.locator(".suggest-input-container").first().evaluate((e) => e.parentElement.parentElement.className));
    await w.page.locator(".suggest-input-container").first().click();
    await w.page.keyboard.press("Control+A");
    await w.page.keyboard.type("round");
    await w.page.waitForTimeout(1500);
    const rows = w.page.locator(".monaco-list-row");
    const n = await rows.count();
    for (let i = 0; i < n; i++) {
      const r = rows.nth(i);
      const cls = await r.evaluate((e) => e.closest(".pane-body")?.className + " | " + e.parentElement.closest("[class]")?.className);
      console.log(cls, "::", await r.getAttribute("aria-label"));
    }
    await w.screenshot("probe2");
  } catch (e) {
    console.error(e);
  } finally {
    await s.dispose();
  }
})();
