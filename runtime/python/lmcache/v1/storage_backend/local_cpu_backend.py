# SPDX-License-Identifier: Apache-2.0
"""``lmcache.v1.storage_backend.local_cpu_backend``: ``LocalCPUBackend``, the CPU hot cache in front
of remote stores, with the attributes and methods connectors use: ``allocate(shapes, dtypes,
fmt)``, ``batched_allocate``, ``config``, ``metadata``, ``memory_allocator``,
``get_memory_allocator()``, ``get_full_chunk_size_bytes()``, plus the hot-cache methods
(``contains``, ``submit_put_task``, ``get_blocking``, ``pin``, ``unpin``, ``remove``, …).

Reduced from LMCache (ours): one LRU hot cache (other ``cache_policy`` values are accepted and
treated as LRU), no controller messages, metrics or background evictor thread.

Seam (LMCache's own constructor argument): pass ``memory_allocator=`` any object with LMCache's
allocator methods — ``allocate(shapes, dtypes, fmt) -> MemoryObj | None``, ``batched_allocate``,
``free``, ``batched_free``, ``close`` (see ``MemoryAllocatorInterface``) — and every ``allocate``
goes to it. Without one, a ``TensorMemoryAllocator`` of ``max_local_cpu_size`` GB is made.

LMCache behaviour kept: when the allocator is full, ``allocate`` evicts evictable hot-cache
entries; with nothing to evict and ``busy_loop=True`` it waits
``extra_config["local_cpu.evict_retry_interval_ms"]`` (100) ms and retries, for at most
``extra_config["local_cpu.evict_max_wait_ms"]`` ms — 0, the default, means forever, as in
LMCache (the kit's watchdog then reports the hang).
"""
# Standard
from collections import OrderedDict
from typing import Any, Callable, List, Optional, Sequence, Union
import threading
import time

# Third Party
import torch

# First Party
from lmcache.logging import init_logger
from lmcache.utils import CacheEngineKey
from lmcache.v1.config import LMCacheEngineConfig
from lmcache.v1.memory_management import (
    MemoryAllocatorInterface,
    MemoryFormat,
    MemoryObj,
    TensorMemoryAllocator,
    dtype_itemsize,
)
from lmcache.v1.metadata import LMCacheMetadata

logger = init_logger(__name__)


