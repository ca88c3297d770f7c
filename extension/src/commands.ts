/** The contributed commands ("LMCache: …"). */
import * as vscode from "vscode";
import { COMMANDS } from "./ids";
import type { DiagnosticsService } from "./diagnostics";

/** Registers the commands; the returned disposables unregister them. */
export function registerCommands(log: vscode.LogOutputChannel, diagnostics: DiagnosticsService): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.showOutput, () => log.show(true)),
    vscode.commands.registerCommand(COMMANDS.relint, async () => {
      const n = await diagnostics.relintOpen();
      log.info(`re-linted ${n} open document(s)`);
      return n;
    }),
  ];
}
