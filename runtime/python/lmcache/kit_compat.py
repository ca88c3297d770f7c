# SPDX-License-Identifier: Apache-2.0
"""``lmcache.kit_compat`` (ours; LMCache has no such module): the seams the kit's bridge uses to
build LMCache objects from the TypeScript engine's JSON, and the older key layouts.

Connectors must not import this module: it exists only in the kit's package, not under LMCache
(with a real LMCache installed, the bridge uses LMCache's own constructors instead).

- :func:`is_kit_lmcache` — whether the imported ``lmcache`` is this package.
- :func:`dtype_from_kit_name` / :func:`kit_name_of_dtype` — the TypeScript ``DType`` names
  (``"bfloat16"``, ``"float16"``, …) ↔ torch dtypes.
- :func:`engine_config_from_kit` — ``LMCacheEngineConfig`` from the TS config JSON (camelCase or
  snake_case keys).
- :func:`metadata_from_kit` — ``LMCacheMetadata`` from the TS metadata JSON.
- :func:`memory_obj_over_buffer` — a ``TensorMemoryObj`` over a writable buffer (e.g. a
  ``memoryview`` slice of an ``mmap`` of a ``/dev/shm`` file), owned by a parent allocator.
- :func:`format_key` / :func:`parse_key` — key strings in the layouts ``"2024"``, ``"E1"``,
  ``"E2"``, ``"E3"`` that the TS runtime models (``runtime/src/keys/cache-engine-key.ts``).
"""
# Standard
from typing import Any, Mapping, Optional
import re

# Third Party
import torch

# First Party
import lmcache
from lmcache.utils import (
    STR_DTYPE_TO_TORCH_DTYPE,
    TORCH_DTYPE_TO_STR_DTYPE,
    CacheEngineKey,
    LayerCacheEngineKey,
)
from lmcache.v1.config import LMCacheEngineConfig
from lmcache.v1.kv_layer_groups import KVLayerGroupInfo, KVLayerGroupsManager, KVShapeDesc
from lmcache.v1.memory_management import (
    MemoryFormat,
    MemoryObjMetadata,
    TensorMemoryObj,
    get_size_bytes,
    tensor_from_buffer,
)
from lmcache.v1.metadata import LMCacheMetadata


def is_kit_lmcache(module: Any = lmcache) -> bool:
    """True when ``module`` (default: the imported ``lmcache``) is the kit's package."""
    return bool(getattr(module, "LMCACHE_CONNECTOR_KIT", False))


_KIT_DTYPE_NAMES = [
    "bfloat16", "float16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64", "bool",
    "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz",
]

#: TypeScript ``DType`` name → torch dtype (only those this torch has; torch 1.13 has no fp8).
KIT_DTYPES: dict[str, torch.dtype] = {
    name: getattr(torch, name) for name in _KIT_DTYPE_NAMES if hasattr(torch, name)
}


def dtype_from_kit_name(name: Optional[str]) -> Optional[torch.dtype]:
    """``"bfloat16"`` (or ``"torch.bfloat16"``) → ``torch.bfloat16``; None stays None."""
    if name is None:
        return None
    bare = name[len("torch.") :] if name.startswith("torch.") else name
    if bare not in KIT_DTYPES:
        raise ValueError(f"Unsupported dtype: {name} (this torch {torch.__version__} has no such dtype)")
    return KIT_DTYPES[bare]


def kit_name_of_dtype(dtype: Optional[torch.dtype]) -> Optional[str]:
    """``torch.bfloat16`` → ``"bfloat16"`` (the TS name); None stays None."""
    if dtype is None:
        return None
    return str(dtype)[len("torch.") :]


def _snake(key: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), key)


def engine_config_from_kit(d: Mapping[str, Any]) -> LMCacheEngineConfig:
    """``LMCacheEngineConfig`` from the TS engine config as JSON (camelCase fields such as
    ``chunkSize``/``extraConfig``, or LMCache's snake_case keys). Values are converted with
    LMCache's converters (``from_dict``). JSON cannot carry ``Infinity``: a null for a key whose
    LMCache default is infinite (``pd_allocation_timeout_sec``) keeps that default."""
    defs = LMCacheEngineConfig._config_definitions  # type: ignore[attr-defined]
    snake: dict[str, Any] = {}
    for key, value in d.items():
        name = key if key in defs else _snake(key)
        if value is None and name in defs and defs[name]["default"] == float("inf"):
            continue
        snake[name] = value
    return LMCacheEngineConfig.from_dict(snake)


