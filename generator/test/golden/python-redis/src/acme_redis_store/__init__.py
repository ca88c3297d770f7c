# SPDX-License-Identifier: Apache-2.0
"""acme-redis-store: the LMCache remote storage connector AcmeRedisStoreConnector (in acme_redis_store_connector.py)."""

__version__ = "0.1.0"
