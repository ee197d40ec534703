"""PostgreSQL engine for the store: production, shared by several replicas."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

import psycopg

from adapter.edges.store.sql import Cursor, SqlStore


class PostgresStore(SqlStore):
    def __init__(self, conninfo: str, *, password: str | None = None) -> None:
        super().__init__("postgres")
        if password is not None:
            conninfo = psycopg.conninfo.make_conninfo(conninfo, password=password)
        self._connection = psycopg.connect(conninfo, autocommit=False)

    @contextmanager
    def _transaction(self) -> Iterator[Cursor]:
        with self._connection.transaction(), self._connection.cursor() as cursor:
            yield cast("Cursor", cursor)

    def close(self) -> None:
        with self._lock:
            self._connection.close()