def _get(d: Mapping[str, Any], camel: str, default: Any = None) -> Any:
    if camel in d:
        return d[camel]
    return d.get(_snake(camel), default)


def metadata_from_kit(d: Mapping[str, Any]) -> LMCacheMetadata:
    """``LMCacheMetadata`` from the TS metadata as JSON (``modelName``, ``worldSize``,
    ``workerId``, ``kvDtype``, ``kvShape``, ``useMla``, ``chunkSize``, ``kvLayerGroups`` with
    ``numLayers``/``hiddenDimSize``/``dtype``; snake_case keys also accepted)."""
    use_mla = bool(_get(d, "useMla", False))
    groups = _get(d, "kvLayerGroups") or []
    manager = None
    if groups:
        manager = KVLayerGroupsManager(
            [
                KVLayerGroupInfo(
                    layer_names=list(_get(g, "layerNames") or []),
                    num_layers=int(_get(g, "numLayers")),
                    hidden_dim_size=int(_get(g, "hiddenDimSize")),
                    dtype=dtype_from_kit_name(_get(g, "dtype")),
                    shape_desc=KVShapeDesc(kv_size=1 if use_mla else 2),
                )
                for g in groups
            ]
        )
    world_size = int(_get(d, "worldSize"))
    worker_id = int(_get(d, "workerId"))
    return LMCacheMetadata(
        model_name=_get(d, "modelName"),
        world_size=world_size,
        local_world_size=int(_get(d, "localWorldSize", world_size)),
        worker_id=worker_id,
        local_worker_id=int(_get(d, "localWorkerId", worker_id)),
        kv_dtype=dtype_from_kit_name(_get(d, "kvDtype")),
        kv_shape=tuple(int(x) for x in _get(d, "kvShape")),
        use_mla=use_mla,
        role=_get(d, "role"),
        served_model_name=_get(d, "servedModelName"),
        chunk_size=int(_get(d, "chunkSize", 256)),
        kv_layer_groups_manager=manager,
    )


def memory_obj_over_buffer(
    buffer: Any,
    shapes: "list[torch.Size] | torch.Size",
    dtypes: "list[torch.dtype] | torch.dtype",
    fmt: MemoryFormat,
    parent_allocator: Any,
    address: int = 0,
    phy_size: Optional[int] = None,
    ref_count: int = 1,
) -> TensorMemoryObj:
    """A ``TensorMemoryObj`` whose ``byte_array`` and ``tensor`` alias ``buffer`` (no copy).

    ``buffer`` must be writable and at least as long as the tensors (``get_size_bytes``);
    ``address`` is what ``meta.address`` reports (the bridge uses the offset in its shared file);
    ``phy_size`` defaults to ``len(buffer)``. ``parent_allocator.free(obj)`` is called when the
    counts reach 0 and, if defined, ``parent_allocator.kit_memory_obj_event(obj, event)`` after
    every ownership change (see ``lmcache.v1.memory_management``).
    """
    if isinstance(shapes, torch.Size) or (shapes and isinstance(shapes[0], int)):
        shapes = [shapes]  # type: ignore[list-item]
    if isinstance(dtypes, torch.dtype):
        dtypes = [dtypes]
    shapes = [torch.Size(s) for s in shapes]  # type: ignore[union-attr]
    raw = tensor_from_buffer(buffer)
    size = get_size_bytes(shapes, dtypes)  # type: ignore[arg-type]
    if size > raw.numel():
        raise ValueError(f"buffer of {raw.numel()} bytes is too small for {size} bytes of tensors")
    meta = MemoryObjMetadata(
        shapes[0],
        dtypes[0],  # type: ignore[index]
        address,
        raw.numel() if phy_size is None else phy_size,
        ref_count,
        0,
        fmt,
        None,
        shapes,
        list(dtypes),  # type: ignore[arg-type]
    )
    return TensorMemoryObj(raw[:size], meta, parent_allocator)


# ---- key layouts -------------------------------------------------------------------------------

KEY_LAYOUTS = ("2024", "E1", "E2", "E3")

