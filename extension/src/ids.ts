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
  newProject: "lmcacheConnector.newProject",
  addConnectorClass: "lmcacheConnector.addConnectorClass",
  debugFailure: "lmcacheConnector.debugFailure",
  refreshConnectors: "lmcacheConnector.refreshConnectors",
} as const;

/** The debug type contributed in `contributes.debuggers` (resolved to a `node` launch). */
export const DEBUG_TYPE = "lmcache-connector";

/**
 * The debug type of a Python connector's side under debugpy: its adapter is debugpy's own, reached
 * as a `DebugAdapterServer` on 127.0.0.1 (python-debug.ts); no Python extension is needed.
 */
export const PYTHON_DEBUG_TYPE = "lmcache-connector-python";

/** Name of the initial/dynamic launch configuration (kept stable: e2e tests pick it by name). */
export const RUN_AGAINST_LOCAL_CACHE = "Run against local cache";

/** Id of the one TestController. */
export const TEST_CONTROLLER_ID = "lmcacheConnector.conformance";

/** `TestMessage.contextValue` of conformance failures (the "Debug this failure" menu keys on it). */
export const FAILURE_CONTEXT_VALUE = "lmcacheConformanceFailure";

/** Setting keys relative to {@link SETTINGS_SECTION}. */
export const SETTINGS = {
  lintEnable: "lint.enable",
  searchPaths: "searchPaths",
  python: "python",
} as const;

/** Context keys set through `setContext` (used in `when` clauses). */
export const CONTEXT_KEYS = {
  active: "lmcacheConnector.active",
} as const;

/** Name of the extension's LogOutputChannel. */
export const OUTPUT_CHANNEL_NAME = "LMCache";
