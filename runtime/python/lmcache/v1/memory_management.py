# SPDX-License-Identifier: Apache-2.0
"""``lmcache.v1.memory_management``: ``MemoryFormat``, ``MemoryObjMetadata``, ``MemoryObj``,
``TensorMemoryObj``, ``BytesBufferMemoryObj``, ``MemoryAllocatorInterface`` and a pure-Python
``TensorMemoryAllocator``, as in LMCache's newest sources, on CPU and without LMCache's C ops.

What a connector sees is LMCache's behaviour, oddities included:

- ``TensorMemoryObj.byte_array`` is a ``memoryview`` of format ``'<B'`` built through ctypes over
  ``raw_data``'s memory, exactly as LMCache builds it; slice assignment into it raises
  ``NotImplementedError("memoryview: unsupported format <B")``. Connectors fill it with
  ``f.readinto(memory_obj.byte_array)`` or ``memoryview(memory_obj.byte_array).cast("B")[:] = data``.
- ``tensor`` is a torch view of the same bytes (``raw_data[:size].view(dtype).view(shape)``).
- ``ref_count_down`` below 0 logs LMCache's "Double free" warning (same missing spaces) and clamps;
  at 0 with no pins the object goes back to ``parent_allocator.free(self)``.
- ``__del__`` frees an object that still holds references, with LMCache's warning.

Seams (ours, for the kit's bridge; LMCache has none of them):

- ``raw_data`` may be any flat ``torch.uint8`` tensor, e.g. ``tensor_from_buffer(mmap_slice)``.
- A parent allocator may define ``kit_memory_obj_event(memory_obj, event)``; a ``TensorMemoryObj``
  calls it after each ownership change, outside its lock, with ``event`` one of
  ``"ref_count_up"``, ``"ref_count_down"``, ``"pin"``, ``"unpin"``, ``"double_free"``,
  ``"double_unpin"``, ``"gc_free"`` (see :data:`KIT_MEMORY_OBJ_EVENTS`). ``free(self)`` is still
  called exactly where LMCache calls it (inside the lock, before the event).
"""
# Standard
from dataclasses import dataclass
from enum import Enum, auto
from functools import cache
from typing import Any, List, Optional, Tuple, Union
import abc
import ctypes
import threading

# Third Party
import torch

# First Party
from lmcache.logging import init_logger

logger = init_logger(__name__)

#: The events a parent allocator's ``kit_memory_obj_event`` may receive (ours).
KIT_MEMORY_OBJ_EVENTS = (
    "ref_count_up",
    "ref_count_down",
    "pin",
    "unpin",
    "double_free",
    "double_unpin",
    "gc_free",
)


@cache
def _get_cached_ubyte_array_type(num_bytes: int):
    """``ctypes.c_ubyte * num_bytes``, cached (ctypes builds a new type per call otherwise)."""
    return ctypes.c_ubyte * num_bytes


@cache
def dtype_itemsize(dtype: torch.dtype) -> int:
    """Bytes per element (``torch.dtype.itemsize`` exists only from torch 2.1 on)."""
    return torch.empty((), dtype=dtype).element_size()


def get_size_bytes(shapes: List[torch.Size], dtypes: List[torch.dtype]) -> int:
    """Total bytes of tensors with these shapes and dtypes (LMCache's ``get_size_bytes``)."""
    total = 0
    for shape, dtype in zip(shapes, dtypes, strict=True):
        total += torch.Size(shape).numel() * dtype_itemsize(dtype)
    return total


def tensor_from_buffer(buffer: Any) -> torch.Tensor:
    """A flat ``torch.uint8`` tensor over ``buffer``'s memory, no copy (ours).

    ``buffer`` is anything writable with the buffer protocol: a ``bytearray``, an ``mmap`` or a
    ``memoryview`` slice of one. Use it to build ``TensorMemoryObj(raw_data, …)`` over shared memory.
    """
    view = memoryview(buffer).cast("B")
    if len(view) == 0:
        return torch.empty(0, dtype=torch.uint8)
    return torch.frombuffer(view, dtype=torch.uint8)


