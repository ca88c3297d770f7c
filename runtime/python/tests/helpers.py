# SPDX-License-Identifier: Apache-2.0
"""Shared builders for the tests: a config, metadata, backend and a minimal connector."""
# Third Party
import torch

# First Party
from lmcache.v1.config import LMCacheEngineConfig
from lmcache.v1.memory_management import TensorMemoryAllocator, tensor_from_buffer
from lmcache.v1.metadata import LMCacheMetadata
from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector
from lmcache.v1.storage_backend.local_cpu_backend import LocalCPUBackend


def make_metadata(chunk_size=16, use_mla=False, dtype=torch.bfloat16, layers=2, heads=2, head_size=8):
    kv = 1 if use_mla else 2
    return LMCacheMetadata(
        model_name="test-model",
        world_size=1,
        local_world_size=1,
        worker_id=0,
        local_worker_id=0,
        kv_dtype=dtype,
        kv_shape=(layers, kv, chunk_size, heads, head_size),
        use_mla=use_mla,
        chunk_size=chunk_size,
    )


def make_config(**kw):
    kw.setdefault("chunk_size", 16)
    return LMCacheEngineConfig.from_defaults(**kw)


def make_backend(config=None, metadata=None, capacity=1 << 20):
    allocator = TensorMemoryAllocator(tensor_from_buffer(bytearray(capacity)))
    return LocalCPUBackend(config or make_config(), metadata or make_metadata(), memory_allocator=allocator)


class DictConnector(RemoteConnector):
    """A correct dict-backed connector, written as an LMCache external connector is."""

    def __init__(self, loop, local_cpu_backend, config):
        super().__init__(local_cpu_backend.config, local_cpu_backend.metadata)
        self.backend = local_cpu_backend
        self.store = {}

    async def exists(self, key):
        return self.exists_sync(key)

    def exists_sync(self, key):
        return key.to_string() in self.store

    async def get(self, key):
        entry = self.store.get(key.to_string())
        if entry is None:
            return None
        data, shapes, dtypes, fmt = entry
        obj = self.backend.allocate(shapes, dtypes, fmt)
        memoryview(obj.byte_array).cast("B")[:] = data
        return obj

    async def put(self, key, memory_obj):
        self.store[key.to_string()] = (
            bytes(memory_obj.byte_array),
            memory_obj.get_shapes(),
            memory_obj.get_dtypes(),
            memory_obj.get_memory_format(),
        )

    async def list(self):
        return list(self.store)

    async def close(self):
        self.store.clear()
