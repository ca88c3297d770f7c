/** Reads the RemoteBackend / health settings from an LMCache config, with LMCache's defaults. */
import { getExtraConfigValue, pyTruthy, type LMCacheEngineConfig } from "../config";
import { getLogger } from "../logging";
import type { LMCacheMetadata } from "../metadata";
import { FALLBACK_POLICIES, type FallbackPolicy, type HealthCheckOptions } from "./health-check";
import type { RemoteBackendSettings } from "./remote-backend";
import type { RemoteMonitorOptions } from "./remote-monitor";

const logger = getLogger("lmcache.v1.health_monitor.checks.remote_backend_check");

/**
 * `blocking_timeout_secs`, `extra_config["use_exists_sync"]` (Python truthiness), `remote_serde`,
 * and the MLA worker-id-0 mode as RemoteBackend precomputes it:
 * `get_extra_config_value("remote_enable_mla_worker_id_as0", metadata.use_mla) and use_mla and
 * world_size > 1 and worker_id != 0`. A `blocking_timeout_secs` of None (a value the config
 * loader could not convert) would make LMCache wait for ever; the kit uses the default 10 (ours).
 */
export function remoteBackendSettings(config: LMCacheEngineConfig, metadata?: LMCacheMetadata): RemoteBackendSettings {
  const mla =
    metadata !== undefined &&
    pyTruthy(getExtraConfigValue(config, "remote_enable_mla_worker_id_as0", metadata.useMla)) &&
    metadata.useMla &&
    metadata.worldSize > 1 &&
    metadata.workerId !== 0;
  return {
    blockingTimeoutSecs: config.blockingTimeoutSecs ?? 10,
    useExistsSync: pyTruthy(getExtraConfigValue(config, "use_exists_sync", false)),
    remoteSerde: config.remoteSerde ?? "naive",
    mlaWorkerIdAs0: mla,
  };
}

function positiveSecs(config: LMCacheEngineConfig, key: string, def: number): number {
  const value = Number(getExtraConfigValue(config, key, def));
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`extra_config["${key}"] must be a positive number of seconds`);
  return value;
}

/** `extra_config["ping_interval"]` (30.0 s) and `["ping_timeout"]` (5.0 s). */
export function remoteMonitorOptions(config: LMCacheEngineConfig): RemoteMonitorOptions {
  return { pingIntervalSecs: positiveSecs(config, "ping_interval", 30.0), pingTimeoutSecs: positiveSecs(config, "ping_timeout", 5.0) };
}

/**
 * The newer health check's settings: `fallback_policy` (a string that is not a policy → LMCache's
 * warning and the default `recompute`), `remote_failed_threshold`, `waiting_time_for_recovery`
 * (which may be 0), `ping_timeout`, `check_put_timeout`, and the monitor's `ping_interval`.
 */
export function healthCheckOptions(config: LMCacheEngineConfig): HealthCheckOptions {
  const raw = getExtraConfigValue<unknown>(config, "fallback_policy", "recompute");
  let fallbackPolicy: FallbackPolicy = "recompute";
  if (typeof raw === "string" && (FALLBACK_POLICIES as readonly string[]).includes(raw)) fallbackPolicy = raw as FallbackPolicy;
  else if (typeof raw === "string") logger.warning(`Invalid fallback_policy '${raw}' for RemoteBackend, using default: FallbackPolicy.RECOMPUTE`);
  const threshold = Number(getExtraConfigValue(config, "remote_failed_threshold", 10));
  if (!Number.isFinite(threshold)) throw new TypeError(`extra_config["remote_failed_threshold"] must be a number`);
  const waiting = Number(getExtraConfigValue(config, "waiting_time_for_recovery", 300.0));
  if (!Number.isFinite(waiting) || waiting < 0) throw new TypeError(`extra_config["waiting_time_for_recovery"] must be a number of seconds ≥ 0`);
  return {
    fallbackPolicy,
    remoteFailedThreshold: threshold,
    waitingTimeForRecoverySecs: waiting,
    pingTimeoutSecs: positiveSecs(config, "ping_timeout", 5.0),
    checkPutTimeoutSecs: positiveSecs(config, "check_put_timeout", 5.0),
    pingIntervalSecs: positiveSecs(config, "ping_interval", 30.0),
  };
}

/**
 * Which era's health model the harness runs (ours; LMCache has no such switch — each LMCache
 * version has one of them): `extra_config["harness_health_model"]` = `"health_monitor"` (default:
 * the newer `HealthMonitor` + `RemoteBackendHealthCheck` with `fallback_policy`) or
 * `"remote_monitor"` (the older ping-only `RemoteMonitor`, which swaps in a blackhole connector).
 */
export type HealthModel = "health_monitor" | "remote_monitor";
export const HEALTH_MODEL_KEY = "harness_health_model";

export function healthModelOf(config: LMCacheEngineConfig): HealthModel {
  const raw = getExtraConfigValue<unknown>(config, HEALTH_MODEL_KEY, "health_monitor");
  if (raw === "health_monitor" || raw === "remote_monitor") return raw;
  throw new TypeError(`extra_config["${HEALTH_MODEL_KEY}"] must be "health_monitor" or "remote_monitor", got ${JSON.stringify(raw)}`);
}