class MemoryFormat(Enum):
    UNDEFINED = 0
    """[2, num_layers, num_tokens, hidden_dim]"""
    KV_2LTD = auto()
    """[num_tokens, 2, hidden_dim]"""
    KV_T2D = auto()
    """[2, num_tokens, hidden_dim]"""
    KV_2TD = auto()
    """Compressed binary array format"""
    BINARY = auto()

    BINARY_BUFFER = auto()

    KV_MLA_FMT = auto()
    """[1, num_layers, num_tokens, aligned_head_size]"""

    # Encoder cache (EC) tensor format
    EC_TD = auto()
    """[num_tokens, hidden_dim]"""

    # Hidden-state store (HS) tensor format, same logical shape as EC_TD
    HS_TD = auto()
    """[num_tokens, hidden_dim]"""

    def token_dim(self) -> int:
        if self == MemoryFormat.KV_2LTD:
            return 2
        elif self == MemoryFormat.KV_T2D:
            return 1
        elif self == MemoryFormat.KV_MLA_FMT:
            return 2
        return 0


@dataclass
class MemoryObjMetadata:
    """Positional order matters: allocators build it positionally."""

    # The 'logical' shape of the tensor
    shape: torch.Size
    # The 'logical' dtype of the tensor
    dtype: Optional[torch.dtype]
    # The 'physical address' of the tensor (offset in the allocator's buffer)
    address: int
    # The 'physical size' in bytes of the allocated memory
    phy_size: int
    # Reference count
    ref_count: int
    # Pins: the object cannot be evicted while pinned
    pin_count: int = 0
    # The 'logical' format of the tensor
    fmt: MemoryFormat = MemoryFormat.UNDEFINED
    # Positions when the cache is stored
    cached_positions: Optional[torch.Tensor] = None
    # One shape and dtype per layer group
    shapes: Optional[list[torch.Size]] = None
    dtypes: Optional[list[torch.dtype]] = None

    def to_dict(self):
        """msgpack form (dtypes as ``"torch.bfloat16"``)."""
        return {
            "__type__": "MemoryObjMetadata",
            "shape": list(self.shape),
            "dtype": str(self.dtype) if self.dtype else None,
            "address": self.address,
            "phy_size": self.phy_size,
            "ref_count": self.ref_count,
            "fmt": self.fmt.value,
            "shapes": [list(shape) for shape in self.shapes] if self.shapes else None,
            "dtypes": [str(dtype) for dtype in self.dtypes] if self.dtypes else None,
        }

    @staticmethod
    def from_dict(d):
        dtype_str = d["dtype"]
        dtype = getattr(torch, dtype_str.replace("torch.", "")) if dtype_str else None
        shapes_list = d["shapes"]
        shapes = [torch.Size(s) for s in shapes_list] if shapes_list else None
        dtypes_list = d["dtypes"]
        dtypes = (
            [getattr(torch, d_str.replace("torch.", "")) for d_str in dtypes_list]
            if dtypes_list
            else None
        )
        return MemoryObjMetadata(
            shape=torch.Size(d["shape"]),
            dtype=dtype,
            address=d["address"],
            phy_size=d["phy_size"],
            ref_count=d["ref_count"],
            fmt=MemoryFormat(d["fmt"]),
            shapes=shapes,
            dtypes=dtypes,
        )

    def get_size(self) -> int:
        if self.shapes is not None and self.dtypes is not None:
            return get_size_bytes(self.shapes, self.dtypes)
        return self.shape.numel() * dtype_itemsize(self.dtype)  # type: ignore[arg-type]


