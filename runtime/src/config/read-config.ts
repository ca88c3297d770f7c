/**
 * LMCache's own reading of a config mapping (`config_base.py`: `_resolve_config_aliases`, then
 * `_apply_env_converter_safely` per key), kept faithful — and a list of the values LMCache would
 * crash on, silently turn into `None`, or ignore. The runtime's loader refuses those (ours); the
 * linter reports them. One reader for both, so lint and `check`/`run` never disagree.
 */
import { getLogger } from "../logging";
import { pythonStrRepr } from "../connector/url";
import { convertConfigValue } from "./converters";
import { CONFIG_ALIASES, CONFIG_DEFINITIONS, DEFINITION_BY_KEY, DEPRECATED_CONFIGS, camelKey } from "./definitions";
import { defaultEngineConfig, type LMCacheEngineConfig } from "./engine-config";
import { pyRepr, pyTypeName } from "./python-values";

const baseLogger = getLogger("lmcache.v1.config_base");

/** `remote_serde` values `CreateSerde` accepts (anything else: `ValueError("Invalid type: …")`). */
export const REMOTE_SERDES: readonly string[] = ["naive", "kivi", "cachegen"];

/** One value LMCache cannot use as written. */
export interface ConfigIssue {
  /** The key as written (an alias or unknown key included). */
  key: string;
  /** `error`: LMCache crashes, or stores `None` and fails later. `warning`: LMCache ignores it. */
  severity: "error" | "warning";
  /** What happens in LMCache, in LMCache's words where it has any. */
  message: string;
  /** The Python error behind it, when there is one (`ValueError`, `TypeError`, `AttributeError`). */
  errorName?: string;
}

/** What {@link readConfigMapping} returns. */
export interface ConfigReading {
  /** The config as LMCache holds it (`null` where LMCache stores `None`). */
  config: LMCacheEngineConfig;
  issues: ConfigIssue[];
}

function describe(e: unknown): { name: string; message: string } {
  const err = e as Error;
  return { name: err?.name ?? "Error", message: err?.message ?? String(e) };
}

/** `extra_config` as LMCache reads it: a mapping, `json.loads` of a non-empty string, or None. */
function readExtraConfig(value: unknown, issues: ConfigIssue[]): unknown {
  if (typeof value === "string" && value !== "") {
    try {
      value = JSON.parse(value);
    } catch (e) {
      baseLogger.warning(`Failed to convert value for extra_config=${pyRepr(value)}: ${describe(e).message}`);
      issues.push({ key: "extra_config", severity: "error", message: `LMCache cannot json.loads extra_config=${pyRepr(value)} and stores None (${describe(e).message})` });
      return null;
    }
  }
  if (value === "" || value === null || value === undefined) return null;
  if (typeof value !== "object" || Array.isArray(value)) {
    issues.push({
      key: "extra_config",
      severity: "error",
      message: `extra_config is a ${pyTypeName(value)} (${pyRepr(value)}), not a mapping: LMCache keeps it and fails on its first extra_config.get(...) (AttributeError: '${pyTypeName(value)}' object has no attribute 'get')`,
    });
    return null;
  }
  return value;
}

/**
 * Reads `mapping` (a `yaml.safe_load` result) as LMCache's `from_file` does: deprecated aliases
 * warn and remap, unknown keys warn ("Unknown configuration key: k (source: s)") and are dropped,
 * each value goes through its converter — a `ValueError` logs "Failed to convert value for k=v: e"
 * and stores `None` — and semantic checks LMCache only fails later (`remote_serde`,
 * `extra_config` shape, `None` where a number or flag is needed) become issues. Never throws.
 */
export function readConfigMapping(mapping: Record<string, unknown>, source: string): ConfigReading {
  const issues: ConfigIssue[] = [];
  const config = defaultEngineConfig() as unknown as Record<string, unknown>;
  const resolved = new Map<string, { written: string; value: unknown }>();
  for (const [key, value] of Object.entries(mapping)) {
    if (key in DEPRECATED_CONFIGS) {
      baseLogger.warning(`${DEPRECATED_CONFIGS[key]} (source: ${source})`);
      resolved.set(CONFIG_ALIASES[key] ?? key, { written: key, value });
    } else if (DEFINITION_BY_KEY.has(key)) {
      resolved.set(key, { written: key, value });
    } else {
      baseLogger.warning(`Unknown configuration key: ${key} (source: ${source})`);
      issues.push({ key, severity: "warning", message: `Unknown configuration key: ${key} (LMCache warns and ignores it)` });
    }
  }
  for (const [key] of CONFIG_DEFINITIONS) {
    const entry = resolved.get(key);
    if (!entry) continue;
    const def = DEFINITION_BY_KEY.get(key)!;
    const { written, value } = entry;
    if (key === "extra_config") {
      config[def.field] = readExtraConfig(value, issues);
      continue;
    }
    if (value === null || value === undefined) {
      config[def.field] = null;
      if (def.default !== null && ["int", "float", "bool"].includes(def.kind)) {
        issues.push({ key: written, severity: "error", message: `${key} is empty (None): LMCache keeps None where a ${def.kind} is expected and fails when it uses it` });
      }
      continue;
    }
    try {
      config[def.field] = convertConfigValue(def.kind, value);
    } catch (e) {
      const { name, message } = describe(e);
      if (name === "ValueError") {
        baseLogger.warning(`Failed to convert value for ${key}=${pyRepr(value)}: ${message}`);
        config[def.field] = null;
        issues.push({ key: written, severity: "error", errorName: name, message: `Failed to convert value for ${key}=${pyRepr(value)}: ${message} — LMCache stores None and fails when it uses ${key}` });
      } else {
        issues.push({ key: written, severity: "error", errorName: name, message: `LMCache's config loader raises ${name}: ${message} (${key}=${pyRepr(value)})` });
      }
    }
  }
  const serde = config["remoteSerde"];
  if (resolved.has("remote_serde") && (serde === null || (typeof serde === "string" && !REMOTE_SERDES.includes(serde)))) {
    issues.push({
      key: resolved.get("remote_serde")?.written ?? "remote_serde",
      severity: "error",
      message: `remote_serde ${serde === null ? "None" : pythonStrRepr(serde as string)} is not one of ${REMOTE_SERDES.map((s) => `'${s}'`).join(", ")}: LMCache's CreateSerde raises ValueError("Invalid type: ${serde === null ? "None" : serde}") when the remote backend starts`,
      errorName: "ValueError",
    });
  }
  return { config: config as unknown as LMCacheEngineConfig, issues };
}
