/**
 * The generated `src/<package>/<module>.py`: the Python connector class LMCache loads, for each
 * template and capability set. It imports only what LMCache's own connectors import
 * (`lmcache.logging`, `lmcache.utils`, `lmcache.v1.memory_management`, `lmcache.v1.protocol`,
 * `…connector.base_connector`), so it runs unchanged under LMCache and under the kit's `lmcache`.
 */
import { type Capability, type Template, moduleName } from "../answers.js";

/** What one Python connector class is generated from. */
export interface PythonConnectorSpec {
  className: string;
  template: Template;
  capabilities: readonly Capability[];
  /** The dotted module LMCache imports (`<package>.<module>`). */
  modulePath: string;
  /** The `external://` URL of the class. */
  url: string;
}

const SUMMARY: Record<Template, string> = {
  memory: "keeps chunks in a dict inside the process",
  fs: "stores one file per chunk under a directory, in LMCache's FSConnector format",
  redis: "stores chunks in a Redis server through redis-py's asyncio client",
};

function docstring(spec: PythonConnectorSpec): string {
  const mod = moduleName(spec.className);
  return `# SPDX-License-Identifier: Apache-2.0
"""${spec.className}: an LMCache remote storage connector.

It ${SUMMARY[spec.template]}.
Generated from the \`${spec.template}\` template of generator-lmcache-connector; how LMCache loads it:
the comment below, and lmcache/${mod}.yaml.

The rules LMCache relies on, which \`python3 -m pytest\` (the conformance suite) checks:
- \`get\` returns a FRESH object from \`local_cpu_backend.allocate(...)\` filled with the stored
  bytes, or None on a miss. If anything fails after allocating, release it (\`ref_count_down()\`).
- \`put\` must NOT call \`memory_obj.ref_count_down()\`: LMCache releases the object after \`put\`
  returns, so copy what you keep before returning.
- \`exists\`, \`get\`, \`put\`, \`list\`, \`close\` (and \`batched_*\`, \`ping\`) are coroutines LMCache runs
  on its event loop, in another thread; \`exists_sync\`, \`remove_sync\` and \`batched_contains\` are
  plain \`def\`s it calls directly from its own threads.
- After \`close()\`, calls raise instead of hanging or succeeding.
"""
# LMCache loads the class, once this package is importable (\`pip install -e .\`, or
# PYTHONPATH=src), either from a URL
#     remote_url: "${spec.url}"
# or through the Remote Storage Plugin Framework
#     remote_storage_plugins: ["${mod}"]
#     extra_config:
#       remote_storage_plugin.${mod}.module_path: ${spec.modulePath}
#       remote_storage_plugin.${mod}.class_name: ${spec.className}

`;
}

function imports(spec: PythonConnectorSpec): string {
  const std: Record<Template, string[]> = {
    memory: ["from typing import List, Optional"],
    fs: ["from pathlib import Path", "from typing import List, Optional", "import os", "import re", "import tempfile", "import uuid"],
    redis: ["from typing import List, Optional", "import os", "import re"],
  };
  const third: Record<Template, string[]> = {
    memory: [],
    fs: ["import aiofiles", "import aiofiles.os", "import torch"],
    redis: ["import redis", "import redis.asyncio", "import torch"],
  };
  const lmcache = [
    "from lmcache.logging import init_logger",
    "from lmcache.utils import CacheEngineKey",
    "from lmcache.v1.memory_management import MemoryFormat, MemoryObj",
    ...(spec.template === "memory" ? [] : ["from lmcache.v1.protocol import RemoteMetadata"]),
    "from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector",
  ];
  const groups = [
    ["# Standard", ...std[spec.template]],
    ...(third[spec.template].length > 0 ? [["# Third Party", ...third[spec.template]]] : []),
    ["# First Party", ...lmcache],
  ];
  return groups.map((g) => g.join("\n")).join("\n\n") + "\n\nlogger = init_logger(__name__)\n";
}

/** The start of every template's constructor, as LMCache's own connectors begin theirs. */
const BASE_INIT = `        # As LMCache's own connectors do: fills save_chunk_meta, meta_shapes, meta_dtypes,
        # meta_fmt, full_chunk_size_bytes, single_token_size and remote_metadata_bytes.
        super().__init__(local_cpu_backend.config, local_cpu_backend.metadata)
        self.loop = loop
        self.local_cpu_backend = local_cpu_backend
        # LMCache passes no URL: settings come from config.extra_config.
        self.extra_config = dict(getattr(config or local_cpu_backend.config, "extra_config", None) or {})
        self.closed = False
`;

/** The open check every class has. */
const CHECK_OPEN = `
    def _check_open(self) -> None:
        if self.closed:
            raise RuntimeError(f"{type(self).__name__} is closed")
`;

