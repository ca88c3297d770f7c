# SPDX-License-Identifier: Apache-2.0
"""The ``local_cpu_backend`` a Python connector is given (ours): a subclass of the ``lmcache``
package's ``LocalCPUBackend`` (installed LMCache's or the kit's) whose ``allocate`` asks the
engine's TypeScript ``LocalCPUBackend`` for the object — same allocator, same accounting, same
"None when full" — and hands back a ``TensorMemoryObj`` over the shared file."""
import torch

from .memory import build_memory_obj, dtype_name


def _as_list(value, single):
    """LMCache accepts one shape/dtype or a list of them (one per layer group)."""
    if single(value):
        return [value], True
    return list(value), False


def _is_shape(value) -> bool:
    return isinstance(value, torch.Size) or (isinstance(value, (list, tuple)) and all(isinstance(d, int) for d in value))


def make_backend_class(base):
    """A ``LocalCPUBackend`` subclass for ``base`` (LMCache's class, never instantiated as such)."""

    class BridgeLocalCPUBackend(base):
        # LMCache's __init__ builds its own allocator and hot cache; the engine owns both here.
        def __init__(self, config, metadata, instance):  # noqa: D107 - not LMCache's signature
            self.config = config
            self.metadata = metadata
            self._kit_instance = instance
            self.memory_allocator = instance.allocator
            self.use_hot = False

        def allocate(self, shapes, dtypes, fmt=None, eviction=True, busy_loop=True):
            shape_list, single = _as_list(shapes, _is_shape)
            dtype_list, _ = _as_list(dtypes, lambda d: isinstance(d, (torch.dtype, str)))
            desc = self._kit_instance.ask(
                "allocate",
                {
                    "shapes": [list(s) for s in shape_list],
                    "dtypes": [dtype_name(d) for d in dtype_list],
                    "single": single,
                    "fmt": None if fmt is None else fmt.value,
                    "eviction": bool(eviction),
                },
            )
            if desc is None:
                return None
            return build_memory_obj(desc, self._kit_instance.arena, self._kit_instance.allocator, self._kit_instance.table)

        def batched_allocate(self, shapes, dtypes, batch_size, fmt=None, eviction=True, busy_loop=True):
            out = []
            for _ in range(batch_size):
                obj = self.allocate(shapes, dtypes, fmt, eviction, busy_loop)
                if obj is None:
                    for got in out:
                        got.ref_count_down()
                    return None
                out.append(obj)
            return out

        def get_full_chunk_size_bytes(self):
            return self._kit_instance.full_chunk_size_bytes

        def __str__(self):
            return "LocalCPUBackend(kit bridge)"

    return BridgeLocalCPUBackend
