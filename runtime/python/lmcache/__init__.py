# SPDX-License-Identifier: Apache-2.0
"""The LMCache Connector Kit's compatibility ``lmcache`` package (ours, not LMCache).

It holds only LMCache's connector-facing modules, under LMCache's module names
(``lmcache.logging``, ``lmcache.utils``, ``lmcache.v1.memory_management``,
``lmcache.v1.protocol``, ``lmcache.v1.config``, ``lmcache.v1.metadata``, ``lmcache.config``,
``lmcache.v1.storage_backend.connector.base_connector``,
``lmcache.v1.storage_backend.local_cpu_backend``), so that a connector written against it runs
unchanged under LMCache. It is pure Python + torch (CPU): no C ops, no GPU, no network.

The kit puts this package on ``sys.path`` only when ``import lmcache`` fails (or when asked
with ``--lmcache kit``). Tell it from a real LMCache with :data:`LMCACHE_CONNECTOR_KIT`.
"""

#: The kit's own version of this package. The ``+lmcache-connector-kit`` local label says
#: that this is the kit's compatibility package, not an LMCache release.
__version__ = "0.1.0+lmcache-connector-kit"

#: Marker (ours): ``True`` here; real LMCache has no such attribute. The bridge checks
#: ``getattr(lmcache, "LMCACHE_CONNECTOR_KIT", False)`` to report which ``lmcache`` was used.
LMCACHE_CONNECTOR_KIT = True

#: The LMCache surface this package follows (the newest upstream sources the kit read).
UPSTREAM_SURFACE = "LMCache v1, 2026 (Era C: plugin framework, E3 keys, multi-group RemoteMetadata)"

#: LMCache exposes its torch device module and type here; the kit runs on CPU only.
torch_device_type = "cpu"
