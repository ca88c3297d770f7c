# SPDX-License-Identifier: Apache-2.0
"""A connector written against LMCache's API, driven as LMCache drives it: coroutines on a loop in
another thread (``asyncio.run_coroutine_threadsafe``), ``exists_sync`` from the caller's thread,
the put's reference released by the caller afterwards (as ``InstrumentedRemoteConnector`` does)."""
# Standard
import asyncio
import threading

# Third Party
import pytest
import torch

# First Party
from lmcache.utils import CacheEngineKey
from lmcache.v1.protocol import RemoteMetadata
from lmcache.v1.storage_backend.connector import ConnectorContext
from lmcache.v1.storage_backend.connector.external_adapter import ExternalConnectorAdapter

from helpers import make_backend


@pytest.fixture
def loop():
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)
    loop.close()


def call(loop, coro):
    return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=10)


def test_round_trip_with_ownership_and_header(loop, monkeypatch):
    monkeypatch.syspath_prepend(str(__import__("pathlib").Path(__file__).parent))
    backend = make_backend()
    url = "external://host:0/helpers/?connector_name=DictConnector"
    connector = ExternalConnectorAdapter().create_connector(ConnectorContext(url, loop, backend, backend.config, backend.metadata))
    allocator = backend.memory_allocator
    key = CacheEngineKey("test-model", 1, 0, 0x5EED, torch.bfloat16, {"lmcache.tag.user": "u"})

    obj = backend.allocate(connector.meta_shapes, connector.meta_dtypes, connector.meta_fmt)
    obj.tensor.copy_(torch.arange(obj.tensor.numel(), dtype=torch.float32).view(obj.tensor.shape).to(torch.bfloat16))
    expected = bytes(obj.byte_array)
    header = RemoteMetadata(obj.get_size(), obj.get_shapes(), obj.get_dtypes(), obj.get_memory_format()).serialize()
    assert len(header) == connector.remote_metadata_bytes == 28

    obj.ref_count_up()  # the in-flight put's reference
    call(loop, connector.put(key, obj))
    obj.ref_count_down()  # released by the wrapper, not the connector
    assert obj.get_ref_count() == 1
    obj.ref_count_down()
    assert allocator.num_active_allocations == 0

    assert connector.exists_sync(key) and call(loop, connector.exists(key))
    assert call(loop, connector.list()) == [key.to_string()] == ["test-model@1@0@5eed@bfloat16@user%u"]
    got = call(loop, connector.get(key))
    assert bytes(got.byte_array) == expected and got.get_ref_count() == 1
    assert torch.equal(got.tensor.float().flatten()[:5], torch.arange(5, dtype=torch.float32))
    assert RemoteMetadata.deserialize(header).shapes == got.get_shapes()
    got.ref_count_down()
    assert call(loop, connector.get(CacheEngineKey("test-model", 1, 0, 1, torch.bfloat16))) is None
    assert allocator.num_active_allocations == 0 and allocator.memcheck()
    call(loop, connector.close())
