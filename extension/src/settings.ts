/** Reads the extension's settings (`lmcacheConnector.*`) for one resource. */
import * as vscode from "vscode";
import { SETTINGS, SETTINGS_SECTION } from "./ids";

/** The settings the extension reads. */
export interface Settings {
  /** `lmcacheConnector.lint.enable`: show connector-URL diagnostics (default true). */
  lintEnabled: boolean;
  /** `lmcacheConnector.searchPaths`: extra module roots, like PYTHONPATH (relative to the workspace folder). */
  searchPaths: string[];
}

/** Settings in effect for `scope` (a document's URI, or the window when omitted). */
export function readSettings(scope?: vscode.Uri): Settings {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  const searchPaths = config.get<unknown>(SETTINGS.searchPaths, []);
  return {
    lintEnabled: config.get<boolean>(SETTINGS.lintEnable, true) !== false,
    searchPaths: Array.isArray(searchPaths) ? searchPaths.filter((p): p is string => typeof p === "string" && p.trim() !== "") : [],
  };
}

/** Whether a configuration change touches any of our settings. */
export function affectsSettings(event: vscode.ConfigurationChangeEvent): boolean {
  return event.affectsConfiguration(SETTINGS_SECTION);
}
