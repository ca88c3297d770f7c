/**
 * Every identifier the manifest (root package.json `contributes`) and the code share: command ids,
 * setting keys and context keys. The manifest-contract test checks both sides against this list.
 */

/** The `contributes.configuration` section prefix. */
export const SETTINGS_SECTION = "lmcacheConnector";

/** Command ids contributed by the extension. */
export const COMMANDS = {
  showOutput: "lmcacheConnector.showOutput",
  relint: "lmcacheConnector.relint",
} as const;

/** Setting keys relative to {@link SETTINGS_SECTION}. */
export const SETTINGS = {
  lintEnable: "lint.enable",
  searchPaths: "searchPaths",
} as const;

/** Context keys set through `setContext` (used in `when` clauses). */
export const CONTEXT_KEYS = {
  active: "lmcacheConnector.active",
} as const;

/** Name of the extension's LogOutputChannel. */
export const OUTPUT_CHANNEL_NAME = "LMCache";
