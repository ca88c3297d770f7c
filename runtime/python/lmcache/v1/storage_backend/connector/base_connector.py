# SPDX-License-Identifier: Apache-2.0
"""``lmcache.v1.storage_backend.connector.base_connector``: ``RemoteConnector``, the abstract base
of every LMCache remote connector (newest upstream surface, "Era C").

How LMCache drives a connector:

- ``exists_sync``, ``remove_sync``, ``batched_contains`` and every ``support_*`` are called
  directly from LMCache's threads; the rest are coroutines run on the connector's event loop
  (``asyncio.run_coroutine_threadsafe``).
- ``put(key, memory_obj)``: the object carries one reference owned by the in-flight put; the
  ``InstrumentedRemoteConnector`` wrapper releases it after ``put`` returns, so ``put`` must NOT
  call ``ref_count_down()`` and must not keep using the buffer afterwards.
- ``get(key)``: return a fresh object from ``local_cpu_backend.allocate(...)`` (ref count 1), or
  None; if anything fails after allocating, ``ref_count_down()`` it yourself and return None.
- External and plugin connectors are built as ``Cls(loop=…, local_cpu_backend=…, config=…)``;
  to get the chunk-meta fields call
  ``super().__init__(local_cpu_backend.config, local_cpu_backend.metadata)``.
"""
# Standard
from typing import Any, List, Optional
import abc
import asyncio

# Third Party
import torch

# First Party
from lmcache.logging import init_logger
from lmcache.utils import CacheEngineKey
from lmcache.v1.config import LMCacheEngineConfig
from lmcache.v1.memory_management import MemoryFormat, MemoryObj, get_size_bytes
from lmcache.v1.metadata import LMCacheMetadata
from lmcache.v1.protocol import get_remote_metadata_bytes, init_remote_metadata_info

logger = init_logger(__name__)


def resolve_save_chunk_meta(config: LMCacheEngineConfig) -> bool:
    """Whether remote connectors embed per-chunk metadata alongside KV bytes.

    An explicit ``save_chunk_meta`` in extra_config always wins (by truthiness); otherwise True
    when extra_config is None or in layerwise mode; else ``extra_config.get("save_chunk_meta", True)``.
    """
    extra = config.extra_config
    if extra is not None and "save_chunk_meta" in extra:
        return bool(extra["save_chunk_meta"])
    if extra is None:
        return True
    if config.use_layerwise:
        return True
    return bool(extra.get("save_chunk_meta", True))


def layerwise_connector_meta_shapes(shapes: list[torch.Size]) -> list[torch.Size]:
    """Per-layer keys store one layer per chunk; shrink the layer dimension."""
    adjusted: list[torch.Size] = []
    for shape in shapes:
        if len(shape) == 4 and shape[1] > 1:
            adjusted.append(torch.Size([shape[0], 1, shape[2], shape[3]]))
        else:
            adjusted.append(shape)
    return adjusted


def NotAudit(func):
    """Mark a method the audit wrapper forwards without logging."""
    func._not_audit = True
    return func