# E2 wrote fp8 variants as fp8_e4m3 / fp8_e5m2 (no fp8 in torch 1.13, so E2 == E3 names here).
_E2_FP8 = {"fp8_e4m3fn": "fp8_e4m3", "fp8_e4m3fnuz": "fp8_e4m3", "fp8_e5m2": "fp8_e5m2", "fp8_e5m2fnuz": "fp8_e5m2"}


def _dtype_str(dtype: torch.dtype, layout: str) -> str:
    if dtype not in TORCH_DTYPE_TO_STR_DTYPE:
        raise ValueError(f"Unsupported dtype in CacheEngineKey: {dtype}")
    name = TORCH_DTYPE_TO_STR_DTYPE[dtype]
    return _E2_FP8.get(name, name) if layout == "E2" else name


def _check_layout(layout: str) -> None:
    if layout not in KEY_LAYOUTS:
        raise ValueError(f"Unknown key layout: {layout} (expected 2024, E1, E2 or E3)")


def format_key(
    layout: str,
    *,
    model_name: str,
    world_size: int,
    worker_id: int,
    chunk_hash: Any,
    dtype: Optional[torch.dtype] = None,
    request_configs: Optional[dict] = None,
    fmt: Optional[str] = None,
    layer_id: Optional[int] = None,
) -> str:
    """``to_string()`` of a key (``layer_id`` given: a layer key) in ``layout``."""
    _check_layout(layout)
    if layout == "E3":
        fields = dict(
            model_name=model_name, world_size=world_size, worker_id=worker_id,
            chunk_hash=chunk_hash, dtype=dtype, request_configs=request_configs,
        )
        key = CacheEngineKey(**fields) if layer_id is None else LayerCacheEngineKey(**fields, layer_id=layer_id)
        return key.to_string()
    layer = [] if layer_id is None else [str(layer_id)]
    if layout == "2024":
        return "@".join([str(fmt), model_name, str(world_size), str(worker_id), f"{chunk_hash}", *layer])
    head = [str(fmt), model_name, str(world_size), str(worker_id), f"{chunk_hash:x}"]
    if layout == "E2":
        head.append(_dtype_str(dtype, layout))  # type: ignore[arg-type]
    s = "@".join(head + layer)
    tags = [(k[len("lmcache.tag.") :], v) for k, v in (request_configs or {}).items() if k.startswith("lmcache.tag.")]
    if tags:
        s += "@" + "@".join(f"{k}%{v}" for k, v in tags)
    return s


def parse_key(s: str, layout: str, layer: bool = False) -> dict:
    """``from_string(s)`` in ``layout``: the key's fields as a dict (``dtype`` a torch dtype,
    ``layer_id`` present for layer keys), with Python's and LMCache's errors."""
    _check_layout(layout)
    if layout == "E3":
        key = (LayerCacheEngineKey if layer else CacheEngineKey).from_string(s)
        out = {
            "model_name": key.model_name, "world_size": key.world_size, "worker_id": key.worker_id,
            "chunk_hash": key.chunk_hash, "dtype": key.dtype, "request_configs": key.request_configs,
        }
        if layer:
            out["layer_id"] = key.layer_id  # type: ignore[attr-defined]
        return out
    parts = s.split("@")
    extra = 1 if layer else 0
    if layout == "2024":
        if len(parts) != 5 + extra:
            raise ValueError(f"Invalid key string: {s}")
        out = {"fmt": parts[0], "model_name": parts[1], "world_size": int(parts[2]),
               "worker_id": int(parts[3]), "chunk_hash": parts[4], "request_configs": None}
        if layer:
            out["layer_id"] = int(parts[5])
        return out
    head = (5 if layout == "E1" else 6) + extra
    if len(parts) < head:
        raise ValueError(f"Invalid key string: {s}")
    request_configs = None
    if len(parts) > head:
        request_configs = {}
        for kv in parts[head:]:
            kvs = kv.split("%", 1)
            if len(kvs) != 2:
                raise ValueError(f"Invalid key string: {s}")
            request_configs["lmcache.tag." + kvs[0]] = kvs[1]
    out = {"fmt": parts[0], "model_name": parts[1], "world_size": int(parts[2]),
           "worker_id": int(parts[3]), "chunk_hash": int(parts[4], 16), "request_configs": request_configs}
    if layout == "E2":
        out["dtype"] = STR_DTYPE_TO_TORCH_DTYPE[parts[5]]
    if layer:
        out["layer_id"] = int(parts[head - 1])
    return out
