# SPDX-License-Identifier: Apache-2.0
"""``lmcache.v1.kv_layer_groups`` (reduced, ours): just the attributes ``LMCacheMetadata`` reads
from a layer group — ``num_layers``, ``hidden_dim_size``, ``dtype``, ``shape_desc.kv_size`` — and
the manager's ``kernel_groups`` / ``num_kernel_groups``. LMCache builds these from the serving
engine's KV caches; the kit builds them from the TypeScript metadata's ``kvLayerGroups``.
"""
# Standard
from dataclasses import dataclass, field
from typing import List, Optional

# Third Party
import torch


@dataclass
class KVShapeDesc:
    """``kv_size``: 2 for K and V, 1 for MLA."""

    kv_size: int = 2


@dataclass
class KVLayerGroupInfo:
    """One group of layers sharing a KV shape and dtype."""

    layer_names: List[str]
    num_layers: int
    hidden_dim_size: int
    dtype: torch.dtype
    shape_desc: KVShapeDesc = field(default_factory=KVShapeDesc)


@dataclass
class KVLayerGroupsManager:
    kernel_groups: List[KVLayerGroupInfo] = field(default_factory=list)

    @property
    def num_kernel_groups(self) -> int:
        return len(self.kernel_groups)

    def group_of(self, layer_name: str) -> Optional[KVLayerGroupInfo]:
        for group in self.kernel_groups:
            if layer_name in group.layer_names:
                return group
        return None
