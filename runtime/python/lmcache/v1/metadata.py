# SPDX-License-Identifier: Apache-2.0
"""``lmcache.v1.metadata``: ``LMCacheMetadata``, what the serving engine tells LMCache about the
model (newest upstream fields). ``get_shapes()``/``get_dtypes()`` read the layer groups when a
``kv_layer_groups_manager`` with ``kernel_groups`` is set, else the legacy ``kv_shape``/``kv_dtype``.
"""
# Standard
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

# Third Party
import torch

if TYPE_CHECKING:
    # First Party
    from lmcache.v1.kv_layer_groups import KVLayerGroupsManager


@dataclass
class LMCacheMetadata:
    """name of the LLM model"""

    model_name: str
    """global world size (total number of workers)"""
    world_size: int
    """workers on this host"""
    local_world_size: int
    """worker id"""
    worker_id: int
    """worker id on this host"""
    local_worker_id: int
    """(Deprecated) the data type of kv tensors"""
    kv_dtype: torch.dtype
    """(Deprecated) (num_layer, 2, chunk_size, num_kv_head, head_size)"""
    kv_shape: tuple[int, int, int, int, int]
    use_mla: bool = False
    role: Optional[str] = None
    first_rank = 0
    served_model_name: Optional[str] = None
    chunk_size: int = 256
    kv_layer_groups_manager: Optional["KVLayerGroupsManager"] = None
    engine_id: Optional[str] = None
    kv_connector_extra_config: Optional[dict] = None

    def is_first_rank(self) -> bool:
        return self.worker_id == self.first_rank

    def get_dtypes(self) -> list[torch.dtype]:
        klg_manager = self.kv_layer_groups_manager
        if klg_manager is not None and klg_manager.kernel_groups:
            return [group.dtype for group in klg_manager.kernel_groups]
        return [self.kv_dtype]

    def get_shapes(self, num_tokens: Optional[int] = None) -> list[torch.Size]:
        if num_tokens is None:
            num_tokens = self.chunk_size
        klg_manager = self.kv_layer_groups_manager
        if klg_manager is not None and klg_manager.kernel_groups:
            return [
                torch.Size(
                    [group.shape_desc.kv_size, group.num_layers, num_tokens, group.hidden_dim_size]
                )
                for group in klg_manager.kernel_groups
            ]
        return [
            torch.Size(
                [self.kv_shape[1], self.kv_shape[0], num_tokens, self.kv_shape[3] * self.kv_shape[4]]
            )
        ]

    def get_num_groups(self) -> int:
        klg_manager = self.kv_layer_groups_manager
        if klg_manager is not None and klg_manager.kernel_groups:
            return klg_manager.num_kernel_groups
        return 1
