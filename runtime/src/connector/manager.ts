/**
 * LMCache's `ConnectorManager` (`connector/__init__.py`, newest copy): an ordered list of
 * adapters — built-ins first, then plugin adapters — and "first adapter that can parse the URL wins".
 */
import { AttributeError, ValueError } from "../errors";
import { getLogger } from "../logging";
import { isRemoteConnectorClass, loadModule } from "../loader";
import type { LMCacheEngineConfig } from "../config/engine-config";
import { ConnectorAdapter, type ConnectorAdapterClass, isConnectorAdapterClass } from "./adapter";
import { type RemoteConnector, type RemoteConnectorClass, errorText } from "./base-connector";
import { ConnectorContext, type ConnectorContextOptions } from "./context";
import { redactUrl } from "./redact";
import { DynamicConnectorAdapter, instantiateAdapter } from "./dynamic-adapter";
import { pythonPluginAdapter } from "../python/plugin-adapter";
import { connectorLanguage } from "../python/resolve";
import { ExternalConnectorAdapter, type ModuleLoadOptions } from "./external-adapter";
import { AuditConnectorAdapter } from "./adapters/audit-adapter";
import { BlackholeConnectorAdapter } from "./adapters/blackhole-adapter";
import { FsConnectorAdapter } from "./adapters/fs-adapter";
import { MemoryConnectorAdapter } from "./adapters/memory-adapter";
import { MockConnectorAdapter } from "./adapters/mock-adapter";
import { RedisConnectorAdapter } from "./adapters/redis-adapter";
import { UpstreamOnlyAdapter } from "./adapters/upstream-only-adapter";
import { UPSTREAM_SCHEMES } from "./upstream-schemes";

const logger = getLogger("lmcache.v1.storage_backend.connector");

/** Options of `ConnectorManager.create`: LMCache's constructor arguments plus module-loading options (ours). */
export interface ConnectorManagerOptions extends ConnectorContextOptions, ModuleLoadOptions {}

/**
 * The built-in adapters, keyed by the module file name LMCache would discover them under: one per
 * row of `UPSTREAM_SCHEMES` (upstream's adapters plus the kit's `memory://`), the kit's own port
 * where it has one, else an `UpstreamOnlyAdapter` that names LMCache's connector. Built lazily
 * (adapters import `createConnector`, which imports this module).
 */
function builtinAdapterModules(loadOptions: ModuleLoadOptions): [string, () => ConnectorAdapter][] {
  const ported: Record<string, () => ConnectorAdapter> = {
    AuditConnectorAdapter: () => new AuditConnectorAdapter(loadOptions),
    BlackholeConnectorAdapter: () => new BlackholeConnectorAdapter(),
    ExternalConnectorAdapter: () => new ExternalConnectorAdapter(loadOptions),
    FsConnectorAdapter: () => new FsConnectorAdapter(),
    MemoryConnectorAdapter: () => new MemoryConnectorAdapter(),
    MockConnectorAdapter: () => new MockConnectorAdapter(),
    RedisConnectorAdapter: () => new RedisConnectorAdapter(),
  };
  return UPSTREAM_SCHEMES.map((entry) => [entry.adapterModule, ported[entry.adapterClass] ?? (() => new UpstreamOnlyAdapter(entry))]);
}