/** The helpers of the classes that copy stored bytes into a fresh object (memory, redis). */
const SHARED_HELPERS = `${CHECK_OPEN}
    def _allocate_filled(self, shapes, dtypes, fmt: MemoryFormat, data) -> Optional[MemoryObj]:
        """Allocates the object \`get\` returns and copies \`data\` in; releases it if that fails."""
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
`;

/** Header + bytes codec shared by the fs and redis templates (LMCache's stored-chunk layout). */
const CHUNK_CODEC = `

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
    header, so \`get\` can restore any shape.)"""
    return RemoteMetadata(
        len(memory_obj.byte_array),
        memory_obj.get_shapes(),
        memory_obj.get_dtypes(),
        memory_obj.get_memory_format(),
    ).serialize()
`;

function memoryClass(spec: PythonConnectorSpec): string {
  return `

class ${spec.className}(RemoteConnector):
    """See the module docstring."""

    def __init__(self, loop, local_cpu_backend, config):
${BASE_INIT}        # Your store goes here: this dict stands in for the service the connector talks to.
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
${SHARED_HELPERS}${optional(spec)}`;
}

function fsClass(spec: PythonConnectorSpec): string {
  const mod = moduleName(spec.className);
  return `

# extra_config key naming the directory chunks are stored in.
BASE_PATH_KEY = "remote_storage_plugin.${mod}.base_path"

# The directory used when BASE_PATH_KEY is not set.
DEFAULT_BASE_PATH = os.path.join(tempfile.gettempdir(), "${mod}")

_UNSAFE = re.compile(r"[%/\\x00-\\x1f\\x7f]")
_UNSAFE_FOLDED = re.compile(r"[%/\\x00-\\x1f\\x7fA-Z]")


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
    """Whether \`directory\` is on a case-insensitive file system (macOS and Windows defaults)."""
    probe = directory / f".case-probe-{uuid.uuid4().hex}"
    probe.touch()
    try:
        return (directory / probe.name.upper()).exists()
    finally:
        probe.unlink(missing_ok=True)


class ${spec.className}(RemoteConnector):
    """See the module docstring. LMCache's FSConnector format: one file per chunk,
    <base>/<key>.data = RemoteMetadata header + bytes, written to a temporary file and renamed."""

    def __init__(self, loop, local_cpu_backend, config):
${BASE_INIT}        # Your store goes here: this directory stands in for the service the connector talks to.
        configured = self.extra_config.get(BASE_PATH_KEY)
        self.base_path = Path(str(configured) if configured not in (None, "") else DEFAULT_BASE_PATH)
        self.base_path.mkdir(parents=True, exist_ok=True)
        self.folds_case = _folds_case(self.base_path)
        logger.info(f"${spec.className} stores chunks in {self.base_path}")

    def file_path(self, key: CacheEngineKey) -> Path:
        """Where \`key\` is stored: <base>/<file_stem(key)>.data."""
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
${CHECK_OPEN}${optional(spec)}`;
}

function redisClass(spec: PythonConnectorSpec): string {
  const mod = moduleName(spec.className);
  return `

# extra_config keys naming the Redis URL, in order of precedence.
URL_KEYS = ("remote_storage_plugin.${mod}.url", "redis_url")

# Used when no URL key is set and the REDIS_URL environment variable is empty.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379"

# extra_config key of the prefix put before every Redis key (default "lmcache:").
KEY_PREFIX_KEY = "remote_storage_plugin.${mod}.key_prefix"

# extra_config key: how long one Redis call may take, in seconds (default 5).
TIMEOUT_KEY = "remote_storage_plugin.${mod}.timeout_secs"


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
    return re.sub(r"([*?\\[\\]\\\\])", r"\\\\\\1", text)


class ${spec.className}(RemoteConnector):
    """See the module docstring. Each chunk is ONE Redis string value under <prefix><key string>:
    the RemoteMetadata header followed by the bytes. LMCache's RedisConnector writes the same two
    parts under two keys (<key>metadata, <key>kv_bytes); one value makes a put atomic, so a
    reader never finds a header without its bytes.

    The coroutines use redis-py's asyncio client on LMCache's event loop; exists_sync${spec.capabilities.includes("removeSync") ? " and remove_sync" : ""}
    (called from LMCache's other threads, e.g. with extra_config.use_exists_sync) ask the server
    through redis-py's synchronous client, so they see what other LMCache instances stored."""

    def __init__(self, loop, local_cpu_backend, config):
${BASE_INIT}        self.url = redis_url(self.extra_config)
        self.key_prefix = str(self.extra_config.get(KEY_PREFIX_KEY) or "lmcache:")
        timeout = float(self.extra_config.get(TIMEOUT_KEY) or 5)
        options = dict(socket_timeout=timeout, socket_connect_timeout=timeout)
        # Connections open on first use, on the loop that uses them (LMCache's, for the async one).
        self.client = redis.asyncio.Redis.from_url(self.url, **options)
        self.sync_client = redis.Redis.from_url(self.url, **options)
        logger.info(f"${spec.className} stores chunks in Redis at {redacted(self.url)}")

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
${SHARED_HELPERS}
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
${optional(spec)}`;
}

