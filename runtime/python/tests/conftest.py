# SPDX-License-Identifier: Apache-2.0
"""Put the kit's package first on sys.path so these tests exercise it, never an installed LMCache."""
# Standard
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

# First Party
import lmcache  # noqa: E402

assert getattr(lmcache, "LMCACHE_CONNECTOR_KIT", False), f"tests picked up {lmcache.__file__}"
