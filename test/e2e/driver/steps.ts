/**
 * Workbench steps both e2e suites share (real-vscode and python-vscode): breakpoints, the paused
 * state, and the Test Explorer's filter and row states. One copy, so the two suites read the UI
 * the same way.
 */
import { expect } from "vitest";
import type { Workbench } from "./workbench";

/** The Playwright page of a workbench. */
export type PwPage = Workbench["page"];

/** How long a step waits for the UI (2 shared cores, a browser and a VS Code server per scenario). */
const UI_WAIT = 60_000;

/** Toggles a breakpoint on the 1-based `line` of the active editor and waits for its glyph. */
export async function setBreakpoint(workbench: Workbench, line: number): Promise<void> {
  await workbench.goToLine(line);
  await workbench.runCommand("Debug: Toggle Breakpoint");
  await workbench.page.locator(".editor-instance .codicon-debug-breakpoint").first().waitFor({ timeout: UI_WAIT });
}

/**
 * Waits until the call stack says "Paused on breakpoint" (any case: the python suite's copy
 * matched case-insensitively, the TS suite's exactly) and the cursor is on the 1-based `line`.
 */
export async function expectPausedOnBreakpointAt(workbench: Workbench, line: number): Promise<void> {
  await expect.poll(async () => (await workbench.page.locator(".debug-call-stack .monaco-list-row").allTextContents()).join(" "), { timeout: UI_WAIT }).toMatch(/Paused on breakpoint/i);
  await expect.poll(() => workbench.cursorStatus(), { timeout: UI_WAIT }).toMatch(new RegExp(`^Ln ${line}, Col \\d+`));
}

/** Types into the Test Explorer's filter (a small Monaco input in the view's title bar). */
export async function filterTests(page: PwPage, text: string): Promise<void> {
  await page.locator(".testing-filter-action-item .suggest-input-container").first().click();
  await page.keyboard.press("Control+A");
  if (text) await page.keyboard.insertText(text);
  else await page.keyboard.press("Backspace");
  await page.waitForTimeout(500);
}

/** Filters the Test Explorer for `title` and returns the state of the row labelled with it. */
export async function testRowState(page: PwPage, title: string): Promise<string> {
  await filterTests(page, title);
  const rows = page.locator(".part.sidebar .monaco-list-row");
  const n = await rows.count();
  for (let i = 0; i < n; i++) {
    const label = (await rows.nth(i).getAttribute("aria-label")) ?? "";
    const text = (await rows.nth(i).textContent()) ?? "";
    if (!text.includes(title)) continue;
    const state = /\((Passed|Failed|Errored|Skipped|Queued|Running|Not yet run)\)/.exec(label);
    return state ? state[1]! : "unknown";
  }
  return "missing";
}

/** Empties the Test Explorer's filter. */
export async function clearTestFilter(page: PwPage): Promise<void> {
  await filterTests(page, "");
}
