# SPDX-License-Identifier: Apache-2.0
"""Memory objects the Python connector sees, owned by the TypeScript engine (ours).

Every connector instance gets one shared-memory file the engine created with the size of that
instance's allocator arena; an object at arena offset ``a`` is the same ``[a, a + phy_size)`` slice
of the file here, mapped with ``mmap`` and wrapped in the ``lmcache`` package's ``TensorMemoryObj``
(``byte_array`` a writable buffer, ``tensor`` a torch view of the same bytes, no copy).

Ownership stays with the engine's allocator, the single source of truth for the leak, double-free
and kept-buffer cases: ``ref_count_up/down``, ``pin/unpin`` are forwarded as events (sent before
the result of the call they happened in), and the bridge keeps every object it handed out alive
until the engine reports it freed, so Python's garbage collector cannot hide a leak
(LMCache's ``TensorMemoryObj.__del__`` would free it with a warning).
"""
import mmap
import os
import threading

import torch

#: kit_memory_obj_event name → the engine-side operation it mirrors.
EVENT_CODES = {
    "ref_count_up": "up",
    "ref_count_down": "down",
    "double_free": "down",  # LMCache clamped at 0; the engine's count decides (and counts it)
    "pin": "pin",
    "unpin": "unpin",
    "double_unpin": "unpin",
}


class SharedArena:
    """One connector instance's view of the engine's arena (a file under /dev/shm)."""

    def __init__(self, path: str, size: int):
        self.size = size
        fd = os.open(path, os.O_RDWR)
        try:
            # a zero-length file cannot be mapped; keep one page so every offset has a home
            self.map = mmap.mmap(fd, max(size, mmap.PAGESIZE))
        finally:
            os.close(fd)
        self.view = memoryview(self.map)

    def slice(self, address: int, length: int) -> memoryview:
        return self.view[address : address + length]


def torch_dtype(name):
    """``"bfloat16"`` → ``torch.bfloat16`` (TypeError naming the dtype when torch lacks it)."""
    if name is None:
        return None
    dtype = getattr(torch, name, None)
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"torch {torch.__version__} has no dtype '{name}'")
    return dtype


def dtype_name(dtype) -> str:
    """``torch.bfloat16`` → ``"bfloat16"``; a string is taken as a name already."""
    return str(dtype).replace("torch.", "")


class ObjectTable:
    """Engine object id ↔ Python memory object, and the ownership events not yet sent."""

    def __init__(self):
        self.lock = threading.Lock()
        self.objects = {}
        self.events = []
        # Called (once per batch) when events wait: the bridge then sends them even if no other
        # frame follows — a connector that releases a reference later, from a task of its own,
        # must not look like a leak.
        self.on_pending = None
        self.flush_scheduled = False

    def attach_events(self, message: dict) -> None:
        with self.lock:
            self.flush_scheduled = False
            if self.events:
                message["ev"] = self.events
                self.events = []

    def record(self, obj, event: str) -> None:
        code = EVENT_CODES.get(event)
        oid = getattr(obj, "_kit_id", None)
        if code is None or oid is None or getattr(obj, "_kit_freed", False):
            return
        with self.lock:
            self.events.append([oid, code])
            schedule = not self.flush_scheduled and self.on_pending is not None
            self.flush_scheduled = True
        if schedule:
            self.on_pending()

    def get(self, oid):
        with self.lock:
            return self.objects.get(oid)

    def put(self, oid, obj) -> None:
        with self.lock:
            self.objects[oid] = obj

    def freed(self, ids) -> None:
        """The engine freed these objects: invalidate them and let them go, quietly."""
        with self.lock:
            gone = [self.objects.pop(oid, None) for oid in ids]
        for obj in gone:
            if obj is None:
                continue
            obj._kit_freed = True
            obj.meta.ref_count = 0
            obj.meta.pin_count = 0
            obj.invalidate()


class BridgeAllocator:
    """The ``parent_allocator`` of the bridge's memory objects: forwards ownership changes."""

    def __init__(self, table: ObjectTable):
        self.table = table

    def kit_memory_obj_event(self, memory_obj, event: str) -> None:
        self.table.record(memory_obj, event)

    def free(self, memory_obj) -> None:
        # The engine frees (its ref count is the authority); it reports back which objects went.
        pass


def build_memory_obj(desc: dict, arena: SharedArena, allocator: BridgeAllocator, table: ObjectTable):
    """The Python object for an engine object descriptor (the same object for the same id)."""
    from lmcache.v1.memory_management import MemoryFormat, MemoryObjMetadata, TensorMemoryObj

    oid = desc["id"]
    existing = table.get(oid)
    if existing is not None:
        existing.meta.ref_count = desc["ref"]
        existing.meta.pin_count = desc["pin"]
        return existing
    shapes = [torch.Size(s) for s in desc["shapes"]]
    dtypes = [torch_dtype(d) for d in desc["dtypes"]]
    phy = desc["phy"]
    raw = _raw_tensor(arena.slice(desc["addr"], phy))
    meta = MemoryObjMetadata(
        shapes[0], dtypes[0], desc["addr"], phy, desc["ref"], desc["pin"], MemoryFormat(desc["fmt"]), None, shapes, dtypes
    )
    obj = TensorMemoryObj(raw, meta, allocator)
    obj._kit_id = oid
    obj._kit_freed = False
    if desc.get("size") is not None and desc["size"] != obj.get_size():
        obj.set_used_size(desc["size"])
    table.put(oid, obj)
    return obj


def _raw_tensor(view: memoryview):
    try:
        from lmcache.v1.memory_management import tensor_from_buffer  # the kit's seam
    except ImportError:  # LMCache's own package: build the flat uint8 tensor here
        tensor_from_buffer = None
    if tensor_from_buffer is not None:
        return tensor_from_buffer(view)
    if len(view) == 0:
        return torch.empty(0, dtype=torch.uint8)
    return torch.frombuffer(view, dtype=torch.uint8)


def describe_memory_obj(obj) -> dict:
    """What the engine needs to mirror an object the connector returns (shape may have changed)."""
    return {
        "$obj": obj._kit_id,
        "shapes": [list(s) for s in obj.get_shapes()],
        "dtypes": [dtype_name(d) for d in obj.get_dtypes()],
        "fmt": obj.get_memory_format().value,
        "size": obj.get_size(),
    }
