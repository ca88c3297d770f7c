# SPDX-License-Identifier: Apache-2.0
"""AcmeStoreConnector: an LMCache remote storage connector.

It keeps chunks in a dict inside the process.
Generated from the `memory` template of generator-lmcache-connector; how LMCache loads it:
the comment below, and lmcache/acme_store_connector.yaml.

The rules LMCache relies on, which `python3 -m pytest` (the conformance suite) checks:
- `get` returns a FRESH object from `local_cpu_backend.allocate(...)` filled with the stored
  bytes, or None on a miss. If anything fails after allocating, release it (`ref_count_down()`).
- `put` must NOT call `memory_obj.ref_count_down()`: LMCache releases the object after `put`
  returns, so copy what you keep before returning.
- `exists`, `get`, `put`, `list`, `close` (and `batched_*`, `ping`) are coroutines LMCache runs
  on its event loop, in another thread; `exists_sync`, `remove_sync` and `batched_contains` are
  plain `def`s it calls directly from its own threads.
- After `close()`, calls raise instead of hanging or succeeding.
"""
# LMCache loads the class, once this package is importable (`pip install -e .`, or
# PYTHONPATH=src), either from a URL
#     remote_url: "external://host:0/acme_store.acme_store_connector/?connector_name=AcmeStoreConnector"
# or through the Remote Storage Plugin Framework
#     remote_storage_plugins: ["acme_store_connector"]
#     extra_config:
#       remote_storage_plugin.acme_store_connector.module_path: acme_store.acme_store_connector
#       remote_storage_plugin.acme_store_connector.class_name: AcmeStoreConnector

# Standard
from typing import List, Optional

# First Party
from lmcache.logging import init_logger
from lmcache.utils import CacheEngineKey
from lmcache.v1.memory_management import MemoryFormat, MemoryObj
from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector

logger = init_logger(__name__)


class AcmeStoreConnector(RemoteConnector):
    """See the module docstring."""

    def __init__(self, loop, local_cpu_backend, config):
        # As LMCache's own connectors do: fills save_chunk_meta, meta_shapes, meta_dtypes,
        # meta_fmt, full_chunk_size_bytes, single_token_size and remote_metadata_bytes.
        super().__init__(local_cpu_backend.config, local_cpu_backend.metadata)
        self.loop = loop
        self.local_cpu_backend = local_cpu_backend
        # LMCache passes no URL: settings come from config.extra_config.
        self.extra_config = dict(getattr(config or local_cpu_backend.config, "extra_config", None) or {})
        self.closed = False
        # Your store goes here: this dict stands in for the service the connector talks to.
        # Each entry: (a private copy of the bytes, shapes, dtypes, memory format).
        self.store: dict = {}

    async def exists(self, key: CacheEngineKey) -> bool:
        return self.exists_sync(key)

    def exists_sync(self, key: CacheEngineKey) -> bool:
        self._check_open()
        return key.to_string() in self.store

    async def get(self, key: CacheEngineKey) -> Optional[MemoryObj]:
        self._check_open()
        entry = self.store.get(key.to_string())
        if entry is None:
            return None  # a miss is a value, not an exception
        data, shapes, dtypes, fmt = entry
        return self._allocate_filled(shapes, dtypes, fmt, data)

    async def put(self, key: CacheEngineKey, memory_obj: MemoryObj):
        self._check_open()
        # Copy: memory_obj's bytes belong to LMCache's CPU cache and are released after put.
        self.store[key.to_string()] = (
            bytes(memory_obj.byte_array),
            list(memory_obj.get_shapes()),
            list(memory_obj.get_dtypes()),
            memory_obj.get_memory_format(),
        )

    async def list(self) -> List[str]:
        self._check_open()
        return list(self.store)

    async def close(self):
        # Close your client here; a second close() must be harmless.
        self.closed = True

    def _check_open(self) -> None:
        if self.closed:
            raise RuntimeError(f"{type(self).__name__} is closed")

    def _allocate_filled(self, shapes, dtypes, fmt: MemoryFormat, data) -> Optional[MemoryObj]:
        """Allocates the object `get` returns and copies `data` in; releases it if that fails."""
        memory_obj = self.local_cpu_backend.allocate(shapes, dtypes, fmt)
        if memory_obj is None:
            # The local CPU cache is full: a miss, as LMCache's own connectors report it.
            logger.warning("Failed to allocate memory during remote receive")
            return None
        try:
            # byte_array is a '<B' memoryview: LMCache refuses slice assignment into it directly.
            view = memoryview(memory_obj.byte_array).cast("B")
            if len(view) != len(data):
                raise RuntimeError(f"allocated {len(view)} bytes for a {len(data)}-byte chunk")
            view[:] = data
            return memory_obj
        except Exception as e:
            logger.error(f"Failed to read chunk: {e}")
            memory_obj.ref_count_down()  # our own allocation: nobody else will release it
            return None

    def support_ping(self) -> bool:
        return True

    async def ping(self) -> int:
        """LMCache's health monitor: 0 means healthy, any other number is an error code."""
        self._check_open()
        return 0  # your store's health check goes here: 0 = healthy, anything else = an error code
