# SPDX-License-Identifier: Apache-2.0
# Standard
import gc
import logging
import mmap

# Third Party
import pytest
import torch

# First Party
from lmcache.kit_compat import memory_obj_over_buffer
from lmcache.v1.memory_management import (
    KIT_MEMORY_OBJ_EVENTS,
    BytesBufferMemoryObj,
    MemoryFormat,
    MemoryObjMetadata,
    TensorMemoryAllocator,
    TensorMemoryObj,
    tensor_from_buffer,
)

SHAPE = torch.Size([2, 2, 4, 8])


class RecordingAllocator:
    """A parent allocator that records free() and the kit's ownership events."""

    def __init__(self):
        self.freed = []
        self.events = []

    def free(self, obj, allocator_type=None):
        self.freed.append(obj)
        obj.invalidate()

    def kit_memory_obj_event(self, obj, event):
        assert event in KIT_MEMORY_OBJ_EVENTS
        self.events.append((event, obj.meta.ref_count, obj.meta.pin_count))


def over_mmap(parent, offset=4096):
    mm = mmap.mmap(-1, 3 * 4096)
    obj = memory_obj_over_buffer(memoryview(mm)[offset:], [SHAPE], [torch.bfloat16], MemoryFormat.KV_2LTD, parent, address=offset)
    return mm, obj


def test_metadata_is_positional_in_lmcache_order():
    meta = MemoryObjMetadata(SHAPE, torch.bfloat16, 4096, 8192, 1, 0, MemoryFormat.KV_2LTD, None, [SHAPE], [torch.bfloat16])
    assert (meta.address, meta.phy_size, meta.ref_count, meta.pin_count, meta.fmt) == (4096, 8192, 1, 0, MemoryFormat.KV_2LTD)
    assert meta.get_size() == 2 * 2 * 4 * 8 * 2
    d = meta.to_dict()
    assert d["dtype"] == "torch.bfloat16" and d["fmt"] == 1 and d["shapes"] == [[2, 2, 4, 8]]
    assert MemoryObjMetadata.from_dict(d).shape == SHAPE


def test_memory_format_values_and_token_dims():
    assert [f.value for f in MemoryFormat] == list(range(9))
    assert MemoryFormat(7) is MemoryFormat.EC_TD and MemoryFormat(8) is MemoryFormat.HS_TD
    assert [f.token_dim() for f in MemoryFormat] == [0, 2, 1, 0, 0, 0, 2, 0, 0]
    with pytest.raises(ValueError, match="9 is not a valid MemoryFormat"):
        MemoryFormat(9)


def test_byte_array_and_tensor_alias_the_shared_bytes():
    parent = RecordingAllocator()
    mm, obj = over_mmap(parent)
    assert obj.get_size() == 256 and len(obj.byte_array) == 256
    assert obj.byte_array.format == "<B"
    memoryview(obj.byte_array).cast("B")[:4] = b"\x80\x3f\x00\x40"  # bfloat16 1.0, 2.0
    assert mm[4096:4100] == b"\x80\x3f\x00\x40"
    assert obj.tensor.shape == SHAPE and obj.tensor.dtype == torch.bfloat16
    assert obj.tensor.flatten()[:2].tolist() == [1.0, 2.0]
    obj.tensor.flatten()[2] = 3.0
    assert bytes(obj.byte_array[4:6]) == mm[4100:4102] == b"\x40\x40"
    mm[4096 + 255] = 7
    assert bytes(obj.byte_array)[255] == 7
    with open("/dev/null", "rb") as f:  # readinto works on it, as connectors use it
        assert f.readinto(obj.byte_array) == 0
    assert obj.get_num_tokens() == 4 and obj.meta.address == 4096
    obj.ref_count_down()


def test_slice_assignment_raises_like_lmcache():
    parent = RecordingAllocator()
    _, obj = over_mmap(parent)
    with pytest.raises(NotImplementedError, match="memoryview: unsupported format <B"):
        obj.byte_array[0:2] = b"ab"
    with pytest.raises(NotImplementedError, match="memoryview: unsupported format <B"):
        obj.byte_array[0]  # indexing a '<B' view is refused too; bytes(...) and slices work
    assert bytes(obj.byte_array[0:2]) == b"\x00\x00"
    obj.ref_count_down()


