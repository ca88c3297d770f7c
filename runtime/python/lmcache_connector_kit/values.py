# SPDX-License-Identifier: Apache-2.0
"""Arguments from the engine → Python values, Python results → frame values (ours).

Keys arrive as their fields and become real ``CacheEngineKey`` / ``LayerCacheEngineKey`` objects
(not parsed from strings: a model name with ``@`` would not survive ``from_string``, as in
LMCache). Memory objects arrive as descriptors of engine objects and leave as their id plus the
metadata the engine mirrors. Anything else a connector returns is described, never pickled.
"""
import inspect

import torch

from .memory import build_memory_obj, describe_memory_obj, torch_dtype


def decode(value, instance):
    if isinstance(value, list):
        return [decode(v, instance) for v in value]
    if isinstance(value, dict):
        if "$key" in value:
            return decode_key(value["$key"])
        if "$obj" in value:
            desc = value["$obj"]
            # an object of another live instance keeps that instance's file
            owner = instance if desc.get("inst") == instance.iid else instance.bridge.instances.get(desc.get("inst"))
            if owner is None:
                raise RuntimeError(f"memory object {desc['id']} belongs to connector instance {desc.get('inst')}, which is gone")
            return build_memory_obj(desc, owner.arena, owner.allocator, owner.table)
        if "$bytes" in value:
            return bytes.fromhex(value["$bytes"])
        return {k: decode(v, instance) for k, v in value.items()}
    return value


def decode_key(k: dict):
    from lmcache.utils import CacheEngineKey, LayerCacheEngineKey

    h = k["h"]
    chunk_hash = int(h["i"]) if "i" in h else bytes.fromhex(h["b"]) if "b" in h else h["s"]
    fields = dict(
        model_name=k["m"],
        world_size=k["ws"],
        worker_id=k["wid"],
        chunk_hash=chunk_hash,
        dtype=torch_dtype(k["dt"]),
        request_configs=k.get("rc"),
    )
    if "layer" in k:
        return LayerCacheEngineKey(**fields, layer_id=k["layer"])
    return CacheEngineKey(**fields)


def encode(value):
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if -(2**53) < value < 2**53 else {"$py": {"type": "int", "repr": str(value), "truthy": value != 0}}
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else {"$py": {"type": "float", "repr": repr(value), "truthy": True}}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: encode(v) for k, v in value.items()}
    if hasattr(value, "_kit_id") and hasattr(value, "get_shapes"):
        return describe_memory_obj(value)
    if inspect.iscoroutine(value):
        text = repr(value)
        value.close()  # never awaited, as LMCache never awaits what a sync method returns
        return {"$py": {"type": "coroutine", "repr": text, "truthy": True}}
    try:
        truthy = bool(value)
    except Exception:  # noqa: BLE001 - a __bool__ that raises
        truthy = True
    kind = "memory_obj" if hasattr(value, "get_shapes") and hasattr(value, "byte_array") else type(value).__name__
    if isinstance(value, torch.Tensor):
        kind = "tensor"
    return {"$py": {"type": kind, "repr": repr(value)[:300], "truthy": truthy}}
