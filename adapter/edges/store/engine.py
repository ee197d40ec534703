"""The engine-neutral part of the store: one connection, transactions, schema migrations.

Subclasses (``sqlite.py``, ``postgres.py``) open the connection and say how a transaction
starts and ends; ``sql.py`` holds the store's queries.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol

from adapter.core.errors import TransientError
from adapter.edges.store.migrations import MIGRATIONS, Dialect, render


class Cursor(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    @property
    def rowcount(self) -> int: ...


class StoreUnavailableError(TransientError):
    """The database could not be reached or lost the connection: retry later."""


class SqlEngine:
    """One connection behind a lock (thread-safe); ``_tx()`` is one transaction."""

    dialect: Dialect
    transient_errors: tuple[type[Exception], ...] = ()
    """Engine errors that mean "try again later" (lost connection, database locked)."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._lock = threading.RLock()

    # -- engine specifics, provided by subclasses ----------------------------------------
    def _transaction(self) -> AbstractContextManager[Cursor]:
        raise NotImplementedError

    def _prepare_migration(self, cur: Cursor) -> None:
        """Serialise concurrent migrations (several replicas starting at once), lift limits."""

    def _has_table(self, cur: Cursor, name: str) -> bool:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def _sql(self, statement: str) -> str:
        return statement if self.dialect == "sqlite" else statement.replace("?", "%s")

    @contextmanager
    def _tx(self) -> Iterator[Cursor]:
        try:
            with self._lock, self._transaction() as cursor:
                yield cursor
        except self.transient_errors as exc:
            raise StoreUnavailableError(f"store unavailable: {type(exc).__name__}: {exc}") from exc

    def _run(self, cur: Cursor, statement: str, params: Sequence[Any] = ()) -> Any:
        return cur.execute(self._sql(statement), tuple(params))

    # -- schema ---------------------------------------------------------------------------
    def migrate(self) -> None:
        """Apply the migrations not applied yet, in order, in one transaction."""
        with self._tx() as cur:
            self._prepare_migration(cur)
            self._run(
                cur,
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
            )
            self._run(cur, "SELECT version FROM schema_migrations")
            applied = {int(row[0]) for row in cur.fetchall()}
            for version, sql in MIGRATIONS:
                if version in applied:
                    continue
                for statement in render(sql, self.dialect):
                    cur.execute(statement)
                self._run(
                    cur,
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                    (version, datetime.now(UTC).isoformat()),
                )

    def schema_version(self) -> int:
        """The highest migration applied (0 before ``migrate``)."""
        with self._tx() as cur:
            if not self._has_table(cur, "schema_migrations"):
                return 0
            self._run(cur, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            return int(cur.fetchone()[0])
