/**
 * LMCache's `_CONFIG_DEFINITIONS` (`lmcache/v1/config.py`, newest read [000620e3]): every YAML key,
 * its default and the converter LMCache applies to it, plus `_CONFIG_ALIASES` / `_DEPRECATED_CONFIGS`.
 * All of LMCache's keys are listed (not just the connector ones) so that a real LMCache YAML file
 * loads here without spurious "Unknown configuration key" warnings.
 */

/** The converter (`env_converter`) LMCache attaches to a key. */
export type ConfigKind =
  | "int" | "float" | "bool" | "str" | "strList" | "intList" | "floatList"
  | "json" | "localDisk" | "none" | "pluginLocations" | "hiddenStatesMode";

/** TypeScript type of a converted value, per converter (`null` where LMCache allows None). */
export interface ConfigKindType {
  int: number | null;
  float: number | null;
  bool: boolean;
  str: string | null;
  strList: string[] | null;
  intList: number[] | null;
  floatList: number[] | null;
  json: Record<string, unknown> | null;
  localDisk: string | null;
  none: unknown;
  pluginLocations: string[] | null;
  hiddenStatesMode: string;
}

export const CONFIG_DEFINITIONS = [
  ["chunk_size", "int", 256],
  ["local_cpu", "bool", true],
  ["max_local_cpu_size", "float", 5.0],
  ["local_cpu_use_hugepages", "bool", false],
  ["reserve_local_cpu_size", "float", 0.0],
  ["local_disk", "localDisk", null],
  ["local_disk_path_sharding", "str", "by_gpu"],
  ["max_local_disk_size", "float", 0.0],
  ["remote_url", "str", null],
  ["remote_serde", "str", "naive"],
  ["use_layerwise", "bool", false],
  ["save_decode_cache", "bool", false],
  ["pre_caching_hash_algorithm", "str", "builtin"],
  ["enable_blending", "bool", false],
  ["blend_recompute_ratios", "floatList", null],
  ["blend_thresholds", "floatList", null],
  ["blend_check_layers", "intList", null],
  ["blend_min_tokens", "int", 256],
  ["blend_special_str", "str", " # # "],
  ["retrieve_locations", "none", null],
  ["store_location", "none", null],
  ["enable_p2p", "bool", false],
  ["p2p_host", "str", null],
  ["p2p_init_ports", "intList", null],
  ["p2p_lookup_ports", "intList", null],
  ["mp_host", "str", null],
  ["mp_port", "int", 5555],
  ["enable_controller", "bool", false],
  ["lmcache_instance_id", "str", null],
  ["controller_pull_url", "str", null],
  ["controller_reply_url", "str", null],
  ["lmcache_worker_ports", "intList", null],
  ["lmcache_worker_ids", "intList", null],
  ["lmcache_worker_heartbeat_delay_time", "int", 10],
  ["lmcache_worker_heartbeat_time", "int", null],
  ["enable_pd", "bool", false],
  ["pd_role", "str", null],
  ["pd_buffer_size", "int", null],
  ["pd_buffer_device", "str", null],
  ["pd_peer_host", "str", null],
  ["pd_peer_init_port", "intList", null],
  ["pd_peer_alloc_port", "intList", null],
  ["pd_peer_query_port", "intList", null],
  ["pd_proxy_host", "str", null],
  ["pd_proxy_port", "int", null],
  ["pd_allocation_timeout_sec", "float", Infinity],
  ["pd_shutdown_timeout_sec", "float", 5.0],
  ["pd_condition_poll_interval_sec", "float", 0.005],
  ["pd_max_prefill_len", "int", 0],
  ["pd_backend_mode", "str", "async"],
  ["pd_skip_proxy_notification", "bool", false],
  ["pd_bidirectional", "bool", false],
  ["transfer_channel", "str", null],
  ["nixl_backends", "strList", null],
  ["nixl_buffer_size", "int", null],
  ["nixl_buffer_device", "str", null],
  ["gds_path", "str", null],
  ["gds_path_sharding", "str", "by_gpu"],
  ["gds_buffer_size", "int", null],
  ["maru_path", "str", null],
  ["maru_pool_size", "float", 4.0],
  ["use_gds", "bool", true],
  ["gds_backend", "str", "cufile"],
  ["audit_actual_remote_url", "str", null],
  ["internal_api_server_host", "str", "0.0.0.0"],
  ["extra_config", "json", null],
  ["save_unfull_chunk", "bool", false],
  ["blocking_timeout_secs", "int", 10],
  ["external_lookup_client", "str", null],
  ["py_enable_gc", "bool", true],
  ["cache_policy", "str", "LRU"],
  ["cost_aware_half_life_seconds", "float", 60.0],
  ["cost_aware_ewma_alpha", "float", 0.2],
  ["numa_mode", "str", null],
  ["enable_async_loading", "bool", false],
  ["internal_api_server_enabled", "bool", false],
  ["internal_api_server_port_start", "int", 6999],
  ["priority_limit", "int", null],
  ["internal_api_server_include_index_list", "intList", null],
  ["internal_api_server_socket_path_prefix", "str", null],
  ["runtime_plugin_locations", "pluginLocations", null],
  ["storage_plugins", "strList", null],
  ["remote_storage_plugins", "strList", null],
  ["lookup_timeout_ms", "int", 3000],
  ["min_retrieve_tokens", "int", 0],
  ["hit_miss_ratio", "float", null],
  ["lookup_server_worker_ids", "intList", null],
  ["enable_scheduler_bypass_lookup", "bool", false],
  ["script_allowed_imports", "strList", null],
  ["enable_lazy_memory_allocator", "bool", false],
  ["lazy_memory_initial_ratio", "float", 0.2],
  ["lazy_memory_expand_trigger_ratio", "float", 0.5],
  ["lazy_memory_step_ratio", "float", 0.1],
  ["lazy_memory_safe_size", "float", 0.0],
  ["enable_chunk_statistics", "bool", false],
  ["chunk_statistics_auto_start_statistics", "bool", false],
  ["chunk_statistics_auto_exit_timeout_hours", "float", 0.0],
  ["chunk_statistics_auto_exit_target_unique_chunks", "int", 0],
  ["chunk_statistics_strategy", "str", "memory_bloom_filter"],
  ["enable_kv_events", "bool", false],
  ["use_gpu_connector_v3", "bool", false],
  ["pin_timeout_sec", "int", 300],
  ["pin_check_interval_sec", "int", 30],
  ["remote_config_url", "str", null],
  ["app_id", "str", null],
  ["enable_hidden_state_cache", "bool", false],
  ["max_hidden_state_cpu_size", "float", 2.0],
  ["hidden_state_layers", "intList", null],
  ["hidden_states_retrieve_mode", "hiddenStatesMode", "prefix_strict"],
] as const satisfies readonly (readonly [string, ConfigKind, unknown])[];

