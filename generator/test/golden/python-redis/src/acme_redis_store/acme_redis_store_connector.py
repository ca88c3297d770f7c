# SPDX-License-Identifier: Apache-2.0
"""AcmeRedisStoreConnector: an LMCache remote storage connector.

It stores chunks in a Redis server through redis-py's asyncio client.
Generated from the `redis` template of generator-lmcache-connector; how LMCache loads it:
the comment below, and lmcache/acme_redis_store_connector.yaml.

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
#     remote_url: "external://host:0/acme_redis_store.acme_redis_store_connector/?connector_name=AcmeRedisStoreConnector"
# or through the Remote Storage Plugin Framework
#     remote_storage_plugins: ["acme_redis_store_connector"]
#     extra_config:
#       remote_storage_plugin.acme_redis_store_connector.module_path: acme_redis_store.acme_redis_store_connector
#       remote_storage_plugin.acme_redis_store_connector.class_name: AcmeRedisStoreConnector

# Standard
from typing import List, Optional
import os
import re

# Third Party
import redis
import redis.asyncio
import torch

# First Party
from lmcache.logging import init_logger
from lmcache.utils import CacheEngineKey
from lmcache.v1.memory_management import MemoryFormat, MemoryObj
from lmcache.v1.protocol import RemoteMetadata
from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector

logger = init_logger(__name__)


def _unpadded(shape) -> torch.Size:
    """A header shape without its 4-D padding. LMCache keeps [n, 0, 0, 0] for BINARY formats,
    which would allocate zero elements for n stored bytes, so the zeros go for every format."""
    dims = list(shape)
    while len(dims) > 1 and dims[-1] == 0:
        dims.pop()
    return torch.Size(dims)


def encode_header(memory_obj: MemoryObj) -> bytes:
    """LMCache's RemoteMetadata header of a chunk (lmcache/v1/protocol.py; little-endian int32s
    length, fmt, then dtype code and shape[0..3] per group: 28 bytes for one group), as its
    FSConnector and RedisConnector write it with the default save_chunk_meta: true. (With
    save_chunk_meta: false LMCache stores the bytes alone; this template always writes the
    header, so `get` can restore any shape.)"""
    return RemoteMetadata(
        len(memory_obj.byte_array),
        memory_obj.get_shapes(),
        memory_obj.get_dtypes(),
        memory_obj.get_memory_format(),
    ).serialize()


# extra_config keys naming the Redis URL, in order of precedence.
URL_KEYS = ("remote_storage_plugin.acme_redis_store_connector.url", "redis_url")

# Used when no URL key is set and the REDIS_URL environment variable is empty.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379"

# extra_config key of the prefix put before every Redis key (default "lmcache:").
KEY_PREFIX_KEY = "remote_storage_plugin.acme_redis_store_connector.key_prefix"

# extra_config key: how long one Redis call may take, in seconds (default 5).
TIMEOUT_KEY = "remote_storage_plugin.acme_redis_store_connector.timeout_secs"


def redis_url(extra_config: dict) -> str:
    """The Redis URL from extra_config (see URL_KEYS), else $REDIS_URL, else DEFAULT_REDIS_URL."""
    for key in URL_KEYS:
        value = extra_config.get(key)
        if value not in (None, ""):
            return str(value)
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


def redacted(url: str) -> str:
    """The URL without its password, for logs and errors (secrets are never printed)."""
    return re.sub(r"//([^/@]*)@", "//***@", url)


def _glob_escape(text: str) -> str:
    """Escapes Redis glob characters so the key prefix matches literally in SCAN."""
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


class AcmeRedisStoreConnector(RemoteConnector):
    """See the module docstring. Each chunk is ONE Redis string value under <prefix><key string>:
    the RemoteMetadata header followed by the bytes. LMCache's RedisConnector writes the same two
    parts under two keys (<key>metadata, <key>kv_bytes); one value makes a put atomic, so a
    reader never finds a header without its bytes.

    The coroutines use redis-py's asyncio client on LMCache's event loop; exists_sync and remove_sync
    (called from LMCache's other threads, e.g. with extra_config.use_exists_sync) ask the server
    through redis-py's synchronous client, so they see what other LMCache instances stored."""

    def __init__(self, loop, local_cpu_backend, config):
        # As LMCache's own connectors do: fills save_chunk_meta, meta_shapes, meta_dtypes,
        # meta_fmt, full_chunk_size_bytes, single_token_size and remote_metadata_bytes.
        super().__init__(local_cpu_backend.config, local_cpu_backend.metadata)
        self.loop = loop
        self.local_cpu_backend = local_cpu_backend
        # LMCache passes no URL: settings come from config.extra_config.
        self.extra_config = dict(getattr(config or local_cpu_backend.config, "extra_config", None) or {})
        self.closed = False
        self.url = redis_url(self.extra_config)
        self.key_prefix = str(self.extra_config.get(KEY_PREFIX_KEY) or "lmcache:")
        timeout = float(self.extra_config.get(TIMEOUT_KEY) or 5)
        options = dict(socket_timeout=timeout, socket_connect_timeout=timeout)
        # Connections open on first use, on the loop that uses them (LMCache's, for the async one).
        self.client = redis.asyncio.Redis.from_url(self.url, **options)
        self.sync_client = redis.Redis.from_url(self.url, **options)
        logger.info(f"AcmeRedisStoreConnector stores chunks in Redis at {redacted(self.url)}")

    def redis_key(self, key: CacheEngineKey) -> str:
        return self.key_prefix + key.to_string()

    async def exists(self, key: CacheEngineKey) -> bool:
        self._check_open()
        return await self.client.exists(self.redis_key(key)) == 1

    def exists_sync(self, key: CacheEngineKey) -> bool:
        self._check_open()
        return self.sync_client.exists(self.redis_key(key)) == 1

    async def get(self, key: CacheEngineKey) -> Optional[MemoryObj]:
        self._check_open()
        data = await self.client.get(self.redis_key(key))
        if data is None:
            return None
        return self._decode(key, data)

    async def put(self, key: CacheEngineKey, memory_obj: MemoryObj):
        self._check_open()
        # One value, header + a copy of the bytes: nothing of memory_obj is kept after put.
        await self.client.set(self.redis_key(key), encode_header(memory_obj) + bytes(memory_obj.byte_array))

    async def list(self) -> List[str]:
        self._check_open()
        keys = []
        async for redis_key in self.client.scan_iter(match=_glob_escape(self.key_prefix) + "*", count=500):
            keys.append(redis_key.decode("utf-8", "surrogateescape")[len(self.key_prefix) :])
        return list(dict.fromkeys(keys))  # SCAN may return a key twice while the keyspace grows

    async def close(self):
        if self.closed:
            return
        self.closed = True
        # redis-py 5 names it aclose(); 4.x (Debian's) close().
        close_async = getattr(self.client, "aclose", None) or self.client.close
        try:
            await close_async()
        finally:
            self.sync_client.close()

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

    def _decode(self, key: CacheEngineKey, data: bytes) -> Optional[MemoryObj]:
        """A stored chunk (header + bytes) back into a fresh object; None when it is corrupt."""
        try:
            if len(data) < self.remote_metadata_bytes:
                raise RuntimeError(f"stored chunk is truncated ({len(data)} bytes)")
            metadata = RemoteMetadata.deserialize(data[: self.remote_metadata_bytes])
            payload = memoryview(data)[self.remote_metadata_bytes :]
            if metadata.length != len(payload):
                raise RuntimeError(f"header says {metadata.length} bytes, {len(payload)} stored")
        except Exception as e:
            logger.error(f"Corrupt chunk for {key.to_string()}: {e}")
            return None
        return self._allocate_filled([_unpadded(s) for s in metadata.shapes], metadata.dtypes, metadata.fmt, payload)

    def support_batched_get(self) -> bool:
        return True

    async def batched_get(self, keys: List[CacheEngineKey]) -> List[Optional[MemoryObj]]:
        """One slot per key: the hits up to the first miss, then None for every later key. It
        stops fetching at the first miss, so nothing is allocated that LMCache would not read
        (LMCache #2544); RemoteBackend asserts one slot per key."""
        self._check_open()
        # One round trip for every value, then objects only up to the first miss.
        values = await self.client.mget([self.redis_key(key) for key in keys]) if keys else []
        out: List[Optional[MemoryObj]] = []
        missed = False
        for key, data in zip(keys, values):
            memory_obj = None if missed or data is None else self._decode(key, data)
            missed = missed or memory_obj is None
            out.append(memory_obj)
        return out

    def support_batched_put(self) -> bool:
        return True

    async def batched_put(self, keys: List[CacheEngineKey], memory_objs: List[MemoryObj]):
        """Same ownership rule as put: LMCache releases every object afterwards, not us."""
        if len(keys) != len(memory_objs):
            raise ValueError(f"batched_put got {len(keys)} keys but {len(memory_objs)} objects")
        self._check_open()
        # One pipeline (no transaction): every SET in one round trip.
        pipe = self.client.pipeline(transaction=False)
        for key, memory_obj in zip(keys, memory_objs):
            pipe.set(self.redis_key(key), encode_header(memory_obj) + bytes(memory_obj.byte_array))
        await pipe.execute()

    def support_batched_contains(self) -> bool:
        return True

    def batched_contains(self, keys: List[CacheEngineKey]) -> int:
        """How many leading keys are stored (LMCache's prefix rule); called synchronously."""
        hits = 0
        while hits < len(keys) and self.exists_sync(keys[hits]):
            hits += 1
        return hits

    def support_ping(self) -> bool:
        return True

    async def ping(self) -> int:
        """LMCache's health monitor: 0 means healthy, any other number is an error code."""
        self._check_open()
        try:
            return 0 if await self.client.ping() else 1
        except redis.RedisError:
            return 1  # unreachable: LMCache's health monitor switches to its fallback

    def remove_sync(self, key: CacheEngineKey) -> bool:
        """Removes `key` synchronously (LMCache calls it on eviction); True when it was stored."""
        self._check_open()
        return self.sync_client.delete(self.redis_key(key)) == 1
