# SPDX-License-Identifier: Apache-2.0
"""``lmcache.logging``: ``init_logger(name)`` as connectors call it (``logger = init_logger(__name__)``).

Records go to ``sys.stderr`` (never stdout: the kit's bridge may use stdout for its own frames).
The level comes from ``LMCACHE_LOG_LEVEL`` (default ``INFO``), as in LMCache.
"""
# Standard
import logging
import os
import sys

_FORMAT = "[%(asctime)s] LMCache %(levelname)s: %(message)s (%(filename)s:%(lineno)d:%(name)s)"
_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


def _default_level() -> int:
    name = os.getenv("LMCACHE_LOG_LEVEL", "INFO").upper()
    level = logging.getLevelName(name)
    return level if isinstance(level, int) else logging.INFO


def init_logger(name: str) -> logging.Logger:
    """A logger named ``name`` that writes LMCache-formatted records to stderr."""
    logger = logging.getLogger(name)
    if not getattr(logger, "_lmcache_configured", False):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT, datefmt=_DATE_FORMAT))
        logger.addHandler(handler)
        logger.setLevel(_default_level())
        logger.propagate = False
        logger._lmcache_configured = True  # type: ignore[attr-defined]
    return logger
