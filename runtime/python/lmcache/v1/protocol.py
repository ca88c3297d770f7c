# SPDX-License-Identifier: Apache-2.0
"""``lmcache.v1.protocol``: ``RemoteMetadata``, the header FS, Redis and other connectors store in
front of a chunk when ``save_chunk_meta`` is on, plus the ``lm://`` wire messages.

Header layout (native 32-bit ints, little-endian on x86-64/arm64):
``length, fmt, (dtype, s0, s1, s2, s3) × num_groups`` — ``4 * (2 + 5 * num_groups)`` bytes,
28 for one group. The layout is a module-level setting made by
``init_remote_metadata_info(num_groups)``, which ``RemoteConnector.__init__(config, metadata)``
calls. LMCache oddity kept: before anything called it, ``serialize``/``deserialize`` raise a bare
``AssertionError`` (so a connector that never called ``super().__init__`` cannot use the header
unless another connector in the process did).

Errors are Python's own, as under LMCache: a dtype without a code → ``KeyError(torch.int32)``;
an unknown format → ``ValueError("9 is not a valid MemoryFormat")``; an unknown dtype code →
``KeyError(9)``; a short buffer → ``struct.error("unpack_from requires a buffer of at least 28
bytes for unpacking 28 bytes at offset 0 (actual buffer size is 10)")``; more than 4 dims →
``AssertionError("Shape dimension must be <= 4 for serialization, got 5")``.
"""
# Standard
from dataclasses import dataclass
from enum import IntEnum, auto
from typing import TYPE_CHECKING, Optional, Union
import struct

# Third Party
import torch

# First Party
from lmcache.logging import init_logger
from lmcache.utils import parse_cache_key
from lmcache.v1.memory_management import MemoryFormat

if TYPE_CHECKING:
    # First Party
    from lmcache.utils import CacheEngineKey, LayerCacheEngineKey

logger = init_logger(__name__)

MAX_KEY_LENGTH = 150
REMOTE_METADATA_FMT: Optional[str] = None
REMOTE_METADATA_BYTES: Optional[int] = None


class ClientCommand(IntEnum):
    PUT = auto()
    GET = auto()
    EXIST = auto()
    LIST = auto()
    HEALTH = auto()


class ServerReturnCode(IntEnum):
    SUCCESS = 200
    FAIL = 400


# torch.half IS torch.float16, so the later entry wins: float16 is written as 2.
DTYPE_TO_INT = {
    None: 0,
    torch.half: 1,
    torch.float16: 2,
    torch.bfloat16: 3,
    torch.float: 4,
    torch.float32: 4,
    torch.float64: 5,
    torch.double: 5,
    torch.uint8: 6,
}

INT_TO_DTYPE = {
    0: None,
    1: torch.half,
    2: torch.float16,
    3: torch.bfloat16,
    4: torch.float,
    5: torch.float64,
    6: torch.uint8,
}

# FP8 dtypes exist from torch 2.1 on (Debian's torch 1.13 has none); codes 7 and 8 when present.
if hasattr(torch, "float8_e4m3fn"):
    DTYPE_TO_INT[torch.float8_e4m3fn] = 7
    INT_TO_DTYPE[7] = torch.float8_e4m3fn
if hasattr(torch, "float8_e5m2"):
    DTYPE_TO_INT[torch.float8_e5m2] = 8
    INT_TO_DTYPE[8] = torch.float8_e5m2

LOCATION_TO_INT = {
    None: 0,
    "LocalCPUBackend": 1,
    "LocalDiskBackend": 2,
}

INT_TO_LOCATION = {
    0: None,
    1: "LocalCPUBackend",
    2: "LocalDiskBackend",
}


def init_remote_metadata_info(num_groups: int):
    """Set the header layout for ``num_groups`` layer groups (process-wide, as in LMCache)."""
    global REMOTE_METADATA_FMT
    global REMOTE_METADATA_BYTES
    fmt_length = 2 + 5 * num_groups
    REMOTE_METADATA_FMT = "i" * fmt_length
    REMOTE_METADATA_BYTES = 4 * fmt_length
    logger.info(
        "init remote metadata info with groups: %s, "
        "remote metadata fmt: %s, remote metadata bytes: %s",
        num_groups,
        REMOTE_METADATA_FMT,
        REMOTE_METADATA_BYTES,
    )


def get_remote_metadata_bytes():
    assert REMOTE_METADATA_BYTES is not None
    return REMOTE_METADATA_BYTES


def pad_shape_to_4d(shape: torch.Size) -> list[int]:
    """Pad a shape with fewer than 4 dims to 4 with TRAILING zeros (``[n, 0, 0, 0]`` convention)."""
    assert len(shape) <= 4, f"Shape dimension must be <= 4 for serialization, got {len(shape)}"
    if len(shape) == 4:
        return list(shape)
    return list(shape) + [0] * (4 - len(shape))


