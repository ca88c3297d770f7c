/**
 * Reads the extension's contributions from the root package.json, so that scenarios for features
 * not contributed yet are gated (and announced loudly) instead of failing before the feature lands.
 * Once a feature is contributed its scenario runs and must pass.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "./paths";

interface Contributes {
  commands?: { command: string; title: string; category?: string }[];
  debuggers?: { type: string; label?: string }[];
}

function contributes(): Contributes {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { contributes?: Contributes };
  return manifest.contributes ?? {};
}

/** The palette title ("Category: Title") of a contributed command whose title matches, if any. */
export function contributedCommandTitle(title: RegExp): string | undefined {
  const command = (contributes().commands ?? []).find((c) => title.test(c.title));
  return command && (command.category ? `${command.category}: ${command.title}` : command.title);
}

/** Whether a debugger type is contributed. */
export function manifestHasDebugger(type: string): boolean {
  return (contributes().debuggers ?? []).some((d) => d.type === type);
}

/**
 * Returns `enabled` and, when false, prints a loud line saying which scenario did not run and why.
 * Use as `it.runIf(gate(...))`.
 */
export function gate(scenario: string, enabled: boolean, missing: string): boolean {
  if (!enabled) {
    console.warn(`\n!!!!! E2E SCENARIO NOT RUN: "${scenario}" — the extension does not contribute ${missing} yet (package.json). It will run as soon as it does. !!!!!\n`);
  }
  return enabled;
}