class LocalCPUBackend:
    """Even if local_cpu is False (the hot_cache is not used), contains(), remove(),
    get_blocking(), get_keys() and clear() are still callable."""

    def __init__(
        self,
        config: LMCacheEngineConfig,
        metadata: Optional[LMCacheMetadata] = None,
        dst_device: str = "cpu",
        lmcache_worker: Optional[Any] = None,
        memory_allocator: Optional[MemoryAllocatorInterface] = None,
        global_kvclient: Optional[Any] = None,
    ):
        self.dst_device = dst_device
        self.hot_cache: "OrderedDict[CacheEngineKey, MemoryObj]" = OrderedDict()
        self.use_hot = config.local_cpu
        assert metadata is not None or memory_allocator is not None
        self.memory_allocator = (
            self.initialize_allocator(config, metadata)
            if memory_allocator is None
            else memory_allocator
        )
        self.lmcache_worker = lmcache_worker
        self.instance_id = config.lmcache_instance_id
        self.cpu_lock = threading.Lock()
        self.layerwise = config.use_layerwise
        self.enable_blending = config.enable_blending
        self.config = config
        self.metadata = metadata
        self.global_kvclient = global_kvclient
        self.keys_in_request: List[CacheEngineKey] = []
        self.evict_retry_interval_ms = max(
            1, int(config.get_extra_config_value("local_cpu.evict_retry_interval_ms", 100))
        )
        self.evict_max_wait_ms = max(
            0, int(config.get_extra_config_value("local_cpu.evict_max_wait_ms", 0))
        )
        self.evict_batch_candidates = max(
            1, int(config.get_extra_config_value("local_cpu.evict_batch_candidates", 16))
        )

    def __str__(self):
        return self.__class__.__name__

    def initialize_allocator(
        self, config: LMCacheEngineConfig, metadata: Optional[LMCacheMetadata] = None
    ) -> MemoryAllocatorInterface:
        """A ``TensorMemoryAllocator`` over ``max_local_cpu_size`` GB of (lazily touched) memory."""
        size = int(config.max_local_cpu_size * 1024**3)
        return TensorMemoryAllocator(torch.empty(size, dtype=torch.uint8))

    def contains(self, key: CacheEngineKey, pin: bool = False) -> bool:
        with self.cpu_lock:
            if key not in self.hot_cache:
                return False
            if pin:
                self.hot_cache[key].pin()
                self.keys_in_request.append(key)
            return True

    def touch_cache(self):
        with self.cpu_lock:
            for key in reversed(self.keys_in_request):
                if key in self.hot_cache:
                    self.hot_cache.move_to_end(key)
            self.keys_in_request = []

    def exists_in_put_tasks(self, key: CacheEngineKey) -> bool:
        return False

    def submit_put_task(
        self,
        key: CacheEngineKey,
        memory_obj: MemoryObj,
        on_complete_callback: Optional[Callable[[CacheEngineKey], None]] = None,
    ) -> None:
        """Synchronously store the object (taking a reference); a key already present is a
        no-op and gets no callback."""
        with self.cpu_lock:
            if key in self.hot_cache:
                return None
            memory_obj.ref_count_up()
            self.hot_cache[key] = memory_obj
        if on_complete_callback is not None:
            try:
                on_complete_callback(key)
            except Exception as e:
                logger.warning("on_complete_callback failed for key %s: %s", key, e)
        return None

    def batched_submit_put_task(
        self,
        keys: Sequence[CacheEngineKey],
        memory_objs: List[MemoryObj],
        transfer_spec: Any = None,
        on_complete_callback: Optional[Callable[[CacheEngineKey], None]] = None,
    ) -> None:
        if not self.use_hot:
            return
        for key, memory_obj in zip(keys, memory_objs, strict=False):
            self.submit_put_task(key, memory_obj, on_complete_callback=on_complete_callback)

    def get_blocking(self, key: CacheEngineKey) -> Optional[MemoryObj]:
        """The stored object with one more reference for the caller (who must release it)."""
        with self.cpu_lock:
            if key not in self.hot_cache:
                return None
            memory_obj = self.hot_cache[key]
            memory_obj.ref_count_up()
            return memory_obj

    async def batched_get_non_blocking(
        self, lookup_id: str, keys: list[CacheEngineKey], transfer_spec: Any = None
    ) -> list[MemoryObj]:
        mem_objs = []
        with self.cpu_lock:
            for key in keys:
                mem_obj = self.hot_cache[key]
                mem_obj.ref_count_up()
                mem_objs.append(mem_obj)
        return mem_objs

    async def batched_async_contains(
        self, lookup_id: str, keys: List[CacheEngineKey], pin: bool = False
    ) -> int:
        num_hit_chunks = 0
        with self.cpu_lock:
            for key in keys:
                if key not in self.hot_cache:
                    return num_hit_chunks
                if pin:
                    self.hot_cache[key].pin()
                    self.keys_in_request.append(key)
                num_hit_chunks += 1
        return num_hit_chunks

    def pin(self, key: CacheEngineKey) -> bool:
        with self.cpu_lock:
            if key not in self.hot_cache:
                return False
            self.hot_cache[key].pin()
            return True

    def unpin(self, key: CacheEngineKey) -> bool:
        with self.cpu_lock:
            if key not in self.hot_cache:
                return False
            self.hot_cache[key].unpin()
            return True

    def remove(self, key: CacheEngineKey, force: bool = True) -> bool:
        if force:
            with self.cpu_lock:
                memory_obj = self.hot_cache.pop(key, None)
        else:
            memory_obj = self.hot_cache.pop(key, None)
        if memory_obj is None:
            return False
        memory_obj.ref_count_down()
        return True

    def batched_remove(self, keys: list[CacheEngineKey], force: bool = True) -> int:
        return sum(1 for key in keys if self.remove(key, force=force))

    def _evict_once(self, num_candidates: int) -> int:
        """Release up to ``num_candidates`` evictable entries, oldest first."""
        if not self.use_hot:
            return 0
        with self.cpu_lock:
            victims = []
            for key, memory_obj in self.hot_cache.items():
                if len(victims) >= num_candidates:
                    break
                if memory_obj.can_evict:
                    victims.append(key)
            objs = [self.hot_cache.pop(key) for key in victims]
        for memory_obj in objs:
            memory_obj.ref_count_down()
        return len(objs)

    def _default_fmt(self) -> MemoryFormat:
        if self.layerwise:
            return MemoryFormat.KV_2TD if self.enable_blending else MemoryFormat.KV_T2D
        return MemoryFormat.KV_2LTD

    def _allocate_with_eviction(self, attempt: Callable[[], Any], eviction: bool, busy_loop: bool):
        result = attempt()
        if result is not None or not eviction:
            return result
        started_at = time.monotonic()
        while True:
            if self._evict_once(self.evict_batch_candidates) == 0:
                if not busy_loop:
                    return None
                elapsed_ms = (time.monotonic() - started_at) * 1000
                if self.evict_max_wait_ms > 0 and elapsed_ms >= self.evict_max_wait_ms:
                    logger.warning(
                        "Stop waiting for local cpu eviction after %.2fms (max=%dms)",
                        elapsed_ms,
                        self.evict_max_wait_ms,
                    )
                    return None
                wait_seconds = self.evict_retry_interval_ms / 1000.0
                logger.warning(
                    "No eviction candidates found in local cpu backend. "
                    "Local cpu memory is under pressure. Waiting for %.3f seconds.",
                    wait_seconds,
                )
                time.sleep(wait_seconds)
            result = attempt()
            if result is not None:
                return result

    def allocate(
        self,
        shapes: Union[torch.Size, list[torch.Size]],
        dtypes: Union[torch.dtype, list[torch.dtype]],
        fmt: Optional[MemoryFormat] = None,
        eviction: bool = True,
        busy_loop: bool = True,
    ) -> Optional[MemoryObj]:
        """A new memory object (ref count 1) of these shapes/dtypes, evicting if necessary.
        ``fmt`` defaults to ``KV_2LTD`` (layerwise: ``KV_T2D``, or ``KV_2TD`` with blending)."""
        if fmt is None:
            fmt = self._default_fmt()
        return self._allocate_with_eviction(
            lambda: self.memory_allocator.allocate(shapes, dtypes, fmt), eviction, busy_loop
        )

    def batched_allocate(
        self,
        shapes: Union[torch.Size, list[torch.Size]],
        dtypes: Union[torch.dtype, list[torch.dtype]],
        batch_size: int,
        fmt: Optional[MemoryFormat] = None,
        eviction: bool = True,
        busy_loop: bool = True,
    ) -> Optional[List[MemoryObj]]:
        if fmt is None:
            fmt = self._default_fmt()
        return self._allocate_with_eviction(
            lambda: self.memory_allocator.batched_allocate(shapes, dtypes, batch_size, fmt),
            eviction,
            busy_loop,
        )

    def get_full_chunk_size_bytes(self) -> int:
        """Bytes of one full chunk per rank (layerwise: one layer)."""
        assert self.metadata is not None, "metadata required for chunk budget calculation"
        chunk_tokens = self.config.chunk_size
        num_layers, kv_size, _, num_heads, head_size = self.metadata.kv_shape
        hidden_dim = num_heads * head_size
        dtype_size = dtype_itemsize(self.metadata.kv_dtype)
        if self.layerwise:
            return chunk_tokens * kv_size * hidden_dim * dtype_size
        return kv_size * num_layers * chunk_tokens * hidden_dim * dtype_size

    def calculate_chunk_budget(self) -> int:
        total_memory = int(self.config.max_local_cpu_size * 1024**3)
        chunk_bytes = self.get_full_chunk_size_bytes()
        assert hasattr(self.memory_allocator, "align_bytes")
        alignment = self.memory_allocator.align_bytes
        aligned_chunk_bytes = ((chunk_bytes + alignment - 1) // alignment) * alignment
        return total_memory // aligned_chunk_bytes

    def get_keys(self) -> List[CacheEngineKey]:
        """Keys from LRU to MRU."""
        with self.cpu_lock:
            return list(self.hot_cache.keys())

    def clear(self) -> int:
        """Remove the evictable entries; the number of tokens they held."""
        if not self.use_hot:
            return 0
        clear_keys = []
        num_cleared_tokens = 0
        with self.cpu_lock:
            for key, memory_obj in self.hot_cache.items():
                if not memory_obj.can_evict:
                    continue
                clear_keys.append(key)
                num_cleared_tokens += memory_obj.get_num_tokens()
        self.batched_remove(clear_keys)
        return num_cleared_tokens

    def get_allocator_backend(self):
        return self

    def get_memory_allocator(self):
        return self.memory_allocator

    def close(self) -> None:
        self.clear()
        self.memory_allocator.close()
