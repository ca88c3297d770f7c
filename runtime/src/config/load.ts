/**
 * Loading `LMCacheEngineConfig` the way LMCache does (`config_base.py` `from_file`,
 * `update_config_from_env`, `load_config_with_overrides`): snake_case YAML keys, `LMCACHE_<KEY>`
 * environment overrides, deprecated aliases, "Unknown configuration key" warnings.
 */
import { readRegularTextFile } from "../files/read-text-file";
import { PythonError, ValueError } from "../errors";
import { getLogger } from "../logging";
import { pythonStrRepr } from "../connector/url";
import { convertConfigValue } from "./converters";
import { CONFIG_ALIASES, CONFIG_DEFINITIONS, DEFINITION_BY_KEY, DEPRECATED_CONFIGS, camelKey } from "./definitions";
import { defaultEngineConfig, validateEngineConfig, type LMCacheEngineConfig } from "./engine-config";
import { parseQuotedString, pyRepr } from "./python-values";
import { safeLoadPyYaml } from "./pyyaml";
import { readConfigMapping } from "./read-config";

const baseLogger = getLogger("lmcache.v1.config_base");
const configLogger = getLogger("lmcache.v1.config");
const storageLogger = getLogger("lmcache.v1.storage_backend");

/** The warning LMCache's `CreateStorageBackends` logs whenever `remote_url` is set. */
export const REMOTE_URL_DEPRECATION_WARNING =
  "remote_url is deprecated and will be removed in a future release. Please use remote_storage_plugins instead.";

/** Source label LMCache puts in warnings about environment values. */
export const ENV_SOURCE = "environment variables";

type Env = Record<string, string | undefined>;

/** LMCache `_resolve_config_aliases`: deprecation warnings + remapping, unknown keys warned and dropped. */
function resolveAliases(input: Record<string, unknown>, source: string): Map<string, unknown> {
  const resolved = new Map<string, unknown>();
  for (const [key, value] of Object.entries(input)) {
    if (key in DEPRECATED_CONFIGS) {
      baseLogger.warning(`${DEPRECATED_CONFIGS[key]} (source: ${source})`);
      resolved.set(CONFIG_ALIASES[key] ?? key, value);
    } else if (DEFINITION_BY_KEY.has(key)) {
      resolved.set(key, value);
    } else {
      baseLogger.warning(`Unknown configuration key: ${key} (source: ${source})`);
    }
  }
  return resolved;
}

function describeError(e: unknown): { name: string; message: string } {
  const err = e as Error;
  return { name: err?.name ?? "Error", message: err?.message ?? String(e) };
}

/**
 * Convert one YAML value. LMCache logs "Failed to convert value for k=v: e" and stores None for a
 * `ValueError`, and crashes on a `TypeError`; the kit logs LMCache's warning and then REFUSES the
 * value with an error naming the key (ours), because a silent None would only fail later.
 */
function convertFileValue(key: string, value: unknown, source: string): unknown {
  const def = DEFINITION_BY_KEY.get(key)!;
  if (value === null || value === undefined) {
    if (def.default !== null && ["int", "float", "bool"].includes(def.kind)) {
      throw new ValueError(`Configuration key '${key}' (source: ${source}) is null; LMCache would store None where a ${def.kind} is expected, so the kit rejects it`);
    }
    return null;
  }
  try {
    return convertConfigValue(def.kind, value);
  } catch (e) {
    const { name, message } = describeError(e);
    if (name === "ValueError") baseLogger.warning(`Failed to convert value for ${key}=${pyRepr(value)}: ${message}`);
    throw new PythonError(name, `Invalid value for configuration key '${key}' (source: ${source}): ${pyRepr(value)}: ${message}`, { cause: e });
  }
}

/**
 * LMCache's reading (`readConfigMapping`: its warnings, `None` for a value it cannot convert),
 * then the kit's refusal (ours): a value LMCache would crash on, or store as `None` and fail on
 * later, is an error naming the key — a silent None would only fail deep inside a run. Unknown
 * keys stay warnings, as in LMCache.
 */
function configFromMapping(mapping: Record<string, unknown>, source: string): LMCacheEngineConfig {
  const { config, issues } = readConfigMapping(mapping, source);
  const fatal = issues.find((i) => i.severity === "error");
  if (fatal) {
    throw new PythonError(fatal.errorName ?? "ValueError", `Invalid value for configuration key '${fatal.key}' (source: ${source}): ${fatal.message}`);
  }
  return validateEngineConfig(config);
}

function parseYamlMapping(text: string, source: string): Record<string, unknown> {
  let doc: unknown;
  try {
    // PyYAML's safe_load (its YAML 1.1 resolvers: `y` stays a string, `1e3` too); duplicate keys: last wins.
    doc = safeLoadPyYaml(text);
  } catch (e) {
    throw new ValueError(`Invalid YAML in ${source}: ${(e as Error).message}`, { cause: e });
  }
  if (doc === null || doc === undefined || doc === false) return {}; // `safe_load(...) or {}`
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new ValueError(`LMCache config (${source}) must be a YAML mapping of keys to values, got ${pyRepr(doc)} (the kit's check; LMCache would fail on .items())`);
  }
  return doc as Record<string, unknown>;
}

function warnIfRemoteUrl(config: LMCacheEngineConfig): void {
  if (config.remoteUrl !== null && config.remoteUrl !== undefined) storageLogger.warning(REMOTE_URL_DEPRECATION_WARNING);
}

function configFromYamlQuiet(text: string, source: string): LMCacheEngineConfig {
  return configFromMapping(parseYamlMapping(text, source), source);
}