class MemoryObj(metaclass=abc.ABCMeta):
    """MemoryObj interface."""

    # subclasses expose raw_data differently
    raw_data: Any

    def __init__(self, metadata: MemoryObjMetadata):
        self.meta = metadata

    @abc.abstractmethod
    def invalidate(self):
        raise NotImplementedError

    @abc.abstractmethod
    def is_valid(self):
        raise NotImplementedError

    @abc.abstractmethod
    def get_size(self) -> int:
        """Logical size in bytes (may be smaller than the aligned physical size)."""
        raise NotImplementedError

    @abc.abstractmethod
    def get_shape(self) -> torch.Size:
        raise NotImplementedError

    def get_dtype(self) -> Optional[torch.dtype]:
        return None

    @abc.abstractmethod
    def get_shapes(self) -> list[torch.Size]:
        raise NotImplementedError

    @abc.abstractmethod
    def get_dtypes(self) -> list[torch.dtype]:
        raise NotImplementedError

    @abc.abstractmethod
    def get_memory_format(self) -> MemoryFormat:
        raise NotImplementedError

    @abc.abstractmethod
    def get_physical_size(self) -> int:
        raise NotImplementedError

    def set_used_size(self, n: int) -> None:  # noqa: B027
        """Narrow the logical size to the first ``n`` bytes (default: no-op)."""
        pass

    @abc.abstractmethod
    def pin(self) -> bool:
        raise NotImplementedError

    @abc.abstractmethod
    def ref_count_up(self):
        raise NotImplementedError

    @abc.abstractmethod
    def unpin(self) -> bool:
        raise NotImplementedError

    @abc.abstractmethod
    def ref_count_down(self):
        raise NotImplementedError

    @abc.abstractmethod
    def get_ref_count(self) -> int:
        raise NotImplementedError

    @abc.abstractmethod
    def get_num_tokens(self) -> int:
        raise NotImplementedError

    @property
    def shm_offset(self) -> int:
        """Byte offset of this object inside the shared pool."""
        return self.meta.address

    @property
    def shm_byte_length(self) -> int:
        return self.get_size()

    @property
    @abc.abstractmethod
    def metadata(self) -> MemoryObjMetadata:
        raise NotImplementedError

    @property
    @abc.abstractmethod
    def tensor(self) -> Optional[torch.Tensor]:
        raise NotImplementedError

    @property
    @abc.abstractmethod
    def byte_array(self) -> bytes:
        raise NotImplementedError

    @property
    @abc.abstractmethod
    def data_ptr(self) -> int:
        raise NotImplementedError

    @property
    @abc.abstractmethod
    def is_pinned(self) -> bool:
        raise NotImplementedError

    @property
    @abc.abstractmethod
    def can_evict(self) -> bool:
        raise NotImplementedError

    @property
    @abc.abstractmethod
    def raw_tensor(self) -> Optional[torch.Tensor]:
        raise NotImplementedError

    @abc.abstractmethod
    def get_tensor(self, index: int) -> Optional[torch.Tensor]:
        raise NotImplementedError

    @abc.abstractmethod
    def parent(self) -> Optional["MemoryAllocatorInterface"]:
        raise NotImplementedError


