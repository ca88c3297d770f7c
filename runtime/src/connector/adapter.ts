/**
 * LMCache's `ConnectorAdapter` and `extract_plugin_type` (`connector/__init__.py`, Era B/C).
 * An adapter claims URLs by scheme and builds the connector for them.
 */
import type { RemoteConnector } from "./base-connector";
import type { ConnectorContext } from "./context";

/**
 * Brand that marks `ConnectorAdapter` subclasses (ours: LMCache uses `issubclass`). A registered
 * symbol, so a plugin compiled against another copy of this package is still recognised.
 */
export const ADAPTER_BRAND: unique symbol = Symbol.for("lmcache-connector-runtime.ConnectorAdapter") as never;

/**
 * Base class for adapters. LMCache instantiates adapter classes with NO arguments, so a subclass
 * constructor takes none and passes its scheme to `super("myscheme://")`.
 */
export abstract class ConnectorAdapter {
  static readonly [ADAPTER_BRAND] = true;

  /** The URL prefix this adapter claims, e.g. `"fs://"` (empty = claims nothing by default). */
  readonly schema: string;

  constructor(schema = "") {
    this.schema = schema;
  }

  /** Era B/C default: `schema !== "" && url.startsWith(schema)` — case-sensitive, on the raw URL. */
  canParse(url: string): boolean {
    return this.schema !== "" && url.startsWith(this.schema);
  }

  /** Build the (unwrapped) connector for `context.url`. May be async (ours; LMCache's is sync). */
  abstract createConnector(context: ConnectorContext): RemoteConnector | Promise<RemoteConnector>;
}

/** The class side of an adapter: constructible with no arguments. */
export type ConnectorAdapterClass = new () => ConnectorAdapter;

/** True when `value` is a class deriving from `ConnectorAdapter` (any copy of this package). */
export function isConnectorAdapterClass(value: unknown): value is ConnectorAdapterClass {
  return typeof value === "function" && (value as unknown as Record<symbol, unknown>)[ADAPTER_BRAND] === true;
}

const PLUGIN_SCHEME = "plugin://";

/**
 * The plugin name a `plugin://<name>` URL stands for, or `undefined` for any other URL. LMCache's
 * `RemoteBackend` builds that URL from its `plugin_name` and passes the name to `CreateConnector`
 * alongside it; the kit's harnesses start from the URL, so they recover the name here (ours).
 */
export function pluginNameFromUrl(url: string): string | undefined {
  return url.startsWith(PLUGIN_SCHEME) ? url.slice(PLUGIN_SCHEME.length) : undefined;
}

/** LMCache `extract_plugin_type`: the part before the first `.` (`"fs.primary"` → `"fs"`). */
export function extractPluginType(pluginName: string): string {
  const dot = pluginName.indexOf(".");
  return dot === -1 ? pluginName : pluginName.slice(0, dot);
}
