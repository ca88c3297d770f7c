# SPDX-License-Identifier: Apache-2.0
# Standard
import struct

# Third Party
import pytest
import torch

# First Party
from lmcache.v1 import protocol
from lmcache.v1.memory_management import MemoryFormat
from lmcache.v1.protocol import RemoteMetadata, init_remote_metadata_info


@pytest.fixture
def one_group():
    init_remote_metadata_info(1)
    yield
    protocol.REMOTE_METADATA_FMT = None
    protocol.REMOTE_METADATA_BYTES = None


def test_header_bytes_are_exact(one_group):
    meta = RemoteMetadata(2048, [torch.Size([2, 2, 16, 16])], [torch.bfloat16], MemoryFormat.KV_2LTD)
    assert meta.serialize() == struct.pack("<7i", 2048, 1, 3, 2, 2, 16, 16)
    assert len(meta.serialize()) == 28
    back = RemoteMetadata.deserialize(meta.serialize() + b"trailing")
    assert back == meta


def test_dtype_codes_and_half_alias(one_group):
    codes = {torch.float16: 2, torch.bfloat16: 3, torch.float32: 4, torch.float64: 5, torch.uint8: 6}
    for dtype, code in codes.items():
        raw = RemoteMetadata(1, [torch.Size([1, 0, 0, 0])], [dtype], MemoryFormat.BINARY).serialize()
        assert struct.unpack_from("<i", raw, 8)[0] == code
    half = struct.pack("<7i", 4, 1, 1, 1, 1, 2, 1)
    assert RemoteMetadata.deserialize(half).dtypes == [torch.float16]


def test_padding_and_stripping(one_group):
    meta = RemoteMetadata(96, [torch.Size([4, 12])], [torch.uint8], MemoryFormat.KV_T2D)
    assert meta.serialize() == struct.pack("<7i", 96, 2, 6, 4, 12, 0, 0)
    assert RemoteMetadata.deserialize(meta.serialize()).shapes == [torch.Size([4, 12])]
    binary = RemoteMetadata(5, [torch.Size([5, 0, 0, 0])], [None], MemoryFormat.BINARY_BUFFER)
    assert RemoteMetadata.deserialize(binary.serialize()).shapes == [torch.Size([5, 0, 0, 0])]


def test_multi_group_layout():
    init_remote_metadata_info(2)
    try:
        meta = RemoteMetadata(
            10, [torch.Size([2, 1, 16, 8]), torch.Size([2, 3, 16, 4])], [torch.float16, torch.bfloat16], MemoryFormat.KV_2LTD
        )
        raw = meta.serialize()
        assert len(raw) == 48 and raw == struct.pack("<12i", 10, 1, 2, 2, 1, 16, 8, 3, 2, 3, 16, 4)
        assert RemoteMetadata.deserialize(raw) == meta
    finally:
        init_remote_metadata_info(1)


def test_errors_are_pythons_own(one_group):
    with pytest.raises(KeyError) as info:
        RemoteMetadata(4, [torch.Size([1])], [torch.int32], MemoryFormat.KV_2LTD).serialize()
    assert str(info.value) == "torch.int32"
    with pytest.raises(AssertionError, match="Shape dimension must be <= 4 for serialization, got 5"):
        RemoteMetadata(4, [torch.Size([1, 1, 1, 1, 1])], [torch.uint8], MemoryFormat.KV_2LTD).serialize()
    with pytest.raises(struct.error, match=r"unpack_from requires a buffer of at least 28 bytes for unpacking 28 bytes at offset 0 \(actual buffer size is 10\)"):
        RemoteMetadata.deserialize(b"\x00" * 10)
    with pytest.raises(ValueError, match="9 is not a valid MemoryFormat"):
        RemoteMetadata.deserialize(struct.pack("<7i", 0, 9, 0, 0, 0, 0, 0))
    with pytest.raises(KeyError) as info:
        RemoteMetadata.deserialize(struct.pack("<7i", 0, 1, 9, 1, 1, 1, 1))
    assert str(info.value) == "9"
    with pytest.raises(ValueError, match="zip"):
        RemoteMetadata(4, [torch.Size([1]), torch.Size([1])], [torch.uint8], MemoryFormat.KV_2LTD).serialize()


def test_header_needs_init_first():
    protocol.REMOTE_METADATA_FMT = None
    with pytest.raises(AssertionError):
        RemoteMetadata(1, [torch.Size([1])], [torch.uint8], MemoryFormat.BINARY).serialize()
