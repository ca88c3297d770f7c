# SPDX-License-Identifier: Apache-2.0
"""acme-files: the LMCache remote storage connector AcmeFileStore (in acme_file_store.py)."""

__version__ = "0.1.0"
