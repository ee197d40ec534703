"""SQLite engine for the store: the embedded default (WAL, one file)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from adapter.edges.store.engine import Cursor
from adapter.edges.store.sql import SqlStore


class SqliteStore(SqlStore):
    transient_errors = (sqlite3.OperationalError,)  # "database is locked", disk I/O

    def __init__(self, path: str | Path) -> None:
        super().__init__("sqlite")
        self._connection = sqlite3.connect(
            str(path), isolation_level=None, check_same_thread=False, timeout=30
        )
        self._connection.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode is durable against process crashes (the case we guard against);
        # FULL adds an fsync per commit for power loss. Configurable later if needed.
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self._connection.execute("PRAGMA foreign_keys=ON")

    @contextmanager
    def _transaction(self) -> Iterator[Cursor]:
        cursor = self._connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            yield cursor
            self._commit(cursor)
        except BaseException:
            # Some errors (SQLITE_FULL, SQLITE_IOERR, ...) already rolled back: a second
            # ROLLBACK would raise and hide the original error. A failed COMMIT must not
            # leave the transaction open either (the next BEGIN would fail).
            if self._connection.in_transaction:
                self._connection.rollback()
            raise

    def _commit(self, cursor: sqlite3.Cursor) -> None:
        cursor.close()  # resets a statement still stepping (RETURNING) before COMMIT
        self._connection.commit()

    @contextmanager
    def _reading(self) -> Iterator[Cursor]:
        # Autocommit: each SELECT is its own read transaction, no BEGIN IMMEDIATE (no write
        # lock, half the cost of a read in a transaction).
        cursor = self._connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()  # ends the statement's read snapshot

    def _has_table(self, cur: Cursor, name: str) -> bool:
        cur.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
        return cur.fetchone() is not None

    def close(self) -> None:
        with self._lock:
            self._connection.close()
