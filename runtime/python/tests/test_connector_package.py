# SPDX-License-Identifier: Apache-2.0
# Standard
import sys
import textwrap

# Third Party
import pytest

# First Party
from lmcache.v1.storage_backend.connector import (
    ConnectorAdapter,
    ConnectorContext,
    SafeLocalCPUBackend,
    extract_plugin_type,
    parse_remote_url,
)
from lmcache.v1.storage_backend.connector.external_adapter import ExternalConnectorAdapter

from helpers import make_backend

GOOD = """
from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector

class Good(RemoteConnector):
    def __init__(self, loop, local_cpu_backend, config):
        super().__init__(local_cpu_backend.config, local_cpu_backend.metadata)
        self.loop = loop
    async def exists(self, key): return False
    def exists_sync(self, key): return False
    async def get(self, key): return None
    async def put(self, key, obj): pass
    async def list(self): return []
    async def close(self): pass

class ImportsInInit(Good):
    def __init__(self, loop, local_cpu_backend, config):
        import no_such_module_here  # noqa: F401

class NotAConnector:
    pass
"""


@pytest.fixture
def pkg(tmp_path, monkeypatch):
    (tmp_path / "kitpkg").mkdir()
    (tmp_path / "kitpkg" / "__init__.py").write_text("")
    (tmp_path / "kitpkg" / "conn.py").write_text(textwrap.dedent(GOOD))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    for name in [m for m in sys.modules if m.startswith("kitpkg")]:
        del sys.modules[name]


def create(url):
    backend = make_backend()
    return ExternalConnectorAdapter().create_connector(ConnectorContext(url, "LOOP", backend, backend.config, backend.metadata))


def test_external_adapter_loads_by_url(pkg):
    connector = create("external://host:0/kitpkg.conn/?connector_name=Good")
    assert type(connector).__name__ == "Good" and connector.loop == "LOOP" and connector.save_chunk_meta is True


@pytest.mark.parametrize(
    "url, exc, message",
    [
        ("external://host:0/kitpkg.nope/?connector_name=Good", ImportError, "Could not import module 'kitpkg.nope', error: No module named 'kitpkg.nope'"),
        ("external://host:0/kitpkg.conn/?connector_name=Missing", AttributeError, "Module 'kitpkg.conn' has no class 'Missing', error: module 'kitpkg.conn' has no attribute 'Missing'"),
        ("external://host:0/kitpkg.conn/?connector_name=NotAConnector", TypeError, "NotAConnector must be a subclass of RemoteConnector"),
        ("external://host:0/kitpkg.conn/?connector_name=ImportsInInit", ImportError, "Could not import module 'kitpkg.conn', error: No module named 'no_such_module_here'"),
        ("external://host:0/kitpkg.conn/?connector_name=", ValueError, "External connector requires 'connector_name' in query parameters"),
        ("external://a:0,b:0/kitpkg.conn/?connector_name=Good", ValueError, "Only one host is supported for external connector, but got ['external://a:0', 'b:0/kitpkg.conn/?connector_name=Good']"),
        ("external://host/kitpkg.conn/?connector_name=Good", AssertionError, "Invalid URL external://host/kitpkg.conn/?connector_name=Good: missing port"),
    ],
)
def test_external_adapter_errors(pkg, url, exc, message):
    with pytest.raises(exc) as info:
        create(url)
    assert str(info.value) == message


def test_parse_remote_url_rules():
    p = parse_remote_url("redis://User:pw@HOST:6379/db?a=1&a=2&b=&c")
    assert (p.host, p.port, p.path, p.username, p.password, p.query_params) == ("host", 6379, "/db", "User", "pw", {"a": ["1", "2"]})
    with pytest.raises(AssertionError, match=r"Invalid URL redis://u:\*\*\*@:0/x: missing host"):
        parse_remote_url("redis://u:secret@:0/x")
    with pytest.raises(ValueError, match="Port could not be cast to integer value as 'abc'"):
        parse_remote_url("redis://h:abc/")


def test_adapter_base_and_safe_backend():
    class Mine(ConnectorAdapter):
        def __init__(self):
            super().__init__("mine://")

        def create_connector(self, context):
            return None

    assert Mine().can_parse("mine://x") and not Mine().can_parse("Mine://x")
    with pytest.raises(TypeError, match="Can't instantiate abstract class ConnectorAdapter"):
        ConnectorAdapter()
    assert extract_plugin_type("fs.primary") == "fs" and extract_plugin_type("gcs") == "gcs"
    ctx = ConnectorContext("mine://x", None, None, None, None, plugin_name="fs")
    assert isinstance(ctx.local_cpu_backend, SafeLocalCPUBackend) and str(ctx.local_cpu_backend) == "SafeLocalCPUBackend(dummy)"
    with pytest.raises(RuntimeError, match=r"SafeLocalCPUBackend.allocate\(\) should never be called"):
        ctx.local_cpu_backend.allocate([], [])
