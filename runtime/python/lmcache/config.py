# SPDX-License-Identifier: Apache-2.0
"""``lmcache.config``: ``LMCacheEngineMetadata``, the engine metadata of LMCache up to v0.3.x
(LMCache v0.4 moved it to ``lmcache.v1.metadata.LMCacheMetadata``, dropping ``fmt`` and adding
``local_world_size``/``local_worker_id``). Kept for connectors that still import it; the kit
hands connectors a ``LMCacheMetadata`` (``local_cpu_backend.metadata``), as current LMCache does.
"""
# Standard
from dataclasses import dataclass, field
from typing import Optional

# Third Party
import torch

# First Party
from lmcache.v1.kv_layer_groups import KVLayerGroupsManager


@dataclass
class LMCacheEngineMetadata:
    """name of the LLM model"""

    model_name: str
    """world size when running under a distributed setting"""
    world_size: int
    """worker id when running under a distributed setting"""
    worker_id: int
    """the format of kv tensors (``"vllm"``, ``"huggingface"``)"""
    fmt: str
    """(Deprecated) the data type of kv tensors"""
    kv_dtype: torch.dtype
    """(Deprecated) (num_layer, 2, chunk_size, num_kv_head, head_size)"""
    kv_shape: tuple[int, int, int, int, int]
    """whether use MLA"""
    use_mla: bool = False
    """the role of the current instance (e.g., 'scheduler', 'worker')"""
    role: Optional[str] = None
    first_rank = 0
    served_model_name: Optional[str] = None
    chunk_size: int = 256
    kv_layer_groups_manager: KVLayerGroupsManager = field(default_factory=KVLayerGroupsManager)

    def is_first_rank(self) -> bool:
        return self.worker_id == self.first_rank

    def get_dtypes(self) -> list[torch.dtype]:
        groups = self.kv_layer_groups_manager.kernel_groups if self.kv_layer_groups_manager else []
        return [g.dtype for g in groups] if groups else [self.kv_dtype]

    def get_shapes(self, num_tokens: Optional[int] = None) -> list[torch.Size]:
        if num_tokens is None:
            num_tokens = self.chunk_size
        groups = self.kv_layer_groups_manager.kernel_groups if self.kv_layer_groups_manager else []
        if groups:
            return [torch.Size([g.shape_desc.kv_size, g.num_layers, num_tokens, g.hidden_dim_size]) for g in groups]
        kv = self.kv_shape
        return [torch.Size([kv[1], kv[0], num_tokens, kv[3] * kv[4]])]

    def get_num_groups(self) -> int:
        groups = self.kv_layer_groups_manager.kernel_groups if self.kv_layer_groups_manager else []
        return len(groups) if groups else 1
