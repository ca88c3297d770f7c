# SPDX-License-Identifier: Apache-2.0
"""The LMCache connector conformance suite against AcmeFileStore, one test per case.

The kit's CLI (`lmcache-connector check --format json`; conftest.py says how it is found) loads
the class the way LMCache loads it, with lmcache/acme_file_store.yaml and the package found in src/ (as
after `pip install -e .`), in this interpreter, and runs every case against LMCache's local CPU
cache. A failing case fails its test with what was expected, what happened, the line in src/ and
the operations that led there; a case for a capability the class does not declare is skipped.
"""
import shutil
import tempfile
from pathlib import Path

from lmcache_connector_kit.pytest_plugin import conformance_suite

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Loaded as lmcache/acme_file_store.yaml loads it: through the Remote Storage Plugin Framework.
URL = "plugin://acme_file_store"
CONFIG = PROJECT_ROOT / "lmcache" / "acme_file_store.yaml"

# A fresh directory for the run, removed afterwards.
_base_path = tempfile.mkdtemp(prefix="acme_file_store-")
try:
    test_conformance = conformance_suite(
        URL,
        cwd=PROJECT_ROOT,
        search_paths=[PROJECT_ROOT / "src"],
        config=CONFIG,
        extra={"remote_storage_plugin.acme_file_store.base_path": _base_path},
    )
finally:
    shutil.rmtree(_base_path, ignore_errors=True)