/** The config file's text: a regular file of at most 8 MiB (`readRegularTextFile`; ours: a FIFO or `/dev/zero` would hang LMCache). */
function readConfigFile(path: string): string {
  try {
    return readRegularTextFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new PythonError("FileNotFoundError", `[Errno 2] No such file or directory: ${pythonStrRepr(path)}`, { cause: e });
    throw e;
  }
}

/**
 * LMCache `LMCacheEngineConfig.from_file` on YAML text. `source` is the label used in warnings
 * (LMCache writes `file: <path>`). Unknown keys → WARNING "Unknown configuration key: k (source: …)";
 * `external_backends` → WARNING "external_backends is deprecated, use storage_plugins instead (source: …)"
 * and remapped to `storage_plugins`. A value LMCache cannot convert throws (ours; see above).
 * Logs the `remote_url` deprecation warning when `remote_url` is set.
 */
export function loadConfigFromYaml(text: string, source = "file: <yaml>"): LMCacheEngineConfig {
  const config = configFromYamlQuiet(text, source);
  warnIfRemoteUrl(config);
  return config;
}

/** LMCache `LMCacheEngineConfig.from_file(path)` (warnings say `source: file: <path>`). */
export function loadConfigFromFile(path: string): LMCacheEngineConfig {
  return loadConfigFromYaml(readConfigFile(path), `file: ${path}`);
}

/**
 * LMCache `update_config_from_env`: for every key (and deprecated alias) whose `LMCACHE_<KEY>` is
 * set, strip matching quotes (`_parse_quoted_string`), convert (booleans: `true`/`1` any case;
 * lists: comma-split and trimmed; `extra_config`: JSON), and assign. A conversion `ValueError` logs
 * WARNING "Failed to parse LMCACHE_K='v': e" and keeps the existing value. Mutates and returns `config`.
 */
export function applyEnvOverrides(config: LMCacheEngineConfig, env: Env = process.env, mode: "update" | "fromEnv" = "update"): LMCacheEngineConfig {
  const found: Record<string, unknown> = {};
  for (const name of [...DEFINITION_BY_KEY.keys(), ...Object.keys(CONFIG_ALIASES)]) {
    const value = env[`LMCACHE_${name.toUpperCase()}`];
    if (value !== undefined) found[name] = value;
  }
  const resolved = resolveAliases(found, ENV_SOURCE);
  const target = config as unknown as Record<string, unknown>;
  for (const [key, def] of DEFINITION_BY_KEY) {
    if (!resolved.has(key)) continue;
    const raw = resolved.get(key) as string;
    const value = parseQuotedString(raw);
    try {
      target[def.field] = convertConfigValue(def.kind, value);
    } catch (e) {
      const { name, message } = describeError(e);
      if (name !== "ValueError") throw e;
      if (mode === "update") {
        configLogger.warning(`Failed to parse LMCACHE_${key.toUpperCase()}=${pythonStrRepr(raw)}: ${message}`);
        continue;
      }
      // from_env: `_apply_env_converter_safely` stores None with its warning; the kit then refuses (ours).
      baseLogger.warning(`Failed to convert value for ${key}=${pyRepr(value)}: ${message}`);
      throw new ValueError(
        `Invalid value for configuration key '${key}' (source: ${ENV_SOURCE}): LMCACHE_${key.toUpperCase()}=${pythonStrRepr(raw)}: ${message} — LMCache stores None and fails when it uses ${key}`,
      );
    }
  }
  return validateEngineConfig(config);
}

/** Options of {@link loadEngineConfigWithOverrides}. */
export interface LoadEngineConfigOptions {
  /** Environment to read `LMCACHE_CONFIG_FILE` and `LMCACHE_*` from (default `process.env`). */
  env?: Env;
  /** A config file path; takes precedence over `LMCACHE_CONFIG_FILE`. */
  configFilePath?: string;
  /** Last-word overrides keyed by LMCache's snake_case names, converted like YAML values. */
  overrides?: Record<string, unknown>;
}

/**
 * LMCache `load_engine_config_with_overrides`: the YAML file named by `configFilePath` or
 * `LMCACHE_CONFIG_FILE`, then `LMCACHE_*` environment overrides, then `overrides`. With a file, an
 * unconvertible `LMCACHE_*` value keeps the file's value (`update_config_from_env`'s warning).
 * Without one, LMCache's `from_env` stores None (with `_apply_env_converter_safely`'s warning);
 * the kit then refuses it, naming the key (ours). Logs the `remote_url` deprecation warning once.
 */
export function loadEngineConfigWithOverrides(options: LoadEngineConfigOptions = {}): LMCacheEngineConfig {
  const env = options.env ?? process.env;
  const path = options.configFilePath || env["LMCACHE_CONFIG_FILE"];
  let config: LMCacheEngineConfig;
  if (path) {
    baseLogger.info(`Loading config file: ${path}`);
    config = configFromYamlQuiet(readConfigFile(path), `file: ${path}`);
  } else {
    baseLogger.info("No config file specified, loading from environment variables.");
    config = defaultEngineConfig();
  }
  applyEnvOverrides(config, env, path ? "update" : "fromEnv");
  const target = config as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    const def = DEFINITION_BY_KEY.get(key);
    if (!def) {
      baseLogger.warning(`Unknown config key: ${key}, ignoring`);
      continue;
    }
    const old = target[def.field];
    target[def.field] = convertFileValue(key, value, "overrides");
    if (JSON.stringify(old) !== JSON.stringify(target[def.field])) {
      baseLogger.info(`Override config: ${key} = ${pyRepr(target[def.field])} (was ${pyRepr(old)})`);
    }
  }
  validateEngineConfig(config);
  warnIfRemoteUrl(config);
  return config;
}
