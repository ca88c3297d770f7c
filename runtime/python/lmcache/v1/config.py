# SPDX-License-Identifier: Apache-2.0
"""``lmcache.v1.config``: ``LMCacheEngineConfig``, a dataclass with every key of LMCache's
``_CONFIG_DEFINITIONS`` as a snake_case field (``chunk_size``, ``extra_config``,
``remote_url``, ``remote_serde``, ``blocking_timeout_secs``, ``use_layerwise``, …) and LMCache's
constructors ``from_defaults(**kw)``, ``from_dict(d)``, ``from_env()``, ``from_file(path)``,
plus ``to_dict()`` and ``get_extra_config_value(key, default)``.

Converters follow LMCache's ``env_converter``s: for ``from_defaults``/``from_file``/``from_env`` a
value that fails to convert becomes ``None`` with a warning; ``from_dict`` lets the error escape.
"""
# Standard
from dataclasses import make_dataclass
from typing import Any, Optional
import ast
import json
import os
import re
import uuid

# First Party
from lmcache.logging import init_logger
from lmcache.v1._config_definitions import CONFIG_ALIASES, CONFIG_DEFINITIONS, DEPRECATED_CONFIGS

logger = init_logger(__name__)


def _to_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ["true", "1"]


def _to_str_list(value):
    if value is None:
        return None
    if isinstance(value, list):
        return value
    return [p.strip() for p in value.split(",") if p.strip()]


def _to_int_list(value):
    if value is None:
        return None
    if isinstance(value, list):
        return [int(x) for x in value]
    if isinstance(value, int):
        return [value]
    return [int(p.strip()) for p in str(value).split(",") if p.strip()]


def _to_float_list(value):
    if value is None:
        return None
    if isinstance(value, list):
        return [float(x) for x in value]
    if isinstance(value, float):
        return [value]
    return [float(p.strip()) for p in str(value).split(",") if p.strip()]


def _to_json(value):
    if isinstance(value, dict):
        return value
    return json.loads(value) if value else None


def _parse_local_disk(local_disk) -> Optional[str]:
    if local_disk is None:
        return None
    if re.match(r"file://(.*)/", local_disk):
        return local_disk[7:]
    return local_disk


def _to_plugin_locations(value):
    if isinstance(value, list):
        return value
    return [value] if value else []


def _to_hidden_states_mode(value) -> str:
    if value is None:
        return "prefix_strict"
    s = str(value).strip().lower().replace("-", "_")
    if s in ("prefix_strict", "prefixstrict"):
        return "prefix_strict"
    if s in ("skip_missing_chunks", "skipmissingchunks", "legacy"):
        return "skip_missing_chunks"
    raise ValueError(
        "hidden_states_retrieve_mode must be 'prefix_strict' or "
        f"'skip_missing_chunks', got {value!r}"
    )


_CONVERTERS = {
    "int": (int, Optional[int]),
    "float": (float, Optional[float]),
    "bool": (_to_bool, bool),
    "str": (str, Optional[str]),
    "strList": (_to_str_list, Optional[list]),
    "intList": (_to_int_list, Optional[list]),
    "floatList": (_to_float_list, Optional[list]),
    "json": (_to_json, Optional[dict]),
    "localDisk": (_parse_local_disk, Optional[str]),
    "none": (lambda v: v, Any),
    "pluginLocations": (_to_plugin_locations, Optional[list]),
    "hiddenStatesMode": (_to_hidden_states_mode, str),
}

#: ``{key: {"type", "default", "env_converter"}}`` as LMCache's table is shaped.
_CONFIG_DEFINITIONS = {
    key: {"type": _CONVERTERS[kind][1], "default": default, "env_converter": _CONVERTERS[kind][0]}
    for key, kind, default in CONFIG_DEFINITIONS
}


def _apply_converter_safely(name, value):
    config = _CONFIG_DEFINITIONS.get(name)
    if config is None or value is None:
        return value
    try:
        return config["env_converter"](value)
    except (ValueError, json.JSONDecodeError) as e:
        logger.warning(f"Failed to convert value for {name}={value!r}: {e}")
        return None


