# SPDX-License-Identifier: Apache-2.0
"""Loading a connector class exactly as LMCache loads it (``external_adapter.py``, newest
upstream; ``DynamicConnectorAdapter`` for ``plugin://``), in this real Python process.

Mirrors ``runtime/src/connector/external-adapter.ts`` step for step: ``importlib.import_module``,
``getattr``, ``issubclass(cls, RemoteConnector)``, then ``cls(loop=…, local_cpu_backend=…,
config=…)`` — all inside ONE ``try``, so (LMCache's gotcha) an ``ImportError`` or
``AttributeError`` raised by the connector's own ``__init__`` is re-reported with the import/class
messages. ``TypeError`` (not a subclass; ``issubclass()`` on a non-class; a wrong ``__init__``)
and every other exception, ``SyntaxError`` included, propagate unchanged.
"""
import importlib


def create_external_connector(module_path: str, connector_name: str, loop, local_cpu_backend, config):
    """``ExternalConnectorAdapter.create_connector`` after URL parsing (done by the engine)."""
    from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector

    try:
        module = importlib.import_module(module_path)
        connector_class = getattr(module, connector_name)
        if not issubclass(connector_class, RemoteConnector):
            raise TypeError(f"{connector_name} must be a subclass of RemoteConnector")
        return connector_class(loop=loop, local_cpu_backend=local_cpu_backend, config=config)
    except ImportError as e:
        raise ImportError(f"Could not import module '{module_path}', error: {e}") from e
    except AttributeError as e:
        raise AttributeError(f"Module '{module_path}' has no class '{connector_name}', error: {e}") from e


def plugin_class_kind(module_path: str, class_name: str) -> str:
    """What ``remote_storage_plugin.<name>.class_name`` names, as LMCache's plugin launcher sorts
    it: ``"adapter"`` (a ``ConnectorAdapter`` subclass), ``"connector"`` (a ``RemoteConnector``
    subclass, wrapped in ``DynamicConnectorAdapter``) or ``"neither"``. Import and attribute
    errors propagate as Python raised them (the launcher logs and skips them)."""
    from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector

    module = importlib.import_module(module_path)
    cls = getattr(module, class_name)
    try:
        from lmcache.v1.storage_backend.connector import ConnectorAdapter
    except ImportError:
        ConnectorAdapter = None
    if isinstance(cls, type) and ConnectorAdapter is not None and issubclass(cls, ConnectorAdapter):
        return "adapter"
    if isinstance(cls, type) and issubclass(cls, RemoteConnector):
        return "connector"
    return "neither"


def create_plugin_connector(module_path: str, class_name: str, loop, local_cpu_backend, config):
    """``DynamicConnectorAdapter.create_connector``: the same keywords as the external adapter
    (and, as in LMCache, no ``plugin_name``)."""
    module = importlib.import_module(module_path)
    cls = getattr(module, class_name)
    return cls(loop=loop, local_cpu_backend=local_cpu_backend, config=config)
