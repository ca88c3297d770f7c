/**
 * LMCache's `CreateConnector(url, loop, local_cpu_backend, config=None, metadata=None, plugin_name=None)`.
 */
import { ValueError } from "../errors";
import type { LMCacheEngineConfig } from "../config/engine-config";
import type { LMCacheMetadata } from "../metadata";
import type { LocalCPUBackend } from "../storage-backend/local-cpu-backend";
import { EventLoop } from "./event-loop";
import { InstrumentedRemoteConnector } from "./instrumented-connector";
import { ConnectorManager } from "./manager";
import { redactUrl } from "./redact";

/** Options of `createConnector`. */
export interface CreateConnectorOptions {
  /** The event loop handed to connectors (default: a new `EventLoop`). */
  loop?: EventLoop;
  /** The CPU buffer `get` allocates from; `null` = scheduler role (a `SafeLocalCPUBackend` stands in). */
  localCpuBackend: LocalCPUBackend | null;
  config?: LMCacheEngineConfig | null;
  metadata?: LMCacheMetadata | null;
  /** Era C plugin instance name (RemoteBackend passes it with `plugin://<name>` URLs). */
  pluginName?: string | null;
  /** Directory module paths (`external://`, plugins) resolve against (ours; default `process.cwd()`). */
  cwd?: string;
  /** Extra module search directories (ours; like `sys.path` entries). */
  searchPaths?: string[];
}

/**
 * Builds the connector for `url` and wraps it in an `InstrumentedRemoteConnector`.
 * The only URL check is LMCache's: no `"://"` → `ValueError("Invalid remote url <url>: missing scheme")`.
 * A fresh `ConnectorManager` is built on every call (fresh adapters, fresh plugin loads).
 */
export async function createConnector(url: string, options: CreateConnectorOptions): Promise<InstrumentedRemoteConnector> {
  if (!url.includes("://")) {
    // ours: the URL with its password masked (`admin:pw@db:6379` names one even without a scheme)
    throw new ValueError(`Invalid remote url ${redactUrl(url)}: missing scheme`);
  }
  const manager = await ConnectorManager.create({
    url,
    loop: options.loop ?? new EventLoop(),
    localCpuBackend: options.localCpuBackend ?? null,
    config: options.config ?? null,
    metadata: options.metadata ?? null,
    pluginName: options.pluginName ?? null,
    cwd: options.cwd,
    searchPaths: options.searchPaths,
  });
  const connector = await manager.createConnector();
  return new InstrumentedRemoteConnector(connector);
}
