"""Identifiers from outside (messenger event ids, conversation and user ids) as the columns keep them.

Such ids come from the platforms and may be longer than their column, or hold characters no
database takes in text (NUL for PostgreSQL, lone surrogates for any UTF-8 encoder). Those are kept
as a SHA-256 digest of the id instead: still one key per id, so lookups and deduplication hold.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Column

HASHED = "sha256:"


def stored_key(value: str, column: Column[str]) -> str:
    """``value`` itself when ``column`` can hold it as is, else ``sha256:<hex>`` of it."""
    limit = getattr(column.type, "length", None)
    if (limit is None or len(value) <= limit) and "\x00" not in value and not value.startswith(HASHED):
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            pass
    return HASHED + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
