# SPDX-License-Identifier: Apache-2.0
"""The LMCache connector conformance suite against AcmeStoreConnector, one test per case.

The kit's CLI (`lmcache-connector check --format json`; conftest.py says how it is found) loads
the class the way LMCache loads it, with lmcache/acme_store_connector.yaml and the package found in src/ (as
after `pip install -e .`), in this interpreter, and runs every case against LMCache's local CPU
cache. A failing case fails its test with what was expected, what happened, the line in src/ and
the operations that led there; a case for a capability the class does not declare is skipped.
"""
from pathlib import Path

from lmcache_connector_kit.pytest_plugin import conformance_suite

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Loaded as lmcache/acme_store_connector.yaml loads it: from its external:// URL.
URL = "external://host:0/acme_store.acme_store_connector/?connector_name=AcmeStoreConnector"
CONFIG = PROJECT_ROOT / "lmcache" / "acme_store_connector.yaml"

test_conformance = conformance_suite(
    URL,
    cwd=PROJECT_ROOT,
    search_paths=[PROJECT_ROOT / "src"],
    config=CONFIG,
)
