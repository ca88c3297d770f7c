# SPDX-License-Identifier: Apache-2.0
"""``lmcache.config``: ``LMCacheEngineMetadata``, the engine metadata of LMCache's v0 API and of
older v1 code. Current LMCache hands connectors a ``lmcache.v1.metadata.LMCacheMetadata``
(``local_cpu_backend.metadata``); this older class is here for connectors that still import it.
"""
# Standard
from dataclasses import dataclass
from typing import Optional

# Third Party
import torch


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
    """the data type of kv tensors"""
    kv_dtype: torch.dtype
    """(num_layer, 2, chunk_size, num_kv_head, head_size)"""
    kv_shape: tuple[int, int, int, int, int]
    """whether use MLA"""
    use_mla: bool = False
    """the role of the current instance (e.g., 'scheduler', 'worker')"""
    role: Optional[str] = None
