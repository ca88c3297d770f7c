from lmcache.utils import CacheEngineKey
from lmcache.v1.memory_management import MemoryObj
from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector


class MyConnector(RemoteConnector):
    """A dict-backed store: replace the dict with your own store."""

    def __init__(self, loop, local_cpu_backend, config):
        # LMCache builds connectors with these three keywords; the base class takes config + metadata.
        super().__init__(local_cpu_backend.config, local_cpu_backend.metadata)
        self.local_cpu_backend = local_cpu_backend
        self.store = {}

    async def exists(self, key: CacheEngineKey) -> bool:
        return self.exists_sync(key)

    def exists_sync(self, key: CacheEngineKey) -> bool:  # called from another thread: plain def
        return key.to_string() in self.store

    async def put(self, key: CacheEngineKey, memory_obj: MemoryObj):
        # Copy: LMCache's wrapper releases the buffer once put returns (not us).
        data = bytes(memoryview(memory_obj.byte_array).cast("B"))
        self.store[key.to_string()] = (data, memory_obj.get_shapes(), memory_obj.get_dtypes(), memory_obj.get_memory_format())

    async def get(self, key: CacheEngineKey):
        entry = self.store.get(key.to_string())
        if entry is None:
            return None  # a miss is a value, not an exception
        data, shapes, dtypes, fmt = entry
        obj = self.local_cpu_backend.allocate(shapes, dtypes, fmt)
        if obj is None:
            return None
        memoryview(obj.byte_array).cast("B")[:] = data
        return obj  # a fresh allocation with ref count 1: the caller releases it

    async def list(self):
        return list(self.store)

    async def close(self):
        pass
