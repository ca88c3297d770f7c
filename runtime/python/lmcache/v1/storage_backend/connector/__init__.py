# SPDX-License-Identifier: Apache-2.0
"""The connector package's plugin-facing names, as LMCache's ``connector/__init__.py`` has them:
``RemoteConnector`` (imported here too), ``ConnectorAdapter`` and ``extract_plugin_type``.
``ConnectorManager``/``CreateConnector`` are the TS engine's job and are not here."""
# Standard
from abc import ABC, abstractmethod

# First Party
from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector  # noqa: F401


def extract_plugin_type(plugin_name: str) -> str:
    """The type part of a plugin name ``{type}`` or ``{type}.{instance}`` (``"fs.primary"`` -> ``"fs"``)."""
    return plugin_name.split(".", 1)[0]


class ConnectorAdapter(ABC):
    """Base class of connector adapters. LMCache instantiates a plugin's adapter class with no
    arguments; ``create_connector(context)`` is abstract."""

    def __init__(self, schema: str = "") -> None:
        self.schema = schema

    def can_parse(self, url: str) -> bool:
        return self.schema != "" and url.startswith(self.schema)

    @abstractmethod
    def create_connector(self, context):
        """Create a connector using the given context."""
