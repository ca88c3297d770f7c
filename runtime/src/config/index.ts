/** LMCache's engine configuration (`lmcache/v1/config.py`): the config object, its loaders and helpers. */
export * from "./engine-config";
export * from "./load";
export { CONFIG_DEFINITIONS, CONFIG_ALIASES, DEPRECATED_CONFIGS, camelKey, type ConfigKey, type ConfigKind } from "./definitions";
export { parseQuotedString, pyTruthy } from "./python-values";