class TensorMemoryObj(MemoryObj):
    """Wraps a raw flat ``torch.uint8`` tensor with some metadata.

    New objects from an allocator start with ``ref_count = 1`` and ``pin_count = 0``. The object
    returns to ``parent_allocator.free(self)`` when both counts reach 0.
    """

    def __init__(
        self,
        raw_data: torch.Tensor,
        metadata: MemoryObjMetadata,
        parent_allocator: Optional["MemoryAllocatorInterface"],
    ):
        assert metadata.dtype is not None, "dtype must be specified for TensorMemoryObj"
        super().__init__(metadata)
        self.raw_data = raw_data
        self.valid = True
        self.lock = threading.Lock()
        self.parent_allocator = parent_allocator
        # Ours: the bridge's ownership hook, looked up once (None for LMCache's allocators).
        self._kit_event = getattr(parent_allocator, "kit_memory_obj_event", None)
        self._used_size_override: Optional[int] = None
        # Prefix sum of the group sizes: [0, size_1, size_1 + size_2, ...]
        self.group_prefix_sum = [0]
        if self.meta.shapes is not None and self.meta.dtypes is not None:
            size_in_bytes = 0
            for shape, dtype in zip(self.meta.shapes, self.meta.dtypes, strict=True):
                size_in_bytes += shape.numel() * dtype_itemsize(dtype)
                self.group_prefix_sum.append(size_in_bytes)
        else:
            self.group_prefix_sum.append(self.meta.get_size())

    def _emit(self, event: str) -> None:
        if self._kit_event is not None:
            self._kit_event(self, event)

    def __del__(self):
        """Safety net: free an object that is garbage collected while still owned."""
        try:
            if self.parent_allocator is not None and self.is_valid():
                if self.meta.ref_count > 0 or self.meta.pin_count > 0:
                    logger.warning(
                        "MemoryObj at %s is being garbage collected "
                        "with ref_count=%d, pin_count=%d. "
                        "This indicates ref_count_down()/unpin() was not called properly.",
                        self.meta.address,
                        self.meta.ref_count,
                        self.meta.pin_count,
                    )
                self.parent_allocator.free(self)
                self._emit("gc_free")
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass

    def invalidate(self):
        self.valid = False

    def is_valid(self):
        return self.valid

    def get_size(self) -> int:
        if self._used_size_override is not None:
            return self._used_size_override
        return self.group_prefix_sum[-1]

    def set_used_size(self, n: int) -> None:
        """Narrow the logical size to ``n`` bytes after a write (``0 <= n <= phy_size``)."""
        if n < 0 or n > self.meta.phy_size:
            raise ValueError(f"set_used_size: n={n} out of range [0, {self.meta.phy_size}]")
        with self.lock:
            self._used_size_override = n

    def resize_raw_view(self, n: int) -> None:
        """Keep only the first ``n`` bytes as the object's logical data (ours; LMCache's
        ``reshape_partial_chunk`` calls it when an object has it). Unlike ``set_used_size``,
        ``tensor`` stays shaped (by ``meta.shape``, which the caller rewrites)."""
        if n < 0 or n > self.meta.phy_size:
            raise ValueError(f"resize_raw_view: n={n} out of range [0, {self.meta.phy_size}]")
        with self.lock:
            self.raw_data = self.raw_data[:n]
            self.group_prefix_sum = [0, n]

    def get_shape(self) -> torch.Size:
        return self.meta.shape

    def get_dtype(self) -> torch.dtype:
        assert self.meta.dtype is not None
        return self.meta.dtype

    def get_shapes(self) -> list[torch.Size]:
        assert self.meta.shapes is not None
        return self.meta.shapes

    def get_dtypes(self) -> list[torch.dtype]:
        assert self.meta.dtypes is not None
        return self.meta.dtypes

    def get_memory_format(self) -> MemoryFormat:
        with self.lock:
            return self.meta.fmt

    def get_physical_size(self) -> int:
        return self.meta.phy_size

    def ref_count_up(self):
        with self.lock:
            self.meta.ref_count += 1
        self._emit("ref_count_up")

    def ref_count_down(self):
        double_free = False
        with self.lock:
            self.meta.ref_count -= 1
            if self.meta.ref_count < 0:
                logger.warning(
                    f"Ref count of MemoryObj {self.meta.address}"
                    f"is negative: {self.meta.ref_count}."
                    "Double free occurred somewhere."
                    "Setting ref count back to 0 as a hack but please find the bug."
                )
                self.meta.ref_count = 0
                double_free = True
            if (
                self.meta.ref_count == 0
                and self.parent_allocator is not None
                and self.meta.pin_count == 0
            ):
                self.parent_allocator.free(self)
        self._emit("double_free" if double_free else "ref_count_down")

    def get_ref_count(self) -> int:
        with self.lock:
            return self.meta.ref_count

    def get_num_tokens(self) -> int:
        with self.lock:
            token_dim = self.meta.fmt.token_dim()
            return self.meta.shape[token_dim]

    def pin(self) -> bool:
        with self.lock:
            self.meta.pin_count += 1
        self._emit("pin")
        return True

    def unpin(self) -> bool:
        double_unpin = False
        with self.lock:
            self.meta.pin_count -= 1
            if self.meta.pin_count <= 0 and self.meta.ref_count <= 0:
                if self.parent_allocator is None:
                    logger.error(
                        "Parent allocator is None when trying to free MemoryObj."
                        "This could cause memory leak"
                    )
                else:
                    self.parent_allocator.free(self)
            if self.meta.pin_count < 0:
                logger.warning(
                    f"Pin count of MemoryObj {self.meta.address}"
                    f"is negative: {self.meta.pin_count}."
                    "Double unpin occurred somewhere."
                    "Setting pin count back to 0 as a hack but please find the bug."
                )
                self.meta.pin_count = 0
                double_unpin = True
        self._emit("double_unpin" if double_unpin else "unpin")
        return True

    @property
    def metadata(self) -> MemoryObjMetadata:
        with self.lock:
            return self.meta

    @property
    def tensor(self) -> Optional[torch.Tensor]:
        if not self.valid:
            logger.warning("Trying to access an invalidated MemoryObj")
            return None
        assert self.meta.dtype is not None
        if self._used_size_override is not None:
            return self.raw_data[: self._used_size_override].view(torch.uint8)
        return self.raw_data[: self.get_size()].view(self.meta.dtype).view(self.meta.shape)

    @property
    def byte_array(self) -> memoryview:
        """``get_size()`` bytes of ``raw_data`` as a ctypes-backed ``memoryview`` (format ``'<B'``)."""
        num_bytes = self.get_size()
        if num_bytes == 0:
            # Ours: ctypes cannot address an empty tensor (data_ptr may be 0).
            return memoryview((ctypes.c_ubyte * 0)())
        ptr = self.raw_data.data_ptr()
        arr_type = _get_cached_ubyte_array_type(num_bytes)
        ubyte_ptr = ctypes.cast(ptr, ctypes.POINTER(ctypes.c_ubyte))
        byte_array = arr_type.from_address(ctypes.addressof(ubyte_ptr.contents))
        return memoryview(byte_array)

    @property
    def data_ptr(self) -> int:
        return self.raw_data.data_ptr()

    @property
    def is_pinned(self) -> bool:
        return self.metadata.pin_count > 0

    @property
    def can_evict(self) -> bool:
        """Evictable: not pinned and ``ref_count == 1`` (only the hot cache holds it)."""
        return not self.is_pinned and self.get_ref_count() == 1

    @property
    def raw_tensor(self) -> Optional[torch.Tensor]:
        if not self.valid:
            logger.warning("Trying to access an invalidated MemoryObj")
            return None
        return self.raw_data

    def get_tensor(self, index: int) -> Optional[torch.Tensor]:
        if not self.valid:
            logger.warning("Trying to access an invalidated MemoryObj")
            return None
        assert self.meta.shapes is not None
        assert self.meta.dtypes is not None
        begin = self.group_prefix_sum[index]
        end = self.group_prefix_sum[index + 1]
        return self.raw_data[begin:end].view(self.meta.dtypes[index]).view(self.meta.shapes[index])

    def parent(self) -> Optional["MemoryAllocatorInterface"]:
        return self.parent_allocator


