/**
 * The conformance score per connector, as a LanguageStatusItem shown while the connector's file is
 * open: "conformance 34/41, 2 advisories, 7 skipped" (passed / all cases; advisories are passes
 * with a finding LMCache does not rely on, counted apart), an error severity while any case fails,
 * a warning one while any pass has an advisory, and a click that opens the LMCache log. In Python files, one more item names the
 * interpreter Python connectors run with, torch's version and the `lmcache` in use (an error,
 * with a click to the setting, when it cannot run them).
 */
import * as vscode from "vscode";
import { connectorId, type ConnectorClass } from "./connectors";
import { COMMANDS, SETTINGS, SETTINGS_SECTION } from "./ids";
import { problemMessage, sourceText, statusText, type InterpreterInfo } from "./python-interpreter";

/** Counts over all of a connector's cases (cases not run yet count in `total` only). */
export interface Score {
  /** All passes, advisories included. */
  passed: number;
  /** Passes that carried an advisory finding (ours; included in `passed`). */
  advisories: number;
  failed: number;
  skipped: number;
  total: number;
}

/** The status text of a score. */
export function scoreText(score: Score): string {
  const advisories = score.advisories > 0 ? `, ${score.advisories} ${score.advisories === 1 ? "advisory" : "advisories"}` : "";
  return `conformance ${score.passed}/${score.total}${advisories}${score.skipped > 0 ? `, ${score.skipped} skipped` : ""}${score.failed > 0 ? `, ${score.failed} failed` : ""}`;
}

/** One language status item per connector that has been run. */
export class ConformanceStatus implements vscode.Disposable {
  private readonly items = new Map<string, vscode.LanguageStatusItem>();
  private readonly scores = new Map<string, Score>();
  private interpreter: vscode.LanguageStatusItem | undefined;

  /** Shows the Python interpreter in Python files. */
  showInterpreter(info: InterpreterInfo): void {
    if (!this.interpreter) {
      this.interpreter = vscode.languages.createLanguageStatusItem("lmcachePythonInterpreter", { language: "python" });
      this.interpreter.name = "LMCache: Python interpreter";
    }
    const item = this.interpreter;
    item.text = statusText(info);
    item.detail = info.problem ? problemMessage(info) : `${info.path} (${sourceText(info.source)}); ${info.lmcache?.source === "installed" ? "the installed LMCache" : "the kit's lmcache package (no LMCache installed)"}`;
    item.severity = info.problem ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information;
    item.command = { title: "Choose Interpreter", command: "workbench.action.openSettings", arguments: [`${SETTINGS_SECTION}.${SETTINGS.python}`] };
  }

  /** The interpreter item's text (tests, e2e). */
  get interpreterText(): string | undefined {
    return this.interpreter?.text;
  }

  /** Shows `score` for connector `c`. */
  update(c: ConnectorClass, score: Score): void {
    const id = connectorId(c);
    let item = this.items.get(id);
    if (!item) {
      item = vscode.languages.createLanguageStatusItem(`lmcacheConformance:${id}`, { pattern: c.file });
      item.name = `LMCache conformance: ${c.className}`;
      this.items.set(id, item);
    }
    item.text = `${c.className}: ${scoreText(score)}`;
    item.detail = c.modulePath;
    item.severity = score.failed > 0 ? vscode.LanguageStatusSeverity.Error : score.advisories > 0 ? vscode.LanguageStatusSeverity.Warning : vscode.LanguageStatusSeverity.Information;
    item.command = { title: "Show Output", command: COMMANDS.showOutput };
    this.scores.set(id, score);
  }

  /** The last score of a connector (tests, e2e). */
  score(id: string): Score | undefined {
    return this.scores.get(id);
  }

  /** The status text of a connector. */
  text(id: string): string | undefined {
    return this.items.get(id)?.text;
  }

  /** Drops the items of connectors that no longer exist. */
  retain(ids: ReadonlySet<string>): void {
    for (const [id, item] of this.items) {
      if (ids.has(id)) continue;
      item.dispose();
      this.items.delete(id);
      this.scores.delete(id);
    }
  }

  dispose(): void {
    this.interpreter?.dispose();
    for (const item of this.items.values()) item.dispose();
    this.items.clear();
  }
}
