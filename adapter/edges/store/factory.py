"""Open the store named by a URL.

``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db``, ``sqlite:///:memory:`` or a
libpq URL ``postgresql://user@host:5432/db``. A PostgreSQL URL may set the session through its
query: ``?application_name=replica-1&options=-c%20statement_timeout%3D10s`` (these win over the
store's defaults, see ``PostgresStore``).

``open_store`` gives the synchronous engine (tools, migrations, engine tests);
``open_async_store`` the app's ports over it, each engine met the way it was measured to be
best (``calls.py``): SQLite inline on the loop, PostgreSQL on its own thread.
"""

from __future__ import annotations

from adapter.core.errors import FatalConfiguration
from adapter.edges.store.roles import AsyncSqlStore
from adapter.edges.store.sql import SqlStore


def open_store(url: str, *, password: str | None = None) -> SqlStore:
    if url.startswith("sqlite:///"):
        from adapter.edges.store.sqlite import SqliteStore

        return SqliteStore(url.removeprefix("sqlite:///"))
    if url.startswith(("postgresql://", "postgres://")):
        from adapter.edges.store.postgres import PostgresStore

        return PostgresStore(url, password=password)
    scheme = url.split("://", 1)[0] if "://" in url else "(none)"
    # Only the scheme: the rest of a URL or conninfo may hold a password.
    msg = f"unsupported store URL scheme {scheme[:20]!r}: use sqlite:///PATH or postgresql://"
    raise FatalConfiguration(msg)


def open_async_store(url: str, *, password: str | None = None) -> AsyncSqlStore:
    """The store's roles for the event loop; blocks while it connects (call it in a thread)."""
    store = open_store(url, password=password)
    if url.startswith("sqlite:///"):
        return AsyncSqlStore.inline(store)
    return AsyncSqlStore.threaded(store)
