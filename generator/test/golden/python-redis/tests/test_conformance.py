# SPDX-License-Identifier: Apache-2.0
"""The LMCache connector conformance suite against AcmeRedisStoreConnector, one test per case.

The kit's CLI (`lmcache-connector check --format json`; conftest.py says how it is found) loads
the class the way LMCache loads it, with lmcache/acme_redis_store_connector.yaml and the package found in src/ (as
after `pip install -e .`), in this interpreter, and runs every case against LMCache's local CPU
cache. A failing case fails its test with what was expected, what happened, the line in src/ and
the operations that led there; a case for a capability the class does not declare is skipped.
"""
import os
import time
from pathlib import Path

from lmcache_connector_kit.pytest_plugin import conformance_suite
from redis_server import redis_for_tests

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Loaded as lmcache/acme_redis_store_connector.yaml loads it: from its external:// URL.
URL = "external://host:0/acme_redis_store.acme_redis_store_connector/?connector_name=AcmeRedisStoreConnector"
CONFIG = PROJECT_ROOT / "lmcache" / "acme_redis_store_connector.yaml"

# A real redis-server on loopback for the run ($REDIS_URL instead, when set), stopped afterwards.
# A key prefix of the run's own, so a shared server's other keys are neither seen nor touched.
with redis_for_tests() as _redis_url:
    test_conformance = conformance_suite(
        URL,
        cwd=PROJECT_ROOT,
        search_paths=[PROJECT_ROOT / "src"],
        config=CONFIG,
        extra={
            "remote_storage_plugin.acme_redis_store_connector.url": _redis_url,
            "remote_storage_plugin.acme_redis_store_connector.key_prefix": f"conformance-{os.getpid()}-{time.time_ns()}:",
        },
    )
