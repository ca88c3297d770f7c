# SPDX-License-Identifier: Apache-2.0
"""Finds the LMCache Connector Kit for the tests: its `lmcache-connector` CLI and, in the same npm
package (lmcache-connector-runtime), the pytest helper lmcache_connector_kit.pytest_plugin. In order:

1. $LMCACHE_CONNECTOR_CLI, the CLI itself (e.g. /path/to/kit/runtime/bin/lmcache-connector.js;
   the helper is in the first python/ folder above it, or in $LMCACHE_KIT_PYTHON_DIR);
2. node_modules/lmcache-connector-runtime here or in a parent folder, what `npx lmcache-connector`
   runs: `npm install --offline` in this folder installs it from vendor/lmcache-connector-runtime-0.1.0.tgz;
3. `lmcache-connector` on PATH (`npm install -g lmcache-connector-runtime`).
"""

import os
import shutil
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RUNTIME_PACKAGE = "lmcache-connector-runtime"
HOW_TO_INSTALL = (
    "The LMCache Connector Kit's CLI was not found. Run `npm install --offline` in "
    f"{PROJECT_ROOT} (it installs vendor/lmcache-connector-runtime-0.1.0.tgz), or `npm install -g {RUNTIME_PACKAGE}`, "
    "or set LMCACHE_CONNECTOR_CLI to the lmcache-connector command."
)


def _kit_python_near(cli: str) -> Path:
    """The kit's python/ folder for a CLI: the first python/lmcache_connector_kit above the CLI's
    real file (npm's bin links resolved), as the runtime itself looks for it."""
    for folder in Path(cli).resolve().parents:
        if (folder / "python" / "lmcache_connector_kit").is_dir():
            return folder / "python"
    raise pytest.UsageError(f"{cli} has no python/lmcache_connector_kit above it: is it the LMCache Connector Kit's CLI? {HOW_TO_INSTALL}")


def find_kit_python() -> Path:
    """The python/ folder of the lmcache-connector-runtime npm package the tests use."""
    if os.environ.get("LMCACHE_KIT_PYTHON_DIR", "").strip():
        return Path(os.environ["LMCACHE_KIT_PYTHON_DIR"].strip())
    explicit = os.environ.get("LMCACHE_CONNECTOR_CLI", "").strip()
    if explicit:
        cli = explicit if os.path.exists(explicit) else shutil.which(explicit)
        if cli is None:
            raise pytest.UsageError(f"LMCACHE_CONNECTOR_CLI={explicit!r} is neither a file nor a command on PATH")
        return _kit_python_near(cli)
    for folder in (PROJECT_ROOT, *PROJECT_ROOT.parents):
        candidate = folder / "node_modules" / RUNTIME_PACKAGE
        if (candidate / "package.json").is_file():
            return candidate.resolve() / "python"
    cli = shutil.which("lmcache-connector")
    if cli is not None:
        return _kit_python_near(cli)
    raise pytest.UsageError(HOW_TO_INSTALL)


def pytest_configure(config):
    kit_python = find_kit_python()
    if not (kit_python / "lmcache_connector_kit" / "pytest_plugin.py").is_file():
        raise pytest.UsageError(f"{kit_python} has no lmcache_connector_kit/pytest_plugin.py: the kit's runtime is too old for these tests. {HOW_TO_INSTALL}")
    # Appended, not prepended: the tests import only lmcache_connector_kit from there, and the
    # kit's own lmcache package beside it must not shadow an installed LMCache.
    if str(kit_python) not in sys.path:
        sys.path.append(str(kit_python))
