"""The engine-neutral part of the store: one connection, transactions, groups, migrations.

Subclasses (``sqlite.py``, ``postgres.py``) open the connection and say how a transaction
starts and ends and how a read runs; ``sql.py`` holds the store's queries.

Three ways into the engine, each counted (``counts``):

- ``_tx()`` alone: one call, one transaction (``BEGIN`` … ``COMMIT``).
- ``run_group(jobs)``: **group commit**. Many write calls in ONE transaction, each call in its
  own ``SAVEPOINT``: a call that fails (``OwnershipLost``, ``UnknownDeclarationError``, an
  ``IntegrityError``) is rolled back to its savepoint and fails alone; the others commit. A
  failed ``COMMIT`` (or a connection lost on the way) fails every call of the group with
  ``StoreUnavailableError``: nothing of it was acknowledged, so nothing acknowledged is lost.
- ``_read()``: a read outside any write transaction (SQLite autocommit, PostgreSQL one
  autocommit statement per query); no ``BEGIN IMMEDIATE``, no write lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from adapter.core.errors import TransientError
from adapter.edges.store.migrations import MIGRATIONS, Dialect, render

R = TypeVar("R")
Outcome = tuple[Any, BaseException | None]
"""What one call of a group gave: its result, or the error it raises to its own caller."""


class Cursor(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    @property
    def rowcount(self) -> int: ...


class StoreUnavailableError(TransientError):
    """The database could not be reached or lost the connection: retry later."""


@dataclass(slots=True)
class StoreCounts:
    """What the store cost so far: calls served and transactions committed (the metrics
    ``store_calls_total`` and ``store_transactions_total``)."""

    calls: int = 0
    """Store calls: each read, each call alone, each call of a group."""
    transactions: int = 0
    """Transactions committed (``BEGIN`` … ``COMMIT``): one per call alone, one per group."""
    groups: int = 0
    """Groups committed (a group of one call counts too)."""


class SqlEngine:
    """One connection behind a lock (thread-safe); ``_tx()`` is one transaction, or one
    savepoint of the group being run."""

    dialect: Dialect
    transient_errors: tuple[type[Exception], ...] = ()
    """Engine errors that mean "try again later" (lost connection, database locked)."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._lock = threading.RLock()
        self._group: Cursor | None = None
        self._group_error: BaseException | None = None
        self.counts = StoreCounts()

    # -- engine specifics, provided by subclasses ----------------------------------------
    def _transaction(self) -> AbstractContextManager[Cursor]:
        raise NotImplementedError

    def _reading(self) -> AbstractContextManager[Cursor]:
        """A cursor for reads outside a transaction (each statement commits by itself)."""
        raise NotImplementedError

    def _replace_dead_connection(self) -> bool:
        """After a failed read: replace a connection found dead (True: read again)."""
        return False

    def _prepare_migration(self, cur: Cursor) -> None:
        """Serialise concurrent migrations (several replicas starting at once), lift limits."""

    def _has_table(self, cur: Cursor, name: str) -> bool:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def _sql(self, statement: str) -> str:
        return statement if self.dialect == "sqlite" else statement.replace("?", "%s")

    def _unavailable(self, exc: BaseException) -> StoreUnavailableError:
        return StoreUnavailableError(f"store unavailable: {type(exc).__name__}: {exc}")

    @contextmanager
    def _tx(self) -> Iterator[Cursor]:
        with self._lock:  # taken first: the group's thread alone sees ``_group`` set
            if self._group is not None:
                with self._savepoint(self._group) as cursor:
                    yield cursor
                return
            try:
                with self._transaction() as cursor:
                    yield cursor
            except self.transient_errors as exc:
                raise self._unavailable(exc) from exc
            self.counts.calls += 1
            self.counts.transactions += 1

    @contextmanager
    def _read(self) -> Iterator[Cursor]:
        with self._lock:
            if self._group is not None:  # a read made by a write of the group: part of it
                yield self._group
                return
            try:
                with self._reading() as cursor:
                    yield cursor
            except self.transient_errors as exc:
                raise self._unavailable(exc) from exc
            self.counts.calls += 1

    def read(self, job: Callable[[], R]) -> R:
        """Run a read (a method using ``_read()``); once more on a fresh connection when the
        first try found the connection dead (a read is always safe to repeat)."""
        try:
            return job()
        except StoreUnavailableError:
            with self._lock:
                try:
                    replaced = self._replace_dead_connection()
                except self.transient_errors as exc:  # the server is still away
                    raise self._unavailable(exc) from exc
                if not replaced:
                    raise
            return job()

    # -- group commit ---------------------------------------------------------------------
    @contextmanager
    def _savepoint(self, cur: Cursor) -> Iterator[Cursor]:
        """One call of a group: rolled back alone when it raises."""
        if self._group_error is not None:
            raise self._unavailable(self._group_error)
        self._group_step(cur, "SAVEPOINT call")
        try:
            yield cur
        except BaseException as exc:
            self._group_step(cur, "ROLLBACK TO SAVEPOINT call")
            self._group_step(cur, "RELEASE SAVEPOINT call")
            if isinstance(exc, self.transient_errors):  # e.g. a statement timeout
                raise self._unavailable(exc) from exc
            raise
        self._group_step(cur, "RELEASE SAVEPOINT call")
        self.counts.calls += 1

    def _group_step(self, cur: Cursor, statement: str) -> None:
        try:
            cur.execute(statement)
        except self.transient_errors as exc:  # the transaction is gone: the group fails
            self._group_error = exc
            raise self._unavailable(exc) from exc

    def run_group(self, jobs: Sequence[Callable[[], Any]]) -> list[Outcome]:
        """Run write calls (methods using ``_tx()``) in one transaction, each in a savepoint;
        their outcomes once the transaction committed. Never raises for a call's error: a
        failed commit gives every call a ``StoreUnavailableError``."""
        if not jobs:
            return []
        outcomes: list[Outcome] = []
        with self._lock:
            try:
                with self._transaction() as cursor:
                    self._group, self._group_error = cursor, None
                    try:
                        for job in jobs:
                            try:
                                outcomes.append((job(), None))
                            except Exception as exc:  # noqa: BLE001 - handed to its caller
                                outcomes.append((None, exc))
                    finally:
                        self._group = None
                    if self._group_error is not None:
                        raise self._group_error
            except Exception as exc:  # noqa: BLE001 - BEGIN or COMMIT failed: every call fails
                cause = exc.__cause__ if isinstance(exc, StoreUnavailableError) else exc
                return [(None, self._group_failed(cause or exc)) for _ in jobs]
            finally:
                self._group_error = None
            self.counts.transactions += 1
            self.counts.groups += 1
        return outcomes

    def _group_failed(self, cause: BaseException) -> StoreUnavailableError:
        failed = StoreUnavailableError(
            f"store unavailable: the group's transaction failed: {type(cause).__name__}: {cause}"
        )
        failed.__cause__ = cause
        return failed

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
        with self._read() as cur:
            if not self._has_table(cur, "schema_migrations"):
                return 0
            self._run(cur, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            return int(cur.fetchone()[0])
