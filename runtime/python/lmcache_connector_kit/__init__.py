# SPDX-License-Identifier: Apache-2.0
"""The kit's Python bridge (ours, not LMCache's): the process that loads a Python connector the
way LMCache loads it and serves the TypeScript engine's calls to it.

Run by the kit as ``python -c <bootstrap>`` (see ``runtime/src/python/bridge-process.ts``), which
imports :mod:`lmcache_connector_kit.bridge` and then takes this package's folder OFF ``sys.path``
again, so ``import lmcache`` finds an installed LMCache first; the kit's own ``lmcache`` package
(next to this one) is added only when that import fails or ``--lmcache kit`` asks for it.
Nothing here imports ``lmcache`` at module import time.
"""
