"""PostgreSQL engine for the store: production, shared by several replicas.

One connection in autocommit mode; each store call runs between an explicit ``BEGIN`` and
``COMMIT``. A connection found dead when a transaction starts (server restart, fail-over, idle
connection cut by a proxy) is replaced once, transparently: nothing of the transaction has been
sent yet, so starting it again is safe. A connection lost in the middle of a transaction raises
(the server rolled the transaction back) and the next call reconnects.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final, cast

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.pq import TransactionStatus

from adapter.edges.store.engine import Cursor
from adapter.edges.store.sql import SqlStore

APPLICATION_NAME: Final = "dimona-adapter"
STATEMENT_TIMEOUT_MS: Final = 30_000
CONNECT_TIMEOUT_S: Final = 10


class StoreClosedError(RuntimeError):
    """The store was used after ``close()``."""


class PostgresStore(SqlStore):
    """``conninfo`` is a libpq URL or key/value string; its own parameters win over ours.

    ``application_name`` shows the adapter in ``pg_stat_activity``; ``statement_timeout_ms``
    bounds every statement (None keeps the server's or the URL's setting);
    ``connect_timeout_s`` bounds each connection attempt (libpq waits forever by default).
    """

    transient_errors = (psycopg.OperationalError,)

    def __init__(
        self,
        conninfo: str,
        *,
        password: str | None = None,
        application_name: str = APPLICATION_NAME,
        statement_timeout_ms: int | None = STATEMENT_TIMEOUT_MS,
        connect_timeout_s: int = CONNECT_TIMEOUT_S,
    ) -> None:
        super().__init__("postgres")
        given = conninfo_to_dict(conninfo)
        extra: dict[str, Any] = {}
        if password is not None:
            extra["password"] = password
        if "application_name" not in given:
            extra["application_name"] = application_name
        if "connect_timeout" not in given:
            extra["connect_timeout"] = connect_timeout_s
        if "statement_timeout" in str(given.get("options", "")):
            statement_timeout_ms = None
        self._conninfo = make_conninfo(conninfo, **extra)
        self._statement_timeout_ms = statement_timeout_ms
        self._closed = False
        self.reconnects = 0
        """How many times a dead connection was replaced (for metrics and tests)."""
        self._connection = self._connect()

    def _connect(self) -> psycopg.Connection[Any]:
        connection = psycopg.connect(self._conninfo, autocommit=True)
        if self._statement_timeout_ms is not None:
            connection.execute(
                "SELECT set_config('statement_timeout', %s, false)",
                (f"{self._statement_timeout_ms}ms",),
            )
        return connection

    def _reconnect(self) -> None:
        with contextlib.suppress(psycopg.Error):
            self._connection.close()
        self._connection = self._connect()
        self.reconnects += 1

    def backend_pid(self) -> int:
        """The server process of the current connection (operations and tests)."""
        return int(self._connection.info.backend_pid)

    def _begin(self) -> psycopg.Cursor[Any]:
        if self._closed:
            msg = "the store is closed"
            raise StoreClosedError(msg)
        if self._connection.closed or self._connection.broken:
            self._reconnect()
        try:
            cursor = self._connection.cursor()
            cursor.execute("BEGIN")
        except psycopg.OperationalError:
            self._reconnect()
            cursor = self._connection.cursor()
            cursor.execute("BEGIN")
        return cursor

    @contextmanager
    def _transaction(self) -> Iterator[Cursor]:
        cursor = self._begin()
        try:
            yield cast("Cursor", cursor)
            cursor.execute("COMMIT")
        except BaseException:
            connection = self._connection
            if (
                not connection.broken
                and connection.info.transaction_status != TransactionStatus.IDLE
            ):
                # A failed ROLLBACK must not hide the original error; the connection is then
                # broken and replaced by the next transaction.
                with contextlib.suppress(psycopg.OperationalError):
                    connection.execute("ROLLBACK")
            raise
        finally:
            cursor.close()

    def _prepare_migration(self, cur: Cursor) -> None:
        # A migration may rewrite a large table: no statement timeout for this transaction.
        cur.execute("SET LOCAL statement_timeout = 0")
        # Replicas starting together: the first migrates, the others wait and find it done.
        cur.execute(
            "SELECT pg_advisory_xact_lock(hashtext('dimona-adapter.migrate:' || current_schema()))"
        )

    def _has_table(self, cur: Cursor, name: str) -> bool:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", (name,))
        return bool(cur.fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._connection.close()