/** Python `str.__lt__` on ASCII module names: code-unit order, as `pkgutil.iter_modules` sorts files. */
function byModuleName(a: [string, unknown], b: [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/**
 * Builds the adapter list and creates connectors. A fresh manager (fresh adapters, fresh module
 * loads) is built for every `createConnector` call, as in LMCache.
 *
 * Order: built-ins sorted by module file name like `pkgutil` (`audit`, `azure`, `benchmark`, …,
 * `memory` (ours), `mock`, …, `redis`, …, `valkey`) — then one adapter per plugin in
 * `config.remoteStoragePlugins`.
 * Plugin names go through a `Set` as in LMCache; Python's set iteration order for strings is
 * randomised per process, ours is first-occurrence order (duplicates collapse either way).
 * Nothing here throws while discovering: failures are logged with LMCache's texts and skipped.
 */
export class ConnectorManager {
  readonly context: ConnectorContext;
  readonly adapters: ConnectorAdapter[] = [];
  private readonly loadOptions: ModuleLoadOptions;

  private constructor(options: ConnectorManagerOptions) {
    logger.info("Initializing ConnectorManager");
    this.context = new ConnectorContext(options);
    this.loadOptions = { cwd: options.cwd, searchPaths: options.searchPaths };
  }

  /** LMCache's constructor (async here because plugin modules load asynchronously). */
  static async create(options: ConnectorManagerOptions): Promise<ConnectorManager> {
    const manager = new ConnectorManager(options);
    manager.remoteAdaptersBuiltinLauncher();
    await manager.remoteAdaptersPluginLauncher(manager.context.config);
    return manager;
  }

  private remoteAdaptersBuiltinLauncher(): void {
    for (const [moduleName, make] of builtinAdapterModules(this.loadOptions).sort(byModuleName)) {
      try {
        const adapter = make();
        this.adapters.push(adapter);
        logger.info(`Discovered adapter: ${adapter instanceof UpstreamOnlyAdapter ? adapter.entry.adapterClass : adapter.constructor.name}`);
      } catch (error) {
        logger.error(`Failed to instantiate adapter ${moduleName}: ${errorText(error)}`);
      }
    }
  }

  private async remoteAdaptersPluginLauncher(config: LMCacheEngineConfig | null): Promise<void> {
    if (config === null || config === undefined) {
      logger.warning("Configuration not available to parse remote connector adapters.");
      return;
    }
    const plugins = new Set<string>(config.remoteStoragePlugins ?? []);
    for (const plugin of plugins) {
      try {
        const extraConfig = config.extraConfig;
        const hasExtra = extraConfig !== null && extraConfig !== undefined && Object.keys(extraConfig).length > 0;
        const modulePath = hasExtra ? extraConfig[`remote_storage_plugin.${plugin}.module_path`] : undefined;
        const className = hasExtra ? extraConfig[`remote_storage_plugin.${plugin}.class_name`] : undefined;

        if (!modulePath || !className) {
          // Skip silently when a built-in adapter already handles this plugin type.
          const pluginUrl = `plugin://${plugin}`;
          if (this.adapters.some((a) => a.canParse(pluginUrl))) continue;
          logger.warning(`Remote connector ${plugin} missing adapter module_path or class_name`);
          continue;
        }

        // A plugin module that resolves to Python is sorted by the bridge (python/plugin-adapter.ts; ours).
        if (connectorLanguage(String(modulePath), this.loadOptions) === "python") {
          const pythonAdapter = await pythonPluginAdapter(plugin, String(modulePath), String(className), this.loadOptions);
          if (pythonAdapter === null) {
            logger.warning(`Remote connector ${plugin} class ${String(className)} is neither a ConnectorAdapter nor a RemoteConnector subclass`);
            continue;
          }
          this.adapters.push(pythonAdapter);
          logger.info(`Discovered adapter: ${String(className)}`);
          continue;
        }
        const module = (await loadModule(String(modulePath), this.loadOptions)) as Record<string, unknown>;
        const loaded = module[String(className)];
        if (loaded === undefined) {
          throw new AttributeError(`module '${String(modulePath)}' has no attribute '${String(className)}'`);
        }

        let adapter: ConnectorAdapter;
        if (isConnectorAdapterClass(loaded)) {
          adapter = instantiateAdapter(loaded as ConnectorAdapterClass);
        } else if (isRemoteConnectorClass(loaded)) {
          adapter = new DynamicConnectorAdapter(plugin, loaded as RemoteConnectorClass);
        } else {
          logger.warning(
            `Remote connector ${plugin} class ${String(className)} is neither a ConnectorAdapter nor a RemoteConnector subclass`,
          );
          continue;
        }
        this.adapters.push(adapter);
        logger.info(`Discovered adapter: ${(loaded as { name: string }).name}`);
      } catch (error) {
        const name = error instanceof Error ? error.name : "";
        if (name === "ImportError" || name === "ModuleNotFoundError" || name === "AttributeError") {
          logger.error(`Failed to load remote connector ${plugin} due to import/attribute error: ${errorText(error)}`);
        } else {
          logger.error(`Failed to create remote connector ${plugin} adapter: ${errorText(error)}`);
        }
      }
    }
  }

  /**
   * The connector from the FIRST adapter whose `canParse(url)` is true (unwrapped). No match →
   * `ValueError("No adapter found for URL: <url>")` (ours: the password redacted, `redactUrl`;
   * LMCache prints the URL whole, here and in the "Creating connector" line). Neither `postInit` nor any chunk-meta hook
   * is called (Era B/C).
   */
  async createConnector(): Promise<RemoteConnector> {
    for (const adapter of this.adapters) {
      if (adapter.canParse(this.context.url)) {
        logger.info(`Creating connector for URL: ${redactUrl(this.context.url)}`);
        return await adapter.createConnector(this.context);
      }
    }
    throw new ValueError(`No adapter found for URL: ${redactUrl(this.context.url)}`);
  }
}
