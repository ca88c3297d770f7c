/** Reads the RemoteBackend / RemoteMonitor settings from an LMCache config, with LMCache's defaults. */
import { getExtraConfigValue, pyTruthy, type LMCacheEngineConfig } from "../config";
import type { RemoteBackendSettings } from "./remote-backend";
import type { RemoteMonitorOptions } from "./remote-monitor";

/** `blocking_timeout_secs`, `extra_config["use_exists_sync"]` (Python truthiness), `remote_serde`. */
export function remoteBackendSettings(config: LMCacheEngineConfig): RemoteBackendSettings {
  return {
    blockingTimeoutSecs: config.blockingTimeoutSecs ?? 10,
    useExistsSync: pyTruthy(getExtraConfigValue(config, "use_exists_sync", false)),
    remoteSerde: config.remoteSerde ?? "naive",
  };
}

/** `extra_config["ping_interval"]` (30.0 s) and `["ping_timeout"]` (5.0 s). */
export function remoteMonitorOptions(config: LMCacheEngineConfig): RemoteMonitorOptions {
  const num = (key: string, def: number): number => {
    const value = Number(getExtraConfigValue(config, key, def));
    if (!Number.isFinite(value) || value <= 0) throw new TypeError(`extra_config["${key}"] must be a positive number of seconds`);
    return value;
  };
  return { pingIntervalSecs: num("ping_interval", 30.0), pingTimeoutSecs: num("ping_timeout", 5.0) };
}
