"""SQLite engine for the store: the embedded default (WAL, one file)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from adapter.edges.store.sql import Cursor, SqlStore


class SqliteStore(SqlStore):
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
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._connection.close()
