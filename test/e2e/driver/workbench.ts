/**
 * Drives VS Code's web workbench (served by code-server) through Debian's Chromium with
 * playwright-core: the command palette, Quick Open, the editor, the Problems panel, quick fixes,
 * and screenshots. Selectors are VS Code 1.100's DOM classes; each helper waits for what it needs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { CHROMIUM, README_SCREENSHOT_DIR, SCREENSHOT_DIR } from "./paths";

/** Chromium flags that keep it off the network and quiet on a headless server. */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** One row of the Problems panel. */
export interface ProblemRow {
  /** The row's accessible label (severity, message, position, source and code). */
  label: string;
  /** The rendered text. */
  text: string;
}

/** A browser page showing the workbench of one code-server. */
export class Workbench {
  private shot = 0;

  private constructor(
    private readonly browser: Browser,
    readonly page: Page,
    /** Screenshot sub-folder of this session (the scenario's name). */
    private readonly shotsName: string,
  ) {}

  /** Opens `url` (code-server with `?folder=`) in a new headless Chromium and waits for the workbench. */
  static async open(url: string, shotsName: string): Promise<Workbench> {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: process.env.LMCACHE_E2E_HEADED !== "1",
    });
    try {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      await page.goto(url, { waitUntil: "domcontentloaded", timeout: 60_000 });
      await page.locator(".monaco-workbench .part.statusbar").waitFor({ timeout: 90_000 });
      await page.locator(".monaco-workbench .part.editor").waitFor({ timeout: 30_000 });
      return new Workbench(browser, page, shotsName);
    } catch (error) {
      await browser.close();
      throw error;
    }
  }

  /** Closes the browser. */
  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
  }

  /** The quick input (command palette / Quick Open) widget. */
  private get quickInput(): Locator {
    return this.page.locator(".quick-input-widget");
  }

  /**
   * Runs a command by its palette title ("Category: Title") through F1, choosing the row whose
   * label is exactly `title`. Fails when no such command is offered.
   */
  async runCommand(title: string): Promise<void> {
    // Contributed commands reach the palette once the extension host has scanned the extensions,
    // and an open palette does not refresh: retry with a fresh palette for a while.
    const deadline = Date.now() + 45_000;
    for (;;) {
      await this.dismissQuickInput();
      await this.page.keyboard.press("F1");
      const input = this.quickInput.locator("input");
      await input.waitFor();
      await input.fill(`>${title}`);
      const row = this.quickInputRow(new RegExp(`^${escapeRegExp(title)}$`));
      try {
        await row.first().waitFor({ timeout: 5_000 });
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`command "${title}" is not in the command palette`, { cause: error });
        continue;
      }
      await row.first().click();
      return;
    }
  }

  /** Answers an open InputBox (or QuickPick with free text) and accepts it. */
  async answerInput(text: string): Promise<void> {
    const input = this.quickInput.locator("input");
    await input.waitFor();
    await input.fill(text);
    await input.press("Enter");
  }

  /** The rows of the quick input whose label contains (or matches) `label`. */
  private quickInputRow(label: string | RegExp): Locator {
    return this.quickInput.locator(".monaco-list-row", { has: this.page.locator(".label-name", { hasText: label }) });
  }

  private async dismissQuickInput(): Promise<void> {
    if (await this.quickInput.isVisible()) await this.page.keyboard.press("Escape");
  }

  /** Opens a workspace file by its path relative to the folder (Quick Open) and waits for its tab. */
  async openFile(relativePath: string): Promise<void> {
    await this.dismissQuickInput();
    await this.page.keyboard.press("Control+P");
    const input = this.quickInput.locator("input");
    await input.waitFor();
    await input.fill(relativePath);
    const base = path.basename(relativePath);
    const row = this.quickInputRow(base);
    await row.first().waitFor({ timeout: 20_000 });
    await input.press("Enter");
    await this.activeTab(base).waitFor();
    await this.page.locator(".editor-instance .monaco-editor .view-lines").first().waitFor();
  }

  /** The active editor tab, when its label is `name`. */
  activeTab(name: string): Locator {
    return this.page.locator(".tabs-container .tab.active", { hasText: name });
  }

  /** Error squiggles in the visible editor. */
  get errorSquiggles(): Locator {
    return this.page.locator(".editor-instance .monaco-editor .squiggly-error");
  }

  /** The visible editor's text (the rendered lines, in order). */
  async editorText(): Promise<string> {
    const lines = await this.page.locator(".editor-instance .monaco-editor .view-lines .view-line").allTextContents();
    return lines.join("\n").replace(/\u00a0/g, " ");
  }

  /** Shows the Problems panel and returns its rows (files and markers). */
  async readProblems(): Promise<ProblemRow[]> {
    await this.showProblems();
    const rows = this.page.locator(".markers-panel .monaco-list-row");
    const count = await rows.count();
    const out: ProblemRow[] = [];
    for (let i = 0; i < count; i++) {
      const row = rows.nth(i);
      out.push({ label: (await row.getAttribute("aria-label")) ?? "", text: (await row.textContent()) ?? "" });
    }
    return out;
  }

  /** Opens the Problems panel (View: Problems). */
  async showProblems(): Promise<void> {
    if (!(await this.page.locator(".markers-panel").isVisible())) {
      await this.runCommand("View: Toggle Problems");
    }
    await this.page.locator(".markers-panel").waitFor();
  }

  /** The status bar's problems summary (e.g. "Errors: 1, Warnings: 0"). */
  async statusProblems(): Promise<string> {
    return (await this.page.locator("#status\\.problems a").first().getAttribute("aria-label")) ?? "";
  }

  /** Moves the cursor to the given 1-based line and column of the active editor. */
  async goToLine(line: number, column = 1): Promise<void> {
    await this.runCommand("Go to Line/Column...");
    // The Go to Line input keeps its ":" prefix; without it the text would be a file search.
    await this.answerInput(`:${line}:${column}`);
    await this.page.locator("#status\\.editor\\.selection", { hasText: `Ln ${line}, Col ${column}` }).waitFor();
  }

  /**
   * Applies the quick fix titled `title` at the next problem of the active editor: F8 moves the
   * cursor to the problem, Ctrl+. opens the Quick Fix menu, the matching entry is chosen.
   */
  async applyQuickFix(title: string | RegExp): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press("F8");
    await this.page.locator(".marker-widget").waitFor();
    await this.page.keyboard.press("Escape");
    await this.page.keyboard.press("Control+.");
    // Walk the Quick Fix menu with the keyboard (a pointer block covers it for clicks).
    const menu = this.page.locator(".action-widget");
    await menu.locator(".monaco-list-row.action").first().waitFor({ timeout: 20_000 });
    const rows = await menu.locator(".monaco-list-row.action").count();
    for (let i = 0; i <= rows; i++) {
      const focused = (await menu.locator(".monaco-list-row.action.focused").getAttribute("aria-label").catch(() => null)) ?? "";
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
  async terminalText(): Promise<string> {
    const rows = await this.page.locator(".terminal-wrapper .xterm-rows > div").allTextContents();
    return rows.join("\n").replace(/\u00a0/g, " ");
  }

  /** The cursor position shown in the status bar ("Ln 46, Col 5"). */
  async cursorStatus(): Promise<string> {
    return ((await this.page.locator("#status\\.editor\\.selection").first().textContent()) ?? "").trim();
  }

  /** Gives the active editor keyboard focus. */
  async focusEditor(): Promise<void> {
    await this.page.locator(".editor-instance .monaco-editor textarea.inputarea, .editor-instance .monaco-editor .native-edit-context").first().focus();
  }

  /** Replaces the text of a 1-based line in the active editor (keeping its indentation) and saves. */
  async replaceLine(line: number, text: string): Promise<void> {
    await this.goToLine(line);
    await this.focusEditor();
    await this.page.keyboard.press("Home");
    await this.page.keyboard.press("Shift+End");
    await this.page.keyboard.insertText(text);
    await this.save();
  }

  /** Saves the active editor and waits until its tab is no longer dirty. */
  async save(): Promise<void> {
    await this.page.keyboard.press("Control+S");
    await this.page.locator(".tabs-container .tab.active.dirty").waitFor({ state: "detached" });
  }

  /**
   * Saves a screenshot as test-results/screenshots/<session>/<nn>-<name>.png and returns its path.
   * With `readme`, and when `LMCACHE_E2E_README_SHOTS=1`, also refreshes docs/screenshots/<readme>.png
   * (committed; not rewritten on every run so that test runs leave the tree clean).
   */
  async screenshot(name: string, readme?: string): Promise<string> {
    const dir = path.join(SCREENSHOT_DIR, this.shotsName);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${String(++this.shot).padStart(2, "0")}-${name}.png`);
    await this.page.screenshot({ path: file });
    if (readme && process.env.LMCACHE_E2E_README_SHOTS === "1") {
      fs.mkdirSync(README_SCREENSHOT_DIR, { recursive: true });
      await this.page.screenshot({ path: path.join(README_SCREENSHOT_DIR, `${readme}.png`), scale: "css" });
    }
    return file;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