def _resolve_config_aliases(config_dict: dict, source: str) -> dict:
    resolved = {}
    for key, value in config_dict.items():
        if key in DEPRECATED_CONFIGS:
            logger.warning(f"{DEPRECATED_CONFIGS[key]} (source: {source})")
            resolved[CONFIG_ALIASES.get(key, key)] = value
        elif key in _CONFIG_DEFINITIONS:
            resolved[key] = value
        else:
            logger.warning(f"Unknown configuration key: {key} (source: {source})")
    return resolved


def _parse_quoted_string(value: str) -> str:
    if not value:
        return value
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in ("'", '"'):
        try:
            evaluated = ast.literal_eval(value)
            if isinstance(evaluated, str):
                return evaluated
        except (ValueError, SyntaxError):
            return value[1:-1]
    return value


def _post_init(self):
    # LMCache's check is always false (the field exists), so the id stays as given: kept.
    if not hasattr(self, "lmcache_instance_id"):
        self.lmcache_instance_id = f"lmcacheengineconfig_{uuid.uuid4().hex}"


def _from_defaults(cls, **kwargs):
    values = {}
    for name, config in _CONFIG_DEFINITIONS.items():
        values[name] = _apply_converter_safely(name, kwargs.get(name, config["default"]))
    return cls(**values)


def _from_dict(cls, config_dict: dict):
    resolved = _resolve_config_aliases(config_dict, "dictionary input")
    values = {}
    for name, config in _CONFIG_DEFINITIONS.items():
        value = resolved.get(name, config["default"])
        if value is not None:
            value = config["env_converter"](value)
        values[name] = value
    return cls(**values)


def _from_env(cls):
    env_config = {}
    for name in list(_CONFIG_DEFINITIONS) + list(CONFIG_ALIASES):
        env_value = os.getenv(f"LMCACHE_{name.upper()}")
        if env_value is not None:
            env_config[name] = env_value
    resolved = _resolve_config_aliases(env_config, "environment variables")
    values = {}
    for name, config in _CONFIG_DEFINITIONS.items():
        raw = _parse_quoted_string(resolved[name]) if name in resolved else config["default"]
        values[name] = _apply_converter_safely(name, raw)
    return cls(**values)


def _from_file(cls, file_path: str):
    # Third Party
    import yaml

    with open(file_path, "r") as fin:
        file_config = yaml.safe_load(fin) or {}
    resolved = _resolve_config_aliases(file_config, f"file: {file_path}")
    values = {}
    for name, config in _CONFIG_DEFINITIONS.items():
        values[name] = _apply_converter_safely(name, resolved.get(name, config["default"]))
    return cls(**values)


def _to_dict(self):
    return {name: getattr(self, name) for name in _CONFIG_DEFINITIONS}


def _get_extra_config_value(self, key, default_value=None):
    """``extra_config[key]``, or ``default_value`` when ``extra_config`` is None or lacks it."""
    if self.extra_config is None:
        return default_value
    return self.extra_config.get(key, default_value)


def _validate(self):
    if self.min_retrieve_tokens is not None and self.min_retrieve_tokens < 0:
        raise ValueError(f"min_retrieve_tokens must be >= 0, got {self.min_retrieve_tokens}")
    if self.enable_blending and not self.save_unfull_chunk:
        logger.warning("Automatically setting save_unfull_chunk=True because enable_blending=True")
        self.save_unfull_chunk = True
    return self


LMCacheEngineConfig = make_dataclass(
    "LMCacheEngineConfig",
    [(name, config["type"], config["default"]) for name, config in _CONFIG_DEFINITIONS.items()],
    namespace={
        "__post_init__": _post_init,
        "from_defaults": classmethod(_from_defaults),
        "from_dict": classmethod(_from_dict),
        "from_env": classmethod(_from_env),
        "from_file": classmethod(_from_file),
        "to_dict": _to_dict,
        "get_extra_config_value": _get_extra_config_value,
        "validate": _validate,
        "__str__": lambda self: str(self.to_dict()),
    },
)
LMCacheEngineConfig.__module__ = __name__
LMCacheEngineConfig._config_definitions = _CONFIG_DEFINITIONS  # type: ignore[attr-defined]
