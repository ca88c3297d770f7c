/**
 * LMCache's `DynamicConnectorAdapter` (`connector/__init__.py`, PR #2666): the adapter the
 * manager builds when a `remote_storage_plugin.<name>.class_name` names a `RemoteConnector`
 * subclass instead of a `ConnectorAdapter`.
 */
import { getLogger } from "../logging";
import { ConnectorAdapter, type ConnectorAdapterClass, extractPluginType } from "./adapter";
import { TypeError } from "../errors";
import type { ConnectorInit, RemoteConnector, RemoteConnectorClass } from "./base-connector";
import type { ConnectorContext } from "./context";
import { abstractMethodsError, missingAbstractMethods } from "../loader";

const logger = getLogger("lmcache.v1.storage_backend.connector");

const PLUGIN_PREFIX = "plugin://";

/**
 * Claims `plugin://<type>` URLs for one plugin and instantiates its connector class with
 * `{ loop, localCpuBackend, config }`.
 *
 * LMCache quirks reproduced:
 * - `canParse` first tests `url.startsWith("plugin://" + type)`, a PREFIX test, so a type-`fs`
 *   adapter also claims `plugin://fsx…`; otherwise any `plugin://<name>` whose type (part before
 *   the first `.`) equals this plugin's type matches (`plugin://fs.b` for plugin `fs.a`).
 * - `createConnector` does NOT pass `pluginName` to the connector (flagged by a reviewer bot in
 *   PR #2666), so every instance of one type gets the same arguments.
 */
export class DynamicConnectorAdapter extends ConnectorAdapter {
  /** The plugin instance name from `remote_storage_plugins` (e.g. `"fs.primary"`). */
  readonly pluginName: string;
  /** The connector class loaded from the plugin module. */
  readonly connectorClass: RemoteConnectorClass;

  constructor(pluginName: string, connectorClass: RemoteConnectorClass) {
    super(PLUGIN_PREFIX + extractPluginType(pluginName));
    this.pluginName = pluginName;
    this.connectorClass = connectorClass;
  }

  override canParse(url: string): boolean {
    if (url.startsWith(this.schema)) return true;
    if (url.startsWith(PLUGIN_PREFIX)) {
      return extractPluginType(url.slice(PLUGIN_PREFIX.length)) === extractPluginType(this.pluginName);
    }
    return false;
  }

  override createConnector(context: ConnectorContext): RemoteConnector {
    logger.info(`Creating dynamic connector ${this.pluginName} via ${this.connectorClass.name}`);
    return instantiateConnector(this.connectorClass, {
      loop: context.loop,
      localCpuBackend: context.localCpuBackend,
      config: context.config,
    });
  }
}

/**
 * `Cls(loop=…, local_cpu_backend=…, config=…)` with Python's ABC rule: a class that leaves an
 * abstract method (`exists`, `existsSync`, `get`, `put`, `list`, `close`) unimplemented cannot
 * be instantiated — `TypeError("Can't instantiate abstract class …")`. Shared by the external
 * and dynamic adapters.
 */
export function instantiateConnector(cls: RemoteConnectorClass, init: ConnectorInit): RemoteConnector {
  const missing = missingAbstractMethods(cls);
  if (missing.length > 0) throw abstractMethodsError(cls, missing);
  return new cls(init);
}

/** Python's wording for missing positional arguments: `'a'`, `'a' and 'b'`, `'a', 'b' and 'c'`. */
function quotedList(names: readonly string[]): string {
  const q = names.map((n) => `'${n}'`);
  return q.length <= 1 ? q.join("") : `${q.slice(0, -1).join(", ")} and ${q[q.length - 1]}`;
}

/** The names of a class constructor's required parameters (those before the first default), best effort. */
function requiredParameterNames(cls: Function): string[] {
  const required = cls.length;
  if (required === 0) return [];
  const m = /constructor\s*\(([^)]*)\)/.exec(Function.prototype.toString.call(cls));
  const names = (m?.[1] ?? "").split(",").map((p) => p.trim().replace(/^(?:public|private|protected|readonly)\s+/g, "").split(/[\s=:]/)[0]!).filter(Boolean);
  return names.length >= required ? names.slice(0, required) : Array.from({ length: required }, (_, i) => `arg${i}`);
}

/**
 * `loaded_class()` for a plugin's `ConnectorAdapter` subclass, with Python's failures (which the
 * manager logs as "Failed to create remote connector <name> adapter: …" and skips): a class that
 * leaves `createConnector` abstract cannot be instantiated, and one whose constructor needs
 * arguments gets none (`TypeError: X.__init__() missing 1 required positional argument: 'x'`).
 */
export function instantiateAdapter(cls: ConnectorAdapterClass): ConnectorAdapter {
  const proto = (cls as { prototype?: Record<string, unknown> }).prototype;
  if (typeof proto?.["createConnector"] !== "function") {
    throw new TypeError(`Can't instantiate abstract class ${cls.name || "<anonymous>"} with abstract method create_connector`);
  }
  const missing = requiredParameterNames(cls);
  if (missing.length > 0) {
    const plural = missing.length === 1 ? "argument" : "arguments";
    throw new TypeError(`${cls.name || "<anonymous>"}.__init__() missing ${missing.length} required positional ${plural}: ${quotedList(missing)}`);
  }
  return new cls();
}