class BytesBufferMemoryObj(MemoryObj):
    """Wraps plain bytes outside any allocator: shape ``[len, 0, 0, 0]``, dtype None,
    ``BINARY_BUFFER``; ref counting is a no-op (``get_ref_count()`` is always 1)."""

    def __init__(self, raw_bytes: bytes, metadata: Optional[MemoryObjMetadata] = None):
        self.raw_data = raw_bytes
        if metadata is None:
            bytes_shape = torch.Size([len(self.raw_data), 0, 0, 0])
            metadata = MemoryObjMetadata(
                shape=bytes_shape,
                dtype=None,
                address=0,
                phy_size=0,
                ref_count=1,
                pin_count=0,
                fmt=MemoryFormat.BINARY_BUFFER,
            )
        super().__init__(metadata)
        self.valid = True

    def invalidate(self):
        self.valid = False

    def is_valid(self):
        return self.valid

    def get_size(self) -> int:
        return len(self.raw_data)

    def get_shape(self) -> torch.Size:
        return torch.Size([len(self.raw_data), 0, 0, 0])

    def get_dtype(self) -> Optional[torch.dtype]:
        return None

    def get_shapes(self) -> list[torch.Size]:
        return [self.get_shape()]

    def get_dtypes(self) -> list[torch.dtype]:
        return []

    def get_memory_format(self) -> MemoryFormat:
        return self.metadata.fmt

    def get_physical_size(self) -> int:
        return self.metadata.phy_size

    def pin(self) -> bool:
        self.metadata.pin_count += 1
        return True

    def unpin(self) -> bool:
        self.metadata.pin_count -= 1
        if self.metadata.pin_count < 0:
            logger.warning(
                f"Pin count of MemoryObj {self.meta.address}"
                f"is negative: {self.meta.pin_count}."
                "Double unpin occurred somewhere."
                "Setting pin count back to 0 as a hack but please find the bug."
            )
            self.metadata.pin_count = 0
        return True

    def ref_count_up(self):
        pass

    def ref_count_down(self):
        pass

    def get_ref_count(self) -> int:
        return 1

    def get_num_tokens(self) -> int:
        return 1

    @property
    def metadata(self) -> MemoryObjMetadata:
        return self.meta

    @property
    def tensor(self) -> Optional[torch.Tensor]:
        if not self.valid:
            logger.warning("Trying to access an invalidated MemoryObj")
        return None

    @property
    def byte_array(self) -> bytes:
        return self.raw_data

    @property
    def data_ptr(self) -> int:
        mv = memoryview(self.raw_data)
        return ctypes.addressof(ctypes.c_char.from_buffer(mv))

    @property
    def is_pinned(self) -> bool:
        return self.metadata.pin_count > 0

    @property
    def can_evict(self) -> bool:
        return not self.is_pinned

    @property
    def raw_tensor(self) -> Optional[torch.Tensor]:
        if not self.valid:
            logger.warning("Trying to access an invalidated MemoryObj")
        return None

    def get_tensor(self, index: int) -> Optional[torch.Tensor]:
        return None

    def parent(self) -> Optional["MemoryAllocatorInterface"]:
        return None


