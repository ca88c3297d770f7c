# SPDX-License-Identifier: Apache-2.0
"""acme-store: the LMCache remote storage connector AcmeStoreConnector (in acme_store_connector.py)."""

__version__ = "0.1.0"