def test_ref_counting_frees_at_zero_and_reports_events():
    parent = RecordingAllocator()
    _, obj = over_mmap(parent)
    assert obj.get_ref_count() == 1 and obj.can_evict
    obj.ref_count_up()
    assert obj.get_ref_count() == 2 and not obj.can_evict
    obj.ref_count_down()
    assert parent.freed == []
    obj.ref_count_down()
    assert parent.freed == [obj] and not obj.is_valid()
    assert obj.tensor is None
    assert parent.events == [("ref_count_up", 2, 0), ("ref_count_down", 1, 0), ("ref_count_down", 0, 0)]


def test_double_free_warns_clamps_and_is_reported(caplog):
    parent = RecordingAllocator()
    _, obj = over_mmap(parent)
    obj.ref_count_down()
    logger = logging.getLogger("lmcache.v1.memory_management")
    logger.addHandler(caplog.handler)
    try:
        obj.ref_count_down()
    finally:
        logger.removeHandler(caplog.handler)
    assert obj.get_ref_count() == 0
    assert parent.events[-1] == ("double_free", 0, 0)
    assert "is negative: -1.Double free occurred somewhere." in caplog.text


def test_pin_rules():
    parent = RecordingAllocator()
    _, obj = over_mmap(parent)
    assert obj.pin() is True and obj.is_pinned and not obj.can_evict
    obj.ref_count_down()  # ref 0 but pinned: not freed
    assert parent.freed == []
    obj.unpin()  # pin 0 and ref 0: freed now
    assert parent.freed == [obj]
    obj.unpin()
    assert obj.meta.pin_count == 0 and parent.events[-1][0] == "double_unpin"
    assert [e[0] for e in parent.events] == ["pin", "ref_count_down", "unpin", "double_unpin"]


def test_garbage_collected_object_is_freed_with_a_warning(caplog):
    parent = RecordingAllocator()
    logger = logging.getLogger("lmcache.v1.memory_management")
    logger.addHandler(caplog.handler)
    try:
        _, obj = over_mmap(parent)
        obj.ref_count_up()
        del obj
        gc.collect()
    finally:
        logger.removeHandler(caplog.handler)
    assert len(parent.freed) == 1 and parent.events[-1] == ("gc_free", 2, 0)
    assert "being garbage collected with ref_count=2, pin_count=0" in caplog.text


def test_tensor_allocator_aligns_reuses_and_coalesces():
    alloc = TensorMemoryAllocator(tensor_from_buffer(bytearray(4 * 4096)))
    a = alloc.allocate(SHAPE, torch.bfloat16, MemoryFormat.KV_2LTD)
    b = alloc.allocate([torch.Size([3000])], [torch.uint8])
    assert (a.meta.address, a.meta.phy_size, b.meta.address) == (0, 4096, 4096)
    assert len(b.byte_array) == 3000 and b.get_shapes() == [torch.Size([3000])]
    assert alloc.allocate([torch.Size([3 * 4096])], [torch.uint8]) is None
    a.ref_count_down()
    b.ref_count_down()
    assert alloc.total_allocated_size == 0 and alloc.memcheck()
    big = alloc.allocate([torch.Size([4 * 4096])], [torch.uint8])
    assert big is not None and big.meta.address == 0
    assert alloc.batched_allocate(SHAPE, torch.bfloat16, 2) is None
    big.ref_count_down()
    objs = alloc.batched_allocate(SHAPE, torch.bfloat16, 4)
    assert [o.meta.address for o in objs] == [0, 4096, 8192, 12288]


def test_tensor_memory_obj_requires_dtype():
    meta = MemoryObjMetadata(torch.Size([4]), None, 0, 4, 1)
    with pytest.raises(AssertionError, match="dtype must be specified for TensorMemoryObj"):
        TensorMemoryObj(torch.zeros(4, dtype=torch.uint8), meta, None)


def test_bytes_buffer_memory_obj():
    obj = BytesBufferMemoryObj(b"hello")
    assert obj.get_shape() == torch.Size([5, 0, 0, 0]) and obj.get_memory_format() is MemoryFormat.BINARY_BUFFER
    obj.ref_count_down()
    assert obj.get_ref_count() == 1 and obj.get_dtypes() == [] and obj.byte_array == b"hello"


def test_buffer_too_small_is_refused():
    with pytest.raises(ValueError, match="buffer of 16 bytes is too small for 256 bytes"):
        memory_obj_over_buffer(bytearray(16), [SHAPE], [torch.bfloat16], MemoryFormat.KV_2LTD, None)
