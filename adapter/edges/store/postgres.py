"""PostgreSQL engine for the store: production, shared by several replicas.

One connection in autocommit mode; each group of writes (``engine.run_group``) runs between an
explicit ``BEGIN`` and ``COMMIT``, and each read is a plain autocommit ``SELECT`` (one round
trip per query, outside any write transaction). A connection found dead when a transaction
starts (server restart, fail-over, idle connection cut by a proxy) is replaced once,
transparently: nothing of the transaction has been sent yet, so starting it again is safe. A
connection lost in the middle of a transaction raises (the server rolled the transaction back)
and the next call reconnects; a read that found the connection dead is read again once on a
new connection.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final, cast

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.pq import TransactionStatus

from adapter.core.errors import BrokenInvariant, FatalConfiguration
from adapter.edges.store.engine import Cursor, StoreUnavailableError
from adapter.edges.store.sql import SqlStore

APPLICATION_NAME: Final = "dimona-adapter"
STATEMENT_TIMEOUT_MS: Final = 30_000
CONNECT_TIMEOUT_S: Final = 10
TCP_USER_TIMEOUT_MS: Final = 20_000
"""A black-holed server (no ACK for what we sent) fails the call after this, instead of the
kernel's ~15 minutes of retransmissions."""
KEEPALIVES: Final = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}
"""An idle connection to a vanished server is found dead within ~25 s."""


class StoreClosedError(BrokenInvariant):
    """The store was used after ``close()``."""


class PostgresStore(SqlStore):
    """``conninfo`` is a libpq URL or key/value string; its own parameters win over ours.

    ``application_name`` shows the adapter in ``pg_stat_activity``; ``statement_timeout_ms``
    bounds every statement (None keeps the server's or the URL's setting);
    ``connect_timeout_s`` bounds each connection attempt (libpq waits forever by default);
    ``tcp_user_timeout_ms`` and TCP keepalives bound a call to a server that stopped answering.
    A server that cannot be reached raises ``StoreUnavailableError`` (transient), at start-up
    as later; the caller retries.
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
        tcp_user_timeout_ms: int = TCP_USER_TIMEOUT_MS,
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
        if "tcp_user_timeout" not in given:
            extra["tcp_user_timeout"] = tcp_user_timeout_ms
        extra.update({k: v for k, v in KEEPALIVES.items() if k not in given})
        if "statement_timeout" in str(given.get("options", "")):
            statement_timeout_ms = None
        self._conninfo = make_conninfo(conninfo, **extra)
        self._statement_timeout_ms = statement_timeout_ms
        self._closed = False
        self.reconnects = 0
        """How many times a dead connection was replaced (for metrics and tests)."""
        try:
            self._connection = self._connect()
        except psycopg.OperationalError as exc:
            if _refused_by_configuration(exc):
                msg = f"the PostgreSQL server refused the store URL: {_first_line(exc)}"
                raise FatalConfiguration(msg) from None
            raise StoreUnavailableError(f"store unavailable: {_first_line(exc)}") from exc

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

    def _live(self) -> psycopg.Connection[Any]:
        if self._closed:
            msg = "the store is closed"
            raise StoreClosedError(msg)
        if self._connection.closed or self._connection.broken:
            self._reconnect()
        return self._connection

    def _begin(self) -> psycopg.Cursor[Any]:
        self._live()
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
            self._commit(cursor)
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

    def _commit(self, cursor: psycopg.Cursor[Any]) -> None:
        cursor.execute("COMMIT")

    @contextmanager
    def _reading(self) -> Iterator[Cursor]:
        # The connection is in autocommit mode: each SELECT is one round trip, no BEGIN.
        cursor = self._live().cursor()
        try:
            yield cast("Cursor", cursor)
        finally:
            cursor.close()

    def _replace_dead_connection(self) -> bool:
        if self._closed or not self._connection.broken:
            return False  # a statement timeout, a bad query: not the connection's fault
        self._reconnect()
        return True

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


_CONFIGURATION_REFUSALS: Final = (
    "does not exist",
    "authentication failed",
    "pg_hba.conf",
    "permission denied",
)


def _refused_by_configuration(exc: psycopg.OperationalError) -> bool:
    """The server answered and said no to the URL itself (database, role, password): no
    retry helps. An unreachable or starting server is transient."""
    text = str(exc)
    return "FATAL:" in text and any(refusal in text for refusal in _CONFIGURATION_REFUSALS)


def _first_line(exc: BaseException) -> str:
    """libpq's message without the connection string details of its later lines."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