def strip_shape_padding(
    dims: list[int],
    fmt: Optional[MemoryFormat] = MemoryFormat.UNDEFINED,
) -> torch.Size:
    """Undo ``pad_shape_to_4d`` (keep at least one dim); BINARY formats keep their zeros."""
    if fmt in (MemoryFormat.BINARY, MemoryFormat.BINARY_BUFFER):
        return torch.Size(dims)
    end = len(dims)
    while end > 1 and dims[end - 1] == 0:
        end -= 1
    return torch.Size(dims[:end])


@dataclass
class RemoteMetadata:
    length: int
    shapes: list[torch.Size]
    dtypes: list[torch.dtype]
    fmt: MemoryFormat

    def _prepare_params(self):
        params = [self.length, int(self.fmt.value)]
        for shape, dtype in zip(self.shapes, self.dtypes, strict=True):
            padded = pad_shape_to_4d(shape)
            params.append(DTYPE_TO_INT[dtype])
            params.extend(padded)
        return params

    def serialize_into(self, buffer):
        assert REMOTE_METADATA_FMT is not None
        params = self._prepare_params()
        struct.pack_into(REMOTE_METADATA_FMT, buffer, 0, *params)

    def serialize(self) -> bytes:
        assert REMOTE_METADATA_FMT is not None
        params = self._prepare_params()
        return struct.pack(REMOTE_METADATA_FMT, *params)

    @staticmethod
    def deserialize(s: bytes) -> "RemoteMetadata":
        assert REMOTE_METADATA_FMT is not None
        result = struct.unpack_from(REMOTE_METADATA_FMT, s)
        length = result[0]
        memory_fmt = MemoryFormat(result[1])
        shapes = []
        dtypes = []
        for i in range(2, len(result), 5):
            dims = list(result[i + 1 : i + 5])
            shapes.append(strip_shape_padding(dims, memory_fmt))
            dtypes.append(INT_TO_DTYPE[result[i]])
        return RemoteMetadata(length, shapes, dtypes, memory_fmt)


@dataclass
class ClientMetaMessage:
    """Request message of the ``lm://`` protocol."""

    command: ClientCommand
    key: Union["CacheEngineKey", "LayerCacheEngineKey"]
    length: int
    fmt: MemoryFormat
    dtype: Optional[torch.dtype]
    shape: torch.Size
    location: Optional[str] = None

    def serialize(self) -> bytes:
        key_str = self.key.to_string()
        assert len(key_str) <= MAX_KEY_LENGTH, (
            f"Key length {len(key_str)} exceeds maximum {MAX_KEY_LENGTH}"
        )
        padded = pad_shape_to_4d(self.shape)
        return struct.pack(
            f"iiiiiiiii{MAX_KEY_LENGTH}s",
            self.command.value,
            self.length,
            int(self.fmt.value),
            DTYPE_TO_INT[self.dtype],
            LOCATION_TO_INT[self.location],
            padded[0],
            padded[1],
            padded[2],
            padded[3],
            key_str.encode().ljust(MAX_KEY_LENGTH),
        )

    @staticmethod
    def deserialize(s: bytes) -> "ClientMetaMessage":
        command, length, fmt, dtype, location, shape0, shape1, shape2, shape3, key = struct.unpack(
            f"iiiiiiiii{MAX_KEY_LENGTH}s", s
        )
        shape = strip_shape_padding([shape0, shape1, shape2, shape3], MemoryFormat(fmt))
        return ClientMetaMessage(
            ClientCommand(command),
            parse_cache_key(key.decode().strip()),
            length,
            MemoryFormat(fmt),
            INT_TO_DTYPE[dtype],
            shape,
            INT_TO_LOCATION[location],
        )

    @staticmethod
    def packlength() -> int:
        return 4 * 9 + MAX_KEY_LENGTH


@dataclass
class ServerMetaMessage:
    """Reply message of the ``lm://`` protocol."""

    code: ServerReturnCode
    length: int
    fmt: MemoryFormat
    dtype: Optional[torch.dtype]
    shape: torch.Size
    location: Optional[str] = None

    def serialize(self) -> bytes:
        padded = pad_shape_to_4d(self.shape)
        return struct.pack(
            "iiiiiiiii",
            self.code.value,
            self.length,
            int(self.fmt.value),
            DTYPE_TO_INT[self.dtype],
            padded[0],
            padded[1],
            padded[2],
            padded[3],
            LOCATION_TO_INT[self.location],
        )

    @staticmethod
    def packlength() -> int:
        return 4 * 9

    @staticmethod
    def deserialize(s: bytes) -> "ServerMetaMessage":
        code, length, fmt, dtype, shape0, shape1, shape2, shape3, location = struct.unpack(
            "iiiiiiiii", s
        )
        shape = strip_shape_padding([shape0, shape1, shape2, shape3], MemoryFormat(fmt))
        return ServerMetaMessage(
            ServerReturnCode(code),
            length,
            MemoryFormat(fmt),
            INT_TO_DTYPE[dtype],
            shape,
            INT_TO_LOCATION[location],
        )
