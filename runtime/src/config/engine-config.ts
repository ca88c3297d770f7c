/**
 * `LMCacheEngineConfig`: LMCache's engine configuration with its YAML keys as camelCase fields
 * (`chunk_size` → `chunkSize`), LMCache's defaults, `get_extra_config_value` and the Era C
 * `resolve_save_chunk_meta` rule.
 */
import { ValueError } from "../errors";
import { getLogger } from "../logging";
import { CONFIG_DEFINITIONS, camelKey, type AllConfigFields } from "./definitions";
import { pyTruthy } from "./python-values";

const logger = getLogger("lmcache.v1.config");

/**
 * The engine configuration a connector receives (`config` in its constructor). Every key of
 * LMCache's `_CONFIG_DEFINITIONS` is present; the ones a connector usually reads are documented here.
 */
export interface LMCacheEngineConfig extends AllConfigFields {
  /** `chunk_size`: tokens per chunk (default 256). */
  chunkSize: number;
  /** `local_cpu`: enables the CPU hot cache; the allocator exists either way (default true). */
  localCpu: boolean;
  /** `max_local_cpu_size`: allocator size in GB (default 5.0). */
  maxLocalCpuSize: number;
  /** `reserve_local_cpu_size`: GB (default 0). */
  reserveLocalCpuSize: number;
  /** `local_disk`: path or null; a `file://…/` prefix is stripped. */
  localDisk: string | null;
  /** `max_local_disk_size`: GB (default 0). */
  maxLocalDiskSize: number;
  /** `remote_url`: deprecated in favour of `remote_storage_plugins` (default null). */
  remoteUrl: string | null;
  /** `remote_serde`: `naive` (default), `kivi`, `cachegen`. */
  remoteSerde: string | null;
  /** `remote_storage_plugins`: plugin names (`type` or `type.instance`); env value comma-separated. */
  remoteStoragePlugins: string[] | null;
  /** `storage_plugins` (deprecated alias `external_backends`). */
  storagePlugins: string[] | null;
  /** `extra_config`: free-form settings; connectors read theirs from here (env value is JSON). */
  extraConfig: Record<string, unknown> | null;
  /** `blocking_timeout_secs`: get / batched-get / async-contains timeout (default 10). */
  blockingTimeoutSecs: number;
  /** `cache_policy`: `LRU` (default), `LFU`, `FIFO`, `MRU`, `COST_AWARE`. */
  cachePolicy: string;
  /** `save_unfull_chunk` (default false; forced true with blending). */
  saveUnfullChunk: boolean;
  /** `use_layerwise` (default false): affects `save_chunk_meta` and memory formats. */
  useLayerwise: boolean;
  /** `enable_async_loading` (default false). */
  enableAsyncLoading: boolean;
  /** `lookup_timeout_ms` (default 3000). */
  lookupTimeoutMs: number;
  /** `audit_actual_remote_url`: deprecated, prefer `extra_config["audit_actual_remote_url"]`. */
  auditActualRemoteUrl: string | null;
  /** `min_retrieve_tokens` (default 0; negative is rejected by `validate`). */
  minRetrieveTokens: number;
}

/** LMCache's defaults for every key. */
export function defaultEngineConfig(): LMCacheEngineConfig {
  const config: Record<string, unknown> = {};
  for (const [key, , def] of CONFIG_DEFINITIONS) config[camelKey(key)] = def;
  return config as unknown as LMCacheEngineConfig;
}

/** A config with LMCache's defaults, then `overrides` (camelCase fields, values already typed). */
export function createEngineConfig(overrides: Partial<LMCacheEngineConfig> = {}): LMCacheEngineConfig {
  const config = { ...defaultEngineConfig(), ...overrides };
  validateEngineConfig(config);
  return config;
}

/**
 * The checks of LMCache's `validate()` that concern a single process without PD/P2P/controller:
 * `min_retrieve_tokens >= 0`, and blending forcing `save_unfull_chunk = True` (with its warning).
 */
export function validateEngineConfig(config: LMCacheEngineConfig): LMCacheEngineConfig {
  if (config.minRetrieveTokens < 0) {
    throw new ValueError(`min_retrieve_tokens must be >= 0, got ${config.minRetrieveTokens}`);
  }
  if (config.enableBlending && !config.saveUnfullChunk) {
    logger.warning("Automatically setting save_unfull_chunk=True because enable_blending=True");
    config.saveUnfullChunk = true;
  }
  return config;
}

/** LMCache `config.get_extra_config_value(key, default)`: `default` when `extra_config` is null or lacks the key. */
export function getExtraConfigValue<T = unknown>(config: LMCacheEngineConfig | null | undefined, key: string, defaultValue: T | null = null): T | null {
  const extra = config?.extraConfig;
  if (extra === null || extra === undefined) return defaultValue;
  return Object.prototype.hasOwnProperty.call(extra, key) ? (extra[key] as T) : defaultValue;
}

/**
 * LMCache Era C `resolve_save_chunk_meta(config)`: an explicit `extra_config.save_chunk_meta`
 * always wins, by Python truthiness (so the STRING "false" counts as true, as in LMCache);
 * else true when `extra_config` is null; else true when `use_layerwise`; else the default true.
 */
export function resolveSaveChunkMeta(config: LMCacheEngineConfig | null | undefined): boolean {
  const extra = config?.extraConfig ?? null;
  if (extra !== null && Object.prototype.hasOwnProperty.call(extra, "save_chunk_meta")) {
    return pyTruthy(extra["save_chunk_meta"]);
  }
  if (extra === null) return true;
  if (config?.useLayerwise) return true;
  return pyTruthy(extra["save_chunk_meta"] ?? true);
}
