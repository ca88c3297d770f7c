/**
 * Reads the extension's contributions from the root package.json: the scenarios drive the palette
 * by the contributed titles, and fail when a feature they cover is not contributed.
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
