/**
 * The linter's diagnostic codes (ours). Each code is stable and has an anchor in
 * docs/diagnostics.md (`#lmc001` …); a test checks that the fixture workspace shows every code
 * listed here and that the doc has one anchor per code.
 */
import type { LintSeverity } from "./types";

/** A documented diagnostic code. */
export interface LintCodeInfo {
  code: string;
  severity: LintSeverity;
  title: string;
}

/** Every code the linter can report, in documentation order. */
export const LINT_CODES = {
  missingScheme: { code: "LMC001", severity: "error", title: "URL has no scheme" },
  noAdapter: { code: "LMC002", severity: "error", title: "No adapter for the URL's scheme" },
  multipleHosts: { code: "LMC003", severity: "error", title: "More than one host for an external connector" },
  missingHost: { code: "LMC004", severity: "error", title: "URL has no host" },
  missingPort: { code: "LMC005", severity: "error", title: "URL has no port" },
  invalidPort: { code: "LMC006", severity: "error", title: "Port is not an integer in 0-65535" },
  missingConnectorName: { code: "LMC007", severity: "error", title: "Missing or blank connector_name" },
  emptyModulePath: { code: "LMC008", severity: "error", title: "Empty module path" },
  malformedUrl: { code: "LMC009", severity: "error", title: "URL cannot be parsed" },
  notDottedPath: { code: "LMC010", severity: "error", title: "Module path is not a dotted identifier path" },
  moduleNotFound: { code: "LMC011", severity: "error", title: "No module found for the module path" },
  classNotFound: { code: "LMC012", severity: "error", title: "Class not defined in the module" },
  notAConnector: { code: "LMC013", severity: "error", title: "Class does not extend RemoteConnector" },
  missingAbstractMethod: { code: "LMC014", severity: "error", title: "Connector class misses an abstract method" },
  unknownPlugin: { code: "LMC015", severity: "error", title: "plugin:// URL without a remote_storage_plugins entry" },
  pluginKeysMissing: { code: "LMC016", severity: "error", title: "Plugin without module_path/class_name" },
  credentialsInUrl: { code: "LMC017", severity: "warning", title: "Credentials in a URL" },
  externalDeprecated: { code: "LMC018", severity: "information", title: "external:// is due for deprecation in LMCache v0.5.0" },
  duplicateConnectorName: { code: "LMC019", severity: "warning", title: "connector_name given more than once" },
  // Python connectors (issue 12 item 7): Python's own semantics, checked statically.
  pythonSyntaxError: { code: "LMC020", severity: "error", title: "Python module has a syntax error" },
  constructorSignature: { code: "LMC021", severity: "error", title: "Python connector's constructor does not accept LMCache's arguments" },
  methodNotAsync: { code: "LMC022", severity: "error", title: "Connector method LMCache awaits is a plain def" },
  methodNotSync: { code: "LMC023", severity: "error", title: "Connector method LMCache calls directly is async def" },
  inconsistentMro: { code: "LMC024", severity: "error", title: "Class bases have no consistent method resolution order" },
  // Config values, read by LMCache's own reader (config/read-config.ts; issue 14).
  configValue: { code: "LMC025", severity: "error", title: "Config value LMCache would crash on or turn into None" },
  unknownConfigKey: { code: "LMC026", severity: "warning", title: "Configuration key LMCache does not know (ignored)" },
} as const satisfies Record<string, LintCodeInfo>;

/** Key of {@link LINT_CODES}. */
export type LintCodeKey = keyof typeof LINT_CODES;

/** All codes as a list, in documentation order. */
export const ALL_LINT_CODES: readonly LintCodeInfo[] = Object.values(LINT_CODES);

/** The docs/diagnostics.md anchor of a code (`LMC005` → `lmc005`). */
export function lintCodeAnchor(code: string): string {
  return code.toLowerCase();
}