/** `_CONFIG_ALIASES`: deprecated name → current name. */
export const CONFIG_ALIASES: Readonly<Record<string, string>> = {
  enable_xpyd: "enable_pd",
  nixl_peer_host: "pd_peer_host",
  nixl_peer_init_port: "pd_peer_init_port",
  nixl_peer_alloc_port: "pd_peer_alloc_port",
  nixl_proxy_host: "pd_proxy_host",
  nixl_proxy_port: "pd_proxy_port",
  nixl_buffer_size: "pd_buffer_size",
  nixl_role: "pd_role",
  controller_url: "controller_pull_url",
  lmcache_worker_port: "lmcache_worker_ports",
  plugin_locations: "runtime_plugin_locations",
  external_backends: "storage_plugins",
};

/**
 * `_DEPRECATED_CONFIGS`: deprecated name → warning. LMCache only remaps an alias that is ALSO
 * listed here; other aliases (e.g. `enable_xpyd`) hit "Unknown configuration key" — reproduced.
 */
export const DEPRECATED_CONFIGS: Readonly<Record<string, string>> = {
  nixl_peer_port: "nixl_peer_port is deprecated, use nixl_receiver_port instead",
  plugin_locations: "plugin_locations is deprecated, use runtime_plugin_locations instead",
  external_backends: "external_backends is deprecated, use storage_plugins instead",
};

type Definition = (typeof CONFIG_DEFINITIONS)[number];
/** LMCache's YAML key names (snake_case). */
export type ConfigKey = Definition[0];

type SnakeToCamel<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<SnakeToCamel<T>>}` : S;

/** Every LMCache key as a camelCase field, typed by its converter. */
export type AllConfigFields = {
  -readonly [D in Definition as SnakeToCamel<D[0]>]: ConfigKindType[D[1]];
};

/** `chunk_size` → `chunkSize`. */
export function camelKey(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export const DEFINITION_BY_KEY: ReadonlyMap<string, { kind: ConfigKind; default: unknown; field: string }> = new Map(
  CONFIG_DEFINITIONS.map(([key, kind, def]) => [key, { kind, default: def, field: camelKey(key) }]),
);
