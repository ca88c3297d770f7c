# SPDX-License-Identifier: Apache-2.0
# Third Party
import pytest
import torch

# First Party
import lmcache
from lmcache.config import LMCacheEngineMetadata
from lmcache.kit_compat import dtype_from_kit_name, engine_config_from_kit, is_kit_lmcache, metadata_from_kit
from lmcache.utils import CacheEngineKey
from lmcache.v1.config import LMCacheEngineConfig
from lmcache.v1.memory_management import MemoryFormat

from helpers import make_backend, make_config, make_metadata


def test_package_says_it_is_the_kits():
    assert lmcache.__version__.endswith("+lmcache-connector-kit")
    assert lmcache.LMCACHE_CONNECTOR_KIT is True and is_kit_lmcache()
    assert not is_kit_lmcache(object())


def test_config_defaults_and_constructors(monkeypatch):
    c = LMCacheEngineConfig.from_defaults()
    assert (c.chunk_size, c.local_cpu, c.max_local_cpu_size, c.remote_serde, c.blocking_timeout_secs) == (256, True, 5.0, "naive", 10)
    assert c.extra_config is None and c.remote_url is None and c.get_extra_config_value("k", 7) == 7
    d = LMCacheEngineConfig.from_dict({"chunk_size": "64", "extra_config": '{"save_chunk_meta": false}', "local_cpu": "false"})
    assert (d.chunk_size, d.extra_config, d.local_cpu) == (64, {"save_chunk_meta": False}, False)
    assert d.get_extra_config_value("save_chunk_meta", True) is False
    with pytest.raises(ValueError, match="invalid literal for int"):
        LMCacheEngineConfig.from_dict({"chunk_size": "many"})
    assert LMCacheEngineConfig.from_defaults(chunk_size="many").chunk_size is None  # LMCache: None + warning
    monkeypatch.setenv("LMCACHE_CHUNK_SIZE", "'32'")
    monkeypatch.setenv("LMCACHE_REMOTE_STORAGE_PLUGINS", "a, b")
    e = LMCacheEngineConfig.from_env()
    assert e.chunk_size == 32 and e.remote_storage_plugins == ["a", "b"]
    assert len(c.to_dict()) == 109


def test_engine_config_and_metadata_from_kit_json():
    c = engine_config_from_kit({"chunkSize": 16, "extraConfig": {"save_chunk_meta": False}, "pdAllocationTimeoutSec": None, "remote_url": "fs:///x"})
    assert (c.chunk_size, c.extra_config, c.remote_url, c.pd_allocation_timeout_sec) == (16, {"save_chunk_meta": False}, "fs:///x", float("inf"))
    md = metadata_from_kit({"modelName": "m", "worldSize": 2, "workerId": 1, "kvDtype": "float16", "kvShape": [4, 2, 16, 2, 8], "chunkSize": 16})
    assert md.get_shapes() == [torch.Size([2, 4, 16, 16])] and md.get_dtypes() == [torch.float16] and md.local_world_size == 2
    grouped = metadata_from_kit(
        {"modelName": "m", "worldSize": 1, "workerId": 0, "kvDtype": "bfloat16", "kvShape": [3, 1, 16, 1, 8], "useMla": True,
         "chunkSize": 16, "kvLayerGroups": [{"numLayers": 3, "hiddenDimSize": 8, "dtype": "bfloat16"}]}
    )
    assert grouped.get_shapes() == [torch.Size([1, 3, 16, 8])] and grouped.get_num_groups() == 1
    with pytest.raises(ValueError, match="Unsupported dtype: float4"):
        dtype_from_kit_name("float4")


def test_old_engine_metadata_class():
    md = LMCacheEngineMetadata("m", 1, 0, "vllm", torch.bfloat16, (2, 2, 256, 8, 128))
    assert md.use_mla is False and md.fmt == "vllm" and md.chunk_size == 256 and md.is_first_rank()
    assert md.get_shapes(16) == [torch.Size([2, 2, 16, 1024])] and md.get_num_groups() == 1


def test_local_cpu_backend_allocate_and_hot_cache():
    backend = make_backend(capacity=2 * 4096)
    assert backend.config.chunk_size == 16 and backend.metadata.model_name == "test-model"
    assert backend.get_memory_allocator() is backend.memory_allocator
    assert backend.get_full_chunk_size_bytes() == 2048
    shapes, dtypes = backend.metadata.get_shapes(), backend.metadata.get_dtypes()
    obj = backend.allocate(shapes, dtypes)
    assert obj.get_memory_format() is MemoryFormat.KV_2LTD and obj.get_ref_count() == 1
    key = CacheEngineKey("m", 1, 0, 1, torch.bfloat16)
    backend.submit_put_task(key, obj)
    obj.ref_count_down()  # the hot cache keeps its own reference
    assert obj.get_ref_count() == 1 and backend.contains(key)
    got = backend.get_blocking(key)
    assert got is obj and obj.get_ref_count() == 2
    got.ref_count_down()
    # Fill the allocator: the next allocate evicts the (evictable) cached chunk.
    a = backend.allocate(shapes, dtypes)
    b = backend.allocate(shapes, dtypes)
    assert a is not None and b is not None and not backend.contains(key) and not obj.is_valid()
    # Nothing evictable and no busy loop: None.
    assert backend.allocate(shapes, dtypes, busy_loop=False) is None
    a.ref_count_down()
    b.ref_count_down()
    assert backend.memory_allocator.total_allocated_size == 0


def test_allocate_gives_up_after_max_wait():
    backend = make_backend(
        config=make_config(extra_config={"local_cpu.evict_max_wait_ms": 30, "local_cpu.evict_retry_interval_ms": 10}),
        capacity=4096,
    )
    shapes, dtypes = backend.metadata.get_shapes(), backend.metadata.get_dtypes()
    held = backend.allocate(shapes, dtypes)
    assert backend.allocate(shapes, dtypes) is None
    held.ref_count_down()


def test_backend_layerwise_default_fmt():
    backend = make_backend(config=make_config(use_layerwise=True))
    obj = backend.allocate([torch.Size([16, 2, 16])], [torch.bfloat16])
    assert obj.get_memory_format() is MemoryFormat.KV_T2D and obj.get_num_tokens() == 2
    obj.ref_count_down()
    with pytest.raises(AssertionError):
        type(backend)(make_config(), None, memory_allocator=None)
