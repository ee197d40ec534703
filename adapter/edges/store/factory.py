"""Open the store named by a URL.

``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db``, ``sqlite:///:memory:`` or a
libpq URL ``postgresql://user@host:5432/db``.
"""

from __future__ import annotations

from adapter.core.errors import FatalConfiguration
from adapter.edges.store.sql import SqlStore


def open_store(url: str, *, password: str | None = None) -> SqlStore:
    if url.startswith("sqlite:///"):
        from adapter.edges.store.sqlite import SqliteStore

        return SqliteStore(url.removeprefix("sqlite:///"))
    if url.startswith(("postgresql://", "postgres://")):
        from adapter.edges.store.postgres import PostgresStore

        return PostgresStore(url, password=password)
    msg = f"unsupported store URL {url.split(':', 1)[0]!r}: use sqlite:///PATH or postgresql://"
    raise FatalConfiguration(msg)