class RemoteConnector(metaclass=abc.ABCMeta):
    """Interface for remote connector."""

    def __init__(self, config: LMCacheEngineConfig, metadata: Optional[LMCacheMetadata]):
        """Fill the common chunk-meta attributes:

        - ``save_chunk_meta``: whether chunks are stored with a ``RemoteMetadata`` header
        - ``meta_shapes`` / ``meta_dtypes``: shapes and dtypes of a FULL chunk, one per group
        - ``meta_fmt``: ``KV_MLA_FMT`` with MLA, else ``KV_2LTD``
        - ``full_chunk_size_bytes``, ``single_token_size`` (= full / ``metadata.chunk_size``)
        - ``remote_metadata_bytes``: header size, ``4 * (2 + 5 * num_groups)``
        """
        assert metadata is not None
        self.save_chunk_meta: bool = resolve_save_chunk_meta(config)
        self.meta_shapes: list[torch.Size] = metadata.get_shapes()
        if config.use_layerwise and not self.save_chunk_meta:
            self.meta_shapes = layerwise_connector_meta_shapes(self.meta_shapes)
        self.meta_dtypes: list[torch.dtype] = metadata.get_dtypes()
        self.meta_fmt: MemoryFormat = (
            MemoryFormat.KV_MLA_FMT if metadata.use_mla else MemoryFormat.KV_2LTD
        )
        self.full_chunk_size_bytes: int = get_size_bytes(self.meta_shapes, self.meta_dtypes)
        assert self.full_chunk_size_bytes % metadata.chunk_size == 0
        self.single_token_size = self.full_chunk_size_bytes // metadata.chunk_size

        init_remote_metadata_info(metadata.get_num_groups())
        self.remote_metadata_bytes = get_remote_metadata_bytes()
        logger.info(
            "init remote connector metadata info, shapes: %s, dtypes: %s, fmt: %s, "
            "full chunk size: %s, single token size: %s, remote metadata bytes: %s",
            self.meta_shapes,
            self.meta_dtypes,
            self.meta_fmt,
            self.full_chunk_size_bytes,
            self.single_token_size,
            self.remote_metadata_bytes,
        )

    @NotAudit
    def reshape_partial_chunk(self, memory_obj: MemoryObj, bytes_read: int) -> MemoryObj:
        """Shrink an object allocated with the FULL chunk shape to the ``bytes_read`` bytes
        actually read (for chunks stored without a header). A full read returns it unchanged.

        Raises ``ValueError("bytes_read: … is illegal, single_token_size: …,
        full_chunk_size_bytes: …")`` for 0, negative, unaligned or over-full sizes. The token
        dimension follows the shape's rank (4-D ``[2, L, T, D]`` → 2; 3-D/2-D → 0) as LMCache's
        newest unit test expects; the upstream code the kit read hard-codes 2 and lets negative
        sizes through (the kit's TypeScript runtime makes the same choice).
        """
        assert self.full_chunk_size_bytes is not None
        assert self.single_token_size is not None
        if (
            bytes_read <= 0
            or bytes_read % self.single_token_size != 0
            or bytes_read > self.full_chunk_size_bytes
        ):
            raise ValueError(
                f"bytes_read: {bytes_read} is illegal, "
                f"single_token_size: {self.single_token_size}, "
                f"full_chunk_size_bytes: {self.full_chunk_size_bytes}"
            )

        if bytes_read == self.full_chunk_size_bytes:
            return memory_obj

        shape_list = list(memory_obj.meta.shape)
        token_dim = 2 if len(shape_list) == 4 else 0
        shape_list[token_dim] = bytes_read // self.single_token_size
        actual_shape = torch.Size(shape_list)
        resize_raw_view = getattr(memory_obj, "resize_raw_view", None)
        if callable(resize_raw_view):
            resize_raw_view(bytes_read)
        else:
            memory_obj.raw_data = memory_obj.raw_data[:bytes_read]
        memory_obj.meta.shape = actual_shape
        if memory_obj.meta.shapes:
            memory_obj.meta.shapes = [actual_shape]
        refresh_metadata_view = getattr(memory_obj, "refresh_metadata_view", None)
        if callable(refresh_metadata_view):
            refresh_metadata_view()
        return memory_obj

    @NotAudit
    def post_init(self):
        """Called by Era A LMCache after construction; current LMCache does not call it."""
        logger.info("Dummy post-initializing remote connector")

    @abc.abstractmethod
    async def exists(self, key: CacheEngineKey) -> bool:
        """True if the remote server contains the key."""
        raise NotImplementedError

    @abc.abstractmethod
    def exists_sync(self, key: CacheEngineKey) -> bool:
        """Same as ``exists``, called synchronously from a non-loop thread."""
        raise NotImplementedError

    @abc.abstractmethod
    async def get(self, key: CacheEngineKey) -> Optional[MemoryObj]:
        """The memory_obj of the key, or None if the key does not exist."""
        raise NotImplementedError

    @abc.abstractmethod
    async def put(self, key: CacheEngineKey, memory_obj: MemoryObj):
        """Send the memory_obj with the corresponding key directly to the remote server.
        Will decrease the ref count after send finishes (the wrapper does, not you)."""
        raise NotImplementedError

    @abc.abstractmethod
    async def list(self) -> List[str]:
        """List all keys in the remote server."""
        raise NotImplementedError

    @abc.abstractmethod
    async def close(self):
        """Close remote server."""
        raise NotImplementedError

    def support_ping(self) -> bool:
        return False

    async def ping(self) -> int:
        """The error code, 0 means success."""
        raise NotImplementedError

    def support_batched_get(self) -> bool:
        return False

    async def batched_get(self, keys: List[CacheEngineKey]) -> List[Optional[MemoryObj]]:
        raise NotImplementedError

    def support_batched_put(self) -> bool:
        return False

    def requires_put_completion(self) -> bool:
        """Whether callers must wait for remote persistence."""
        return False

    async def batched_put(self, keys: List[CacheEngineKey], memory_objs: List[MemoryObj]):
        raise NotImplementedError

    async def batched_put_external_pages(
        self,
        keys: List[CacheEngineKey],
        buffer_ptrs: List[List[int]],
        buffer_sizes: List[List[int]],
        owners: tuple[Any, ...],
        producer_events: tuple[Any, ...] | Any,
        req_id: str,
    ) -> None:
        """Persist externally owned buffers in the connector's page format (GPU paths)."""
        raise NotImplementedError

    async def batched_get_external_pages(
        self,
        keys: List[CacheEngineKey],
        buffer_ptrs: List[List[int]],
        buffer_sizes: List[List[int]],
        owners: tuple[Any, ...],
        req_id: str,
    ) -> None:
        """Retrieve page values directly into externally owned buffers (GPU paths)."""
        raise NotImplementedError

    async def push_external_pages(
        self,
        *,
        remote_session: str,
        source_plan: Any,
        destination_descriptors: tuple[Any, ...],
        activation: Any,
    ) -> Any:
        raise NotImplementedError

    async def prepare_remote_fill_source(self, source_plan: Any) -> Any:
        raise NotImplementedError

    def get_remote_fill_destination_session(self) -> str | None:
        return None

    def batched_external_pages_exist(self, keys: List[CacheEngineKey]) -> List[bool]:
        raise NotImplementedError

    def support_batched_async_contains(self) -> bool:
        return True

    async def batched_async_contains(
        self,
        lookup_id: str,
        keys: List[CacheEngineKey],
        pin: bool = False,
    ) -> int:
        """Number of consecutive keys that exist, from the first (``exists`` for all keys at once)."""
        tasks = [self.exists(key) for key in keys]
        results = await asyncio.gather(*tasks)
        if False in results:
            return results.index(False)
        return len(results)

    def support_batched_get_non_blocking(self) -> bool:
        return True

    async def batched_get_non_blocking(
        self,
        lookup_id: str,
        keys: List[CacheEngineKey],
    ) -> List[MemoryObj]:
        """``get`` for all keys at once; only the consecutive prefix of hits is returned and
        every object fetched after the first miss or exception is released."""
        results = await asyncio.gather(*(self.get(key) for key in keys), return_exceptions=True)
        memory_objs = []
        found_failure = False
        for result in results:
            if found_failure:
                if isinstance(result, MemoryObj):
                    result.ref_count_down()
            elif isinstance(result, MemoryObj):
                memory_objs.append(result)
            else:
                if isinstance(result, Exception):
                    logger.warning(f"Exception during batched get: {result}")
                found_failure = True
        return memory_objs

    def remove_sync(self, key: CacheEngineKey) -> bool:
        """Remove a memory object; whether remove is successful."""
        raise NotImplementedError

    def batched_contains(self, keys: List[CacheEngineKey]) -> int:
        """Hit chunks by prefix match."""
        raise NotImplementedError

    def support_batched_contains(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__}>"
