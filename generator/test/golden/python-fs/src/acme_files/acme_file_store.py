# SPDX-License-Identifier: Apache-2.0
"""AcmeFileStore: an LMCache remote storage connector.

It stores one file per chunk under a directory, in LMCache's FSConnector format.
Generated from the `fs` template of generator-lmcache-connector; how LMCache loads it:
the comment below, and lmcache/acme_file_store.yaml.

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
#     remote_url: "external://host:0/acme_files.acme_file_store/?connector_name=AcmeFileStore"
# or through the Remote Storage Plugin Framework
#     remote_storage_plugins: ["acme_file_store"]
#     extra_config:
#       remote_storage_plugin.acme_file_store.module_path: acme_files.acme_file_store
#       remote_storage_plugin.acme_file_store.class_name: AcmeFileStore

# Standard
from pathlib import Path
from typing import List, Optional
import os
import re
import tempfile
import uuid

# Third Party
import aiofiles
import aiofiles.os
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


# extra_config key naming the directory chunks are stored in.
BASE_PATH_KEY = "remote_storage_plugin.acme_file_store.base_path"

# The directory used when BASE_PATH_KEY is not set.
DEFAULT_BASE_PATH = os.path.join(tempfile.gettempdir(), "acme_file_store")

_UNSAFE = re.compile(r"[%/\x00-\x1f\x7f]")
_UNSAFE_FOLDED = re.compile(r"[%/\x00-\x1f\x7fA-Z]")


def file_stem(key: str, folds_case: bool = False) -> str:
    """The file name stem of a key string. LMCache's FSConnector writes <key string>.data with "/"
    replaced by "-SEP-" ("-" in older copies): "org/model" and "org-SEP-model" then share a file,
    and its list() returns the escaped stems, not key strings. Here "%", "/" and control characters
    are percent-encoded instead (and capitals too where the file system ignores case), so a usual
    key's file name is exactly LMCache's, distinct keys never share a file, and list() gives back
    every key string unchanged (the conformance suite checks both)."""
    unsafe = _UNSAFE_FOLDED if folds_case else _UNSAFE
    return unsafe.sub(lambda m: "%{:02X}".format(ord(m.group(0))), key)


def key_of_stem(stem: str) -> str:
    """The key string of a file name stem (the inverse of file_stem)."""
    return re.sub(r"%([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), stem)


def _folds_case(directory: Path) -> bool:
    """Whether `directory` is on a case-insensitive file system (macOS and Windows defaults)."""
    probe = directory / f".case-probe-{uuid.uuid4().hex}"
    probe.touch()
    try:
        return (directory / probe.name.upper()).exists()
    finally:
        probe.unlink(missing_ok=True)


class AcmeFileStore(RemoteConnector):
    """See the module docstring. LMCache's FSConnector format: one file per chunk,
    <base>/<key>.data = RemoteMetadata header + bytes, written to a temporary file and renamed."""

    def __init__(self, loop, local_cpu_backend, config):
        # As LMCache's own connectors do: fills save_chunk_meta, meta_shapes, meta_dtypes,
        # meta_fmt, full_chunk_size_bytes, single_token_size and remote_metadata_bytes.
        super().__init__(local_cpu_backend.config, local_cpu_backend.metadata)
        self.loop = loop
        self.local_cpu_backend = local_cpu_backend
        # LMCache passes no URL: settings come from config.extra_config.
        self.extra_config = dict(getattr(config or local_cpu_backend.config, "extra_config", None) or {})
        self.closed = False
        # Your store goes here: this directory stands in for the service the connector talks to.
        configured = self.extra_config.get(BASE_PATH_KEY)
        self.base_path = Path(str(configured) if configured not in (None, "") else DEFAULT_BASE_PATH)
        self.base_path.mkdir(parents=True, exist_ok=True)
        self.folds_case = _folds_case(self.base_path)
        logger.info(f"AcmeFileStore stores chunks in {self.base_path}")

    def file_path(self, key: CacheEngineKey) -> Path:
        """Where `key` is stored: <base>/<file_stem(key)>.data."""
        return self.base_path / (file_stem(key.to_string(), self.folds_case) + ".data")

    async def exists(self, key: CacheEngineKey) -> bool:
        self._check_open()
        return await aiofiles.os.path.exists(self.file_path(key))

    def exists_sync(self, key: CacheEngineKey) -> bool:
        self._check_open()
        return os.path.exists(self.file_path(key))

    async def get(self, key: CacheEngineKey) -> Optional[MemoryObj]:
        self._check_open()
        file_path = self.file_path(key)
        memory_obj = None
        try:
            async with aiofiles.open(file_path, "rb") as f:
                # The header first (its size is fixed by the model's layer groups), then the
                # bytes straight into a fresh object, as LMCache's FSConnector reads.
                header = await f.read(self.remote_metadata_bytes)
                if len(header) != self.remote_metadata_bytes:
                    raise RuntimeError(f"Partial read meta {self.remote_metadata_bytes} got {len(header)}")
                metadata = RemoteMetadata.deserialize(header)
                shapes = [_unpadded(shape) for shape in metadata.shapes]
                memory_obj = self.local_cpu_backend.allocate(shapes, metadata.dtypes, metadata.fmt)
                if memory_obj is None:
                    logger.warning("Failed to allocate memory during remote receive")
                    return None
                buffer = memory_obj.byte_array
                num_read = await f.readinto(buffer) if len(buffer) > 0 else 0
                if num_read != len(buffer) or len(buffer) != metadata.length or await f.read(1):
                    raise RuntimeError(f"Partial read data {metadata.length} got {num_read}")
            return memory_obj
        except Exception as e:
            if not isinstance(e, FileNotFoundError):
                logger.error(f"Failed to read from file {file_path}: {e}")
            if memory_obj is not None:
                memory_obj.ref_count_down()  # our own allocation: nobody else will release it
            return None

    async def put(self, key: CacheEngineKey, memory_obj: MemoryObj):
        self._check_open()
        # Write a temporary file and rename it, so readers never see half a chunk. LMCache's temp
        # file is "<key>.tmp"; a unique name keeps two puts of one key from sharing a temp file.
        final_path = self.file_path(key)
        tmp_path = final_path.with_name(f"{final_path.name}.{uuid.uuid4().hex}.tmp")
        try:
            async with aiofiles.open(tmp_path, "wb") as f:
                await f.write(encode_header(memory_obj))
                await f.write(memory_obj.byte_array)
            await aiofiles.os.replace(tmp_path, final_path)
        except Exception as e:
            logger.error(f"Failed to write file {final_path}: {e}")
            tmp_path.unlink(missing_ok=True)
            raise

    async def list(self) -> List[str]:
        """Key strings of the stored chunks (LMCache lists the escaped file stems; see file_stem)."""
        self._check_open()
        names = await aiofiles.os.listdir(self.base_path)
        return [key_of_stem(n[: -len(".data")]) for n in names if n.endswith(".data") and not n.startswith(".")]

    async def close(self):
        self.closed = True

    def _check_open(self) -> None:
        if self.closed:
            raise RuntimeError(f"{type(self).__name__} is closed")

    def support_batched_get(self) -> bool:
        return True

    async def batched_get(self, keys: List[CacheEngineKey]) -> List[Optional[MemoryObj]]:
        """One slot per key: the hits up to the first miss, then None for every later key. It
        stops fetching at the first miss, so nothing is allocated that LMCache would not read
        (LMCache #2544); RemoteBackend asserts one slot per key."""
        out: List[Optional[MemoryObj]] = []
        missed = False
        for key in keys:
            memory_obj = None if missed else await self.get(key)
            missed = missed or memory_obj is None
            out.append(memory_obj)
        return out

    def support_batched_put(self) -> bool:
        return True

    async def batched_put(self, keys: List[CacheEngineKey], memory_objs: List[MemoryObj]):
        """Same ownership rule as put: LMCache releases every object afterwards, not us."""
        if len(keys) != len(memory_objs):
            raise ValueError(f"batched_put got {len(keys)} keys but {len(memory_objs)} objects")
        for key, memory_obj in zip(keys, memory_objs):
            await self.put(key, memory_obj)

    def support_batched_contains(self) -> bool:
        return True

    def batched_contains(self, keys: List[CacheEngineKey]) -> int:
        """How many leading keys are stored (LMCache's prefix rule); called synchronously."""
        hits = 0
        while hits < len(keys) and self.exists_sync(keys[hits]):
            hits += 1
        return hits

    def remove_sync(self, key: CacheEngineKey) -> bool:
        """Removes `key` synchronously (LMCache calls it on eviction); True when it was stored."""
        self._check_open()
        try:
            os.remove(self.file_path(key))
            return True
        except FileNotFoundError:
            return False