class MemoryAllocatorInterface(metaclass=abc.ABCMeta):
    """What ``LocalCPUBackend`` needs from an allocator (the bridge's allocator implements it)."""

    @abc.abstractmethod
    def allocate(
        self,
        shapes: Union[torch.Size, list[torch.Size]],
        dtypes: Union[torch.dtype, list[torch.dtype]],
        fmt: MemoryFormat = MemoryFormat.UNDEFINED,
        allocator_type: Optional[str] = None,
    ) -> Optional[MemoryObj]:
        """A new object (ref count 1) for tensors of these shapes/dtypes, or None when full."""
        raise NotImplementedError

    @abc.abstractmethod
    def batched_allocate(
        self,
        shapes: Union[torch.Size, list[torch.Size]],
        dtypes: Union[torch.dtype, list[torch.dtype]],
        batch_size: int,
        fmt: MemoryFormat = MemoryFormat.UNDEFINED,
        allocator_type: Optional[str] = None,
    ) -> Optional[List[MemoryObj]]:
        raise NotImplementedError

    @abc.abstractmethod
    def free(self, memory_obj: MemoryObj, allocator_type: Optional[str] = None):
        """Give the object's memory back (called by ``ref_count_down``, not by users)."""
        raise NotImplementedError

    @abc.abstractmethod
    def batched_free(
        self,
        memory_objs: List[MemoryObj],
        allocator_type: Optional[str] = None,
        update_stats: bool = True,
    ):
        raise NotImplementedError

    def close(self):
        return

    def memcheck(self) -> bool:
        return True

    def _adapt_shapes_and_dtypes(
        self,
        shapes: Union[torch.Size, list[torch.Size]],
        dtypes: Union[torch.dtype, list[torch.dtype]],
    ) -> Tuple[list[torch.Size], list[torch.dtype]]:
        if isinstance(shapes, torch.Size):
            shapes = [shapes]
        if isinstance(dtypes, torch.dtype):
            dtypes = [dtypes]
        assert len(shapes) == len(dtypes), (
            f"shapes and dtypes must have the same length, "
            f"got {len(shapes)} and {len(dtypes)}, "
            f"shapes: {shapes}, dtypes: {dtypes}"
        )
        return shapes, dtypes


