/** The extension's one output channel, a LogOutputChannel named "LMCache" (levels set by the user). */
import * as vscode from "vscode";
import { OUTPUT_CHANNEL_NAME } from "./ids";

/** Creates the "LMCache" log channel. */
export function createLog(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true });
}
