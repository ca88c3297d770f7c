# SPDX-License-Identifier: Apache-2.0
"""``lmcache.v1.storage_backend.connector``: what plugin modules import from LMCache's connector
package — ``ConnectorAdapter``, ``ConnectorContext``, ``ParsedRemoteURL``, ``parse_remote_url``,
``extract_plugin_type`` — with LMCache's (Era C) behaviour. The adapter registry,
``ConnectorManager`` and ``CreateConnector`` are not here: the kit's engine does that part.

Ours: the ``missing host``/``missing port`` assertion texts show the URL with its password
replaced by ``***`` (LMCache prints the whole URL), as the kit's TypeScript runtime does.
"""
# Standard
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional
from urllib.parse import parse_qs, urlparse
import abc
import re

# First Party
from lmcache.logging import init_logger
from lmcache.v1.storage_backend.local_cpu_backend import LocalCPUBackend

if TYPE_CHECKING:
    # First Party
    from lmcache.v1.config import LMCacheEngineConfig
    from lmcache.v1.metadata import LMCacheMetadata
    from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector

logger = init_logger(__name__)


def _redact_url(url: str) -> str:
    """``url`` with the password of its netloc replaced by ``***`` (ours)."""
    m = re.match(r"^([^:/?#]+://)([^/?#]*)(.*)$", url, re.S)
    if not m:
        return url
    scheme, netloc, rest = m.groups()
    at = netloc.rfind("@")
    colon = netloc.find(":")
    if at < 0 or colon < 0 or colon > at:
        return url
    return scheme + netloc[: colon + 1] + "***" + netloc[at:] + rest


@dataclass
class ParsedRemoteURL:
    host: str
    port: int
    path: str
    username: Optional[str] = None
    password: Optional[str] = None
    query_params: Dict[str, List[str]] = field(default_factory=dict)


def parse_remote_url(url: str) -> ParsedRemoteURL:
    """``urlparse`` + ``parse_qs``; host and port are required (``AssertionError`` otherwise).
    Port ``0`` passes; a bad port raises ``urlparse``'s ``ValueError``."""
    logger.debug("Parsing remote URL: %s", _redact_url(url))
    parsed = urlparse(url)
    host = parsed.hostname
    port = parsed.port
    path = parsed.path if parsed.path else ""
    query_params = parse_qs(parsed.query) if parsed.query else {}
    assert host is not None, f"Invalid URL {_redact_url(url)}: missing host"
    assert port is not None, f"Invalid URL {_redact_url(url)}: missing port"
    return ParsedRemoteURL(
        host=host,
        port=port,
        path=path,
        username=parsed.username,
        password=parsed.password,
        query_params=query_params,
    )


def extract_plugin_type(plugin_name: str) -> str:
    """The part before the first ``.`` (``"fs.primary"`` → ``"fs"``)."""
    return plugin_name.split(".", 1)[0]


class SafeLocalCPUBackend(LocalCPUBackend):
    """The stand-in backend of the scheduler role: sets nothing; ``allocate`` refuses."""

    def __init__(self, config: Any = None):  # noqa: D107 - LMCache's does nothing either
        pass

    def allocate(self, *args, **kwargs):
        raise RuntimeError(
            "SafeLocalCPUBackend.allocate() should never be called. This indicates a bug "
            "where scheduler role is trying to allocate memory."
        )

    def __str__(self):
        return "SafeLocalCPUBackend(dummy)"


class ConnectorContext:
    """Everything an adapter gets to build a connector."""

    def __init__(
        self,
        url: str,
        loop: Any,
        local_cpu_backend: Optional[LocalCPUBackend],
        config: Optional["LMCacheEngineConfig"],
        metadata: Optional["LMCacheMetadata"],
        plugin_name: Optional[str] = None,
    ):
        self.url = url
        self.loop = loop
        self.local_cpu_backend = local_cpu_backend if local_cpu_backend is not None else SafeLocalCPUBackend(config)
        self.config = config
        self.metadata = metadata
        self.plugin_name = plugin_name

    def get_full_chunk_size_bytes(self) -> int:
        return self.local_cpu_backend.get_full_chunk_size_bytes()


class ConnectorAdapter(metaclass=abc.ABCMeta):
    """Claims URLs by scheme and builds their connector. LMCache builds adapters with no
    arguments: a subclass passes its scheme to ``super().__init__("myscheme://")``."""

    def __init__(self, schema: str = ""):
        self.schema = schema

    def can_parse(self, url: str) -> bool:
        """Case-sensitive prefix match on the raw URL."""
        return self.schema != "" and url.startswith(self.schema)

    @abc.abstractmethod
    def create_connector(self, context: ConnectorContext) -> "RemoteConnector":
        raise NotImplementedError