class TensorMemoryAllocator(MemoryAllocatorInterface):
    """First-fit allocator over one flat ``torch.uint8`` tensor, aligned to ``align_bytes``.

    LMCache's class of this name sits on its C-ops address manager; this one is plain Python
    (ours) with the same contract: objects start at ref count 1, ``phy_size`` is the aligned
    size, ``raw_data`` is sliced to the unaligned size, ``free`` invalidates the object.
    Build it over shared memory with ``TensorMemoryAllocator(tensor_from_buffer(mm))``.
    """

    ALIGN_BYTES = 4096

    def __init__(self, tensor: torch.Tensor, align_bytes: int = ALIGN_BYTES):
        self.buffer = tensor.view(torch.uint8).flatten()
        self.size = self.buffer.numel()
        self.align_bytes = align_bytes
        self._lock = threading.Lock()
        # Sorted, coalesced free list of (start, size).
        self._free_blocks: list[list[int]] = [[0, self.size]] if self.size else []
        self.total_allocated_size = 0
        self.num_active_allocations = 0

    def _aligned(self, raw_size: int) -> int:
        return (raw_size + self.align_bytes - 1) // self.align_bytes * self.align_bytes

    def _take(self, aligned_size: int) -> Optional[int]:
        for i, (start, size) in enumerate(self._free_blocks):
            if size >= aligned_size:
                if size == aligned_size:
                    del self._free_blocks[i]
                else:
                    self._free_blocks[i] = [start + aligned_size, size - aligned_size]
                return start
        return None

    def _give_back(self, start: int, size: int) -> None:
        blocks = self._free_blocks
        i = 0
        while i < len(blocks) and blocks[i][0] < start:
            i += 1
        blocks.insert(i, [start, size])
        if i + 1 < len(blocks) and blocks[i][0] + blocks[i][1] == blocks[i + 1][0]:
            blocks[i][1] += blocks[i + 1][1]
            del blocks[i + 1]
        if i > 0 and blocks[i - 1][0] + blocks[i - 1][1] == blocks[i][0]:
            blocks[i - 1][1] += blocks[i][1]
            del blocks[i]

    def allocate(self, shapes, dtypes, fmt=MemoryFormat.UNDEFINED, allocator_type=None):
        shapes, dtypes = self._adapt_shapes_and_dtypes(shapes, dtypes)
        shapes = [torch.Size(s) for s in shapes]
        raw_size = get_size_bytes(shapes, dtypes)
        aligned_size = self._aligned(max(raw_size, 1))
        with self._lock:
            start = self._take(aligned_size)
            if start is None:
                return None
            self.total_allocated_size += aligned_size
            self.num_active_allocations += 1
        metadata = MemoryObjMetadata(
            shapes[0], dtypes[0], start, aligned_size, 1, 0, fmt, None, shapes, dtypes
        )
        return TensorMemoryObj(self.buffer[start : start + raw_size], metadata, self)

    def batched_allocate(self, shapes, dtypes, batch_size, fmt=MemoryFormat.UNDEFINED, allocator_type=None):
        objs: List[MemoryObj] = []
        for _ in range(batch_size):
            obj = self.allocate(shapes, dtypes, fmt)
            if obj is None:
                self.batched_free(objs)
                return None
            objs.append(obj)
        return objs

    def free(self, memory_obj, allocator_type=None):
        if not memory_obj.is_valid():
            return
        with self._lock:
            self._give_back(memory_obj.meta.address, memory_obj.meta.phy_size)
            self.total_allocated_size -= memory_obj.meta.phy_size
            self.num_active_allocations -= 1
        memory_obj.invalidate()

    def batched_free(self, memory_objs, allocator_type=None, update_stats=True):
        for obj in memory_objs:
            self.free(obj)

    def memcheck(self) -> bool:
        with self._lock:
            free = sum(size for _, size in self._free_blocks)
            return free + self.total_allocated_size == self.size
