# SPDX-License-Identifier: Apache-2.0
"""``lmcache.utils``: ``CacheEngineKey``, ``LayerCacheEngineKey``, ``parse_cache_key`` and the
dtype-name tables, as in LMCache's newest sources (key layout "E3":
``model@world_size@worker_id@<hash hex>@<dtype>[@tag%value…]``, no ``fmt`` field).

The older layouts (2024, E1, E2) that the kit's TypeScript runtime also models are rendered
and parsed by :mod:`lmcache.kit_compat` (ours); a connector under current LMCache only ever
sees E3 keys, so this module has E3 only.
"""
# Future
from __future__ import annotations

# Standard
from dataclasses import dataclass, field
from typing import List, Optional, Union

# Third Party
import torch

# First Party
from lmcache.logging import init_logger

logger = init_logger(__name__)


def cdiv(a: int, b: int) -> int:
    """Ceiling division."""
    return -(a // -b)


def round_down(x: int, y: int) -> int:
    """Round down x to the nearest multiple of y."""
    return (x // y) * y


TORCH_DTYPE_TO_STR_DTYPE = {
    torch.half: "half",
    torch.float16: "half",
    torch.bfloat16: "bfloat16",
    torch.float: "float",
    torch.float32: "float",
    torch.double: "double",
    torch.float64: "double",
    torch.int8: "int8",
    torch.uint8: "uint8",
    torch.int16: "int16",
    torch.int32: "int32",
    torch.int64: "int64",
    torch.bool: "bool",
}

# FP8 variants exist from PyTorch 2.1 on (Debian's torch 1.13 has none of them).
if hasattr(torch, "float8_e4m3fn"):
    TORCH_DTYPE_TO_STR_DTYPE[torch.float8_e4m3fn] = "fp8_e4m3fn"
if hasattr(torch, "float8_e4m3fnuz"):
    TORCH_DTYPE_TO_STR_DTYPE[torch.float8_e4m3fnuz] = "fp8_e4m3fnuz"
if hasattr(torch, "float8_e5m2"):
    TORCH_DTYPE_TO_STR_DTYPE[torch.float8_e5m2] = "fp8_e5m2"
if hasattr(torch, "float8_e5m2fnuz"):
    TORCH_DTYPE_TO_STR_DTYPE[torch.float8_e5m2fnuz] = "fp8_e5m2fnuz"

STR_DTYPE_TO_TORCH_DTYPE = {v: k for k, v in TORCH_DTYPE_TO_STR_DTYPE.items()}

_TAG_PREFIX = "lmcache.tag."


def _parse_tags(parts: List[str], start: int, s: str) -> Optional[dict]:
    """Trailing ``name%value`` parts → ``request_configs`` (``None`` when there are none)."""
    if len(parts) <= start:
        return None
    request_configs = {}
    for kv in parts[start:]:
        kvs = kv.split("%", 1)
        if len(kvs) != 2:
            raise ValueError(f"Invalid key string: {s}")
        request_configs[_TAG_PREFIX + kvs[0]] = kvs[1]
    return request_configs


def _tags_suffix(tags: Optional[tuple]) -> str:
    if tags is None or len(tags) == 0:
        return ""
    return "@" + "@".join(f"{k}%{v}" for k, v in tags)


def parse_cache_key(key_str: str) -> Union["CacheEngineKey", "LayerCacheEngineKey"]:
    """A ``LayerCacheEngineKey`` when part 5 exists and is all digits, else a ``CacheEngineKey``."""
    parts = key_str.strip().split("@")
    if len(parts) >= 6 and parts[5].isdigit():
        return LayerCacheEngineKey.from_string(key_str)
    return CacheEngineKey.from_string(key_str)


@dataclass(slots=True)
class CacheEngineKey:
    """LMCache's chunk key. Identity (``__eq__``/``__hash__``): model name, world size, worker
    id, chunk hash, dtype and tags; ``request_configs`` itself is not part of it, only its
    ``lmcache.tag.*`` entries (``tags``) are. A key never equals a ``LayerCacheEngineKey``.

    LMCache oddity kept: a model name containing ``@`` gives a string that ``from_string``
    cannot read back (the extra part shifts every field)."""

    model_name: str
    world_size: int
    worker_id: int
    chunk_hash: int
    dtype: torch.dtype
    request_configs: Optional[dict] = field(default_factory=dict)
    tags: Optional[tuple] = field(init=False, default=None)
    _dtype_str: str = field(init=False, default="")

    def __post_init__(self):
        tag_list = None
        if self.request_configs is not None:
            for k, v in self.request_configs.items():
                if k.startswith(_TAG_PREFIX):
                    if tag_list is None:
                        tag_list = []
                    tag_list.append((k[len(_TAG_PREFIX) :], v))
        if self.dtype not in TORCH_DTYPE_TO_STR_DTYPE:
            raise ValueError(f"Unsupported dtype in CacheEngineKey: {self.dtype}")
        self._dtype_str = TORCH_DTYPE_TO_STR_DTYPE[self.dtype]
        self.tags = None if tag_list is None else tuple(tag_list)

    def __hash__(self):
        return hash(
            (
                self.model_name,
                self.world_size,
                self.worker_id,
                self.chunk_hash,
                self._dtype_str,
                self.tags,
            )
        )

    def __eq__(self, other):
        if type(self) is type(other):
            return (
                self.model_name == other.model_name
                and self.world_size == other.world_size
                and self.worker_id == other.worker_id
                and self.chunk_hash == other.chunk_hash
                and self.dtype == other.dtype
                and self.tags == other.tags
            )
        return False

    def to_string(self):
        s = (
            f"{self.model_name}@{self.world_size}"
            f"@{self.worker_id}@{self.chunk_hash_hex}@{self._dtype_str}"
        )
        return s + _tags_suffix(self.tags)

    def split_layers(self, num_layers: int) -> List["LayerCacheEngineKey"]:
        """One ``LayerCacheEngineKey`` per layer, ids ``0..num_layers-1``."""
        return [
            LayerCacheEngineKey(
                model_name=self.model_name,
                world_size=self.world_size,
                worker_id=self.worker_id,
                chunk_hash=self.chunk_hash,
                dtype=self.dtype,
                request_configs=self.request_configs,
                layer_id=layer_id,
            )
            for layer_id in range(num_layers)
        ]

    def get_first_layer(self) -> "LayerCacheEngineKey":
        """The layer-0 key."""
        return LayerCacheEngineKey(
            model_name=self.model_name,
            world_size=self.world_size,
            worker_id=self.worker_id,
            chunk_hash=self.chunk_hash,
            dtype=self.dtype,
            request_configs=self.request_configs,
            layer_id=0,
        )

    @staticmethod
    def from_string(s):
        parts = s.split("@")
        if len(parts) < 5:
            raise ValueError(f"Invalid key string: {s}")
        request_configs = _parse_tags(parts, 5, s)
        return CacheEngineKey(
            model_name=parts[0],
            world_size=int(parts[1]),
            worker_id=int(parts[2]),
            chunk_hash=int(parts[3], 16),
            dtype=STR_DTYPE_TO_TORCH_DTYPE[parts[4]],
            request_configs=request_configs,
        )

    def to_dict(self):
        """msgpack form; every request config (not only tags) is listed as ``"k%v"``."""
        msg = {
            "__type__": "CacheEngineKey",
            "model_name": self.model_name,
            "world_size": self.world_size,
            "worker_id": self.worker_id,
            "chunk_hash": self.chunk_hash,
            "dtype": self._dtype_str,
        }
        if self.request_configs is not None and len(self.request_configs) != 0:
            msg["request_configs"] = [f"{k}%{v}" for k, v in self.request_configs.items()]
        return msg

    @staticmethod
    def from_dict(d):
        request_configs = None
        if request_configs_list := d.get("request_configs"):
            request_configs = {}
            for kv in request_configs_list:
                kvs = kv.split("%", 1)
                if len(kvs) != 2:
                    raise ValueError(f"Invalid key dict: {d}")
                request_configs[kvs[0]] = kvs[1]
        return CacheEngineKey(
            model_name=d["model_name"],
            world_size=d["world_size"],
            worker_id=d["worker_id"],
            chunk_hash=d["chunk_hash"],
            dtype=STR_DTYPE_TO_TORCH_DTYPE[d["dtype"]],
            request_configs=request_configs,
        )

    def with_new_worker_id(self, new_worker_id: int) -> "CacheEngineKey":
        """LMCache oddity kept: on a layer key this returns a plain key (the layer id is lost)."""
        return CacheEngineKey(
            self.model_name,
            world_size=self.world_size,
            worker_id=new_worker_id,
            chunk_hash=self.chunk_hash,
            dtype=self.dtype,
            request_configs=self.request_configs,
        )

    @property
    def chunk_hash_hex(self) -> str:
        """Lower-case hex of the hash (``-1a`` when negative); ``.hex()`` of a bytes hash."""
        if isinstance(self.chunk_hash, bytes):
            return self.chunk_hash.hex()
        return f"{self.chunk_hash:x}"


@dataclass(slots=True)
class LayerCacheEngineKey(CacheEngineKey):
    """A key for one layer: ``layer_id`` goes right after the dtype, before the tags."""

    layer_id: int = 0

    def __hash__(self):
        return hash(
            (
                self.model_name,
                self.world_size,
                self.worker_id,
                self.chunk_hash,
                self._dtype_str,
                self.tags,
                self.layer_id,
            )
        )

    def __eq__(self, other):
        if super(LayerCacheEngineKey, self).__eq__(other):
            return self.layer_id == other.layer_id
        return False

    def to_string(self):
        s = (
            f"{self.model_name}@{self.world_size}"
            f"@{self.worker_id}@{self.chunk_hash_hex}@{self._dtype_str}@{self.layer_id}"
        )
        return s + _tags_suffix(self.tags)

    def split_layers(self, num_layers: int) -> List["LayerCacheEngineKey"]:
        return CacheEngineKey.split_layers(self, num_layers)

    @staticmethod
    def from_string(s):
        parts = s.split("@")
        if len(parts) < 6:
            raise ValueError(f"Invalid key string: {s}")
        request_configs = _parse_tags(parts, 6, s)
        return LayerCacheEngineKey(
            model_name=parts[0],
            world_size=int(parts[1]),
            worker_id=int(parts[2]),
            chunk_hash=int(parts[3], 16),
            dtype=STR_DTYPE_TO_TORCH_DTYPE[parts[4]],
            request_configs=request_configs,
            layer_id=int(parts[5]),
        )
