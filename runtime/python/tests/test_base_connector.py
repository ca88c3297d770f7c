# SPDX-License-Identifier: Apache-2.0
# Standard
import asyncio

# Third Party
import pytest
import torch

# First Party
from lmcache.utils import CacheEngineKey
from lmcache.v1 import protocol
from lmcache.v1.kv_layer_groups import KVLayerGroupInfo, KVLayerGroupsManager
from lmcache.v1.memory_management import MemoryFormat
from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector, resolve_save_chunk_meta

from helpers import DictConnector, make_backend, make_config, make_metadata


def connector(config=None, metadata=None):
    backend = make_backend(config or make_config(), metadata or make_metadata())
    return DictConnector(loop=None, local_cpu_backend=backend, config=backend.config)


def test_chunk_meta_fields_default():
    c = connector()
    assert c.save_chunk_meta is True
    assert c.meta_shapes == [torch.Size([2, 2, 16, 16])] and c.meta_dtypes == [torch.bfloat16]
    assert c.meta_fmt is MemoryFormat.KV_2LTD
    assert (c.full_chunk_size_bytes, c.single_token_size, c.remote_metadata_bytes) == (2048, 128, 28)


@pytest.mark.parametrize(
    "extra, layerwise, expected",
    [
        (None, False, True),
        ({}, False, True),
        ({"save_chunk_meta": False}, False, False),
        ({"save_chunk_meta": False}, True, False),  # explicit key wins over layerwise
        ({"save_chunk_meta": "false"}, False, True),  # truthiness, as in LMCache
        ({"save_chunk_meta": 0}, False, False),
        ({"other": 1}, True, True),
    ],
)
def test_resolve_save_chunk_meta(extra, layerwise, expected):
    assert resolve_save_chunk_meta(make_config(extra_config=extra, use_layerwise=layerwise)) is expected


def test_mla_layerwise_and_groups():
    mla = connector(metadata=make_metadata(use_mla=True))
    assert mla.meta_fmt is MemoryFormat.KV_MLA_FMT and mla.meta_shapes == [torch.Size([1, 2, 16, 16])]
    lw = connector(config=make_config(use_layerwise=True, extra_config={"save_chunk_meta": False}))
    assert lw.meta_shapes == [torch.Size([2, 1, 16, 16])] and lw.full_chunk_size_bytes == 1024
    md = make_metadata()
    md.kv_layer_groups_manager = KVLayerGroupsManager(
        [KVLayerGroupInfo(["a"], 1, 16, torch.float16), KVLayerGroupInfo(["b", "c"], 2, 8, torch.bfloat16)]
    )
    grouped = connector(metadata=md)
    assert grouped.meta_shapes == [torch.Size([2, 1, 16, 16]), torch.Size([2, 2, 16, 8])]
    assert grouped.remote_metadata_bytes == 48 and protocol.REMOTE_METADATA_BYTES == 48
    connector()  # back to one group for the other tests
    assert protocol.REMOTE_METADATA_BYTES == 28


def test_reshape_partial_chunk():
    c = connector(config=make_config(extra_config={"save_chunk_meta": False}))
    obj = c.backend.allocate(c.meta_shapes, c.meta_dtypes, c.meta_fmt)
    assert c.reshape_partial_chunk(obj, 2048) is obj and obj.get_shape() == torch.Size([2, 2, 16, 16])
    same = c.reshape_partial_chunk(obj, 5 * 128)
    assert same is obj and obj.get_shape() == torch.Size([2, 2, 5, 16]) and obj.get_shapes() == [torch.Size([2, 2, 5, 16])]
    assert obj.get_size() == 640 and len(obj.byte_array) == 640 and obj.tensor.shape == torch.Size([2, 2, 5, 16])
    assert obj.get_num_tokens() == 5
    obj.ref_count_down()


@pytest.mark.parametrize("bytes_read", [0, -128, 100, 2048 + 128])
def test_reshape_partial_chunk_rejects(bytes_read):
    c = connector()
    obj = c.backend.allocate(c.meta_shapes, c.meta_dtypes, c.meta_fmt)
    with pytest.raises(ValueError) as info:
        c.reshape_partial_chunk(obj, bytes_read)
    assert str(info.value) == f"bytes_read: {bytes_read} is illegal, single_token_size: 128, full_chunk_size_bytes: 2048"
    obj.ref_count_down()


def test_reshape_without_super_init_is_attribute_error():
    class NoSuper(DictConnector):
        def __init__(self, loop, local_cpu_backend, config):
            self.backend = local_cpu_backend

    c = NoSuper(loop=None, local_cpu_backend=make_backend(), config=None)
    with pytest.raises(AttributeError, match="'NoSuper' object has no attribute 'full_chunk_size_bytes'"):
        c.reshape_partial_chunk(None, 128)


def test_constructor_gotchas_are_pythons():
    class NoInit(RemoteConnector):
        async def exists(self, key): ...
        def exists_sync(self, key): ...
        async def get(self, key): ...
        async def put(self, key, obj): ...
        async def list(self): ...
        async def close(self): ...

    with pytest.raises(TypeError, match=r"__init__\(\) got an unexpected keyword argument 'loop'"):
        NoInit(loop=None, local_cpu_backend=make_backend(), config=None)

    class Abstract(RemoteConnector):
        def __init__(self, loop, local_cpu_backend, config):
            pass

    with pytest.raises(TypeError, match="Can't instantiate abstract class Abstract"):
        Abstract(loop=None, local_cpu_backend=make_backend(), config=None)
    with pytest.raises(AssertionError):
        RemoteConnector.__init__(object.__new__(DictConnector), make_config(), None)


def test_defaults_of_the_newest_era():
    c = connector()
    assert (c.support_ping(), c.support_batched_get(), c.support_batched_put(), c.support_batched_contains()) == (False,) * 4
    assert c.support_batched_async_contains() and c.support_batched_get_non_blocking()
    assert c.requires_put_completion() is False and c.get_remote_fill_destination_session() is None
    assert repr(c) == "<DictConnector>"
    for call in (lambda: c.remove_sync(None), lambda: c.batched_contains([]), lambda: asyncio.run(c.ping())):
        with pytest.raises(NotImplementedError):
            call()


def test_batched_defaults_release_after_the_first_miss():
    c = connector()
    keys = [CacheEngineKey("m", 1, 0, h, torch.bfloat16) for h in range(3)]

    async def scenario():
        for k in (keys[0], keys[2]):
            obj = c.backend.allocate(c.meta_shapes, c.meta_dtypes, c.meta_fmt)
            await c.put(k, obj)
            obj.ref_count_down()
        assert await c.batched_async_contains("l", keys) == 1
        got = await c.batched_get_non_blocking("l", keys)
        return got

    got = asyncio.run(scenario())
    assert len(got) == 1 and got[0].get_ref_count() == 1
    allocator = c.backend.memory_allocator
    assert allocator.num_active_allocations == 1  # the object fetched for keys[2] was released
    got[0].ref_count_down()
    assert allocator.num_active_allocations == 0