/** `batched_get` through `get`, stopping at the first miss. */
const GET_UNTIL_MISS = `        out: List[Optional[MemoryObj]] = []
        missed = False
        for key in keys:
            memory_obj = None if missed else await self.get(key)
            missed = missed or memory_obj is None
            out.append(memory_obj)
        return out`;

function optional(spec: PythonConnectorSpec): string {
  let out = "";
  if (spec.capabilities.includes("batched")) {
    const batchedGet: Record<Template, string> = {
      memory: GET_UNTIL_MISS,
      fs: GET_UNTIL_MISS,
      redis: `        self._check_open()
        # One round trip for every value, then objects only up to the first miss.
        values = await self.client.mget([self.redis_key(key) for key in keys]) if keys else []
        out: List[Optional[MemoryObj]] = []
        missed = False
        for key, data in zip(keys, values):
            memory_obj = None if missed or data is None else self._decode(key, data)
            missed = missed or memory_obj is None
            out.append(memory_obj)
        return out`,
    };
    const batchedPut: Record<Template, string> = {
      memory: `        # Your store may have a bulk write (a pipeline, a multi-put): use it here.
        for key, memory_obj in zip(keys, memory_objs):
            await self.put(key, memory_obj)`,
      fs: `        for key, memory_obj in zip(keys, memory_objs):
            await self.put(key, memory_obj)`,
      redis: `        self._check_open()
        # One pipeline (no transaction): every SET in one round trip.
        pipe = self.client.pipeline(transaction=False)
        for key, memory_obj in zip(keys, memory_objs):
            pipe.set(self.redis_key(key), encode_header(memory_obj) + bytes(memory_obj.byte_array))
        await pipe.execute()`,
    };
    out += `
    def support_batched_get(self) -> bool:
        return True

    async def batched_get(self, keys: List[CacheEngineKey]) -> List[Optional[MemoryObj]]:
        """One slot per key: the hits up to the first miss, then None for every later key. It
        stops fetching at the first miss, so nothing is allocated that LMCache would not read
        (LMCache #2544); RemoteBackend asserts one slot per key."""
${batchedGet[spec.template]}

    def support_batched_put(self) -> bool:
        return True

    async def batched_put(self, keys: List[CacheEngineKey], memory_objs: List[MemoryObj]):
        """Same ownership rule as put: LMCache releases every object afterwards, not us."""
        if len(keys) != len(memory_objs):
            raise ValueError(f"batched_put got {len(keys)} keys but {len(memory_objs)} objects")
${batchedPut[spec.template]}

    def support_batched_contains(self) -> bool:
        return True

    def batched_contains(self, keys: List[CacheEngineKey]) -> int:
        """How many leading keys are stored (LMCache's prefix rule); called synchronously."""
        hits = 0
        while hits < len(keys) and self.exists_sync(keys[hits]):
            hits += 1
        return hits
`;
  }
  if (spec.capabilities.includes("ping")) {
    const body: Record<Template, string> = {
      memory: `        self._check_open()
        return 0  # your store's health check goes here: 0 = healthy, anything else = an error code`,
      fs: `        self._check_open()
        # The directory is gone: LMCache's health monitor switches to its fallback.
        return 0 if await aiofiles.os.path.isdir(self.base_path) else 1`,
      redis: `        self._check_open()
        try:
            return 0 if await self.client.ping() else 1
        except redis.RedisError:
            return 1  # unreachable: LMCache's health monitor switches to its fallback`,
    };
    out += `
    def support_ping(self) -> bool:
        return True

    async def ping(self) -> int:
        """LMCache's health monitor: 0 means healthy, any other number is an error code."""
${body[spec.template]}
`;
  }
  if (spec.capabilities.includes("removeSync")) {
    const body: Record<Template, string> = {
      memory: `        self._check_open()
        return self.store.pop(key.to_string(), None) is not None`,
      fs: `        self._check_open()
        try:
            os.remove(self.file_path(key))
            return True
        except FileNotFoundError:
            return False`,
      redis: `        self._check_open()
        return self.sync_client.delete(self.redis_key(key)) == 1`,
    };
    out += `
    def remove_sync(self, key: CacheEngineKey) -> bool:
        """Removes \`key\` synchronously (LMCache calls it on eviction); True when it was stored."""
${body[spec.template]}
`;
  }
  return out;
}

/** The source of `src/<package>/<module>.py`. */
export function pythonConnectorSource(spec: PythonConnectorSpec): string {
  const body = spec.template === "memory" ? memoryClass(spec) : spec.template === "fs" ? CHUNK_CODEC + fsClass(spec) : CHUNK_CODEC + redisClass(spec);
  return `${docstring(spec)}${imports(spec)}${body}`;
}
