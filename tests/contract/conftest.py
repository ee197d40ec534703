"""Store engines for the store contract suite: in memory, SQLite in tmp_path, PostgreSQL in a
fresh schema.

``open_store`` opens another store on the same database (the same memory database, the same
SQLite file, the same PostgreSQL schema): a second replica. The SQL engines are served as the
adapter serves them (``AsyncSqlStore``: SQLite inline, PostgreSQL on its own thread).
``open_sql`` gives the synchronous SQL engines alone, for what only SQL has (migrations,
transactions, columns).

Each PostgreSQL test gets its own uniquely named schema (``search_path`` set through the
connection options), dropped afterwards, so parallel and repeated runs never collide.
The server must be reachable: the tests fail when it is not, unless
``DIMONA_ADAPTER_SKIP_POSTGRES=1`` is set.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from adapter.app.ports import Inbox, Ledger, Outbox, StoreView
from adapter.edges.store.memory import MemoryDatabase, MemoryStore
from adapter.edges.store.postgres import PostgresStore
from adapter.edges.store.roles import AsyncSqlStore
from adapter.edges.store.sql import SqlStore
from adapter.edges.store.sqlite import SqliteStore

POSTGRES_URL = os.environ.get(
    "DIMONA_ADAPTER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
SKIP_POSTGRES = os.environ.get("DIMONA_ADAPTER_SKIP_POSTGRES") == "1"
ENGINES = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
SQL_ENGINES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


class Store(Inbox, Ledger, Outbox, StoreView, Protocol):
    """Every role at once, as each implementation plays them."""

    def close(self) -> None: ...


OpenStore = Callable[[], Store]
"""Opens another store on the same database: another replica."""
OpenSql = Callable[[], SqlStore]
"""Opens another synchronous SQL engine on the same database (not migrated)."""


def admin_connection() -> psycopg.Connection[tuple[object, ...]]:
    """A plain connection to the test database; fails the test when the server is down."""
    if SKIP_POSTGRES:
        pytest.skip("DIMONA_ADAPTER_SKIP_POSTGRES=1")
    try:
        return psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is unreachable at {POSTGRES_URL} ({exc}); start it, or set "
            "DIMONA_ADAPTER_SKIP_POSTGRES=1 to skip the PostgreSQL cases",
            pytrace=False,
        )


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A libpq conninfo whose search_path is a fresh schema, dropped after the test."""
    schema = f"contract_{uuid.uuid4().hex[:12]}"
    with admin_connection() as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        try:
            yield make_conninfo(POSTGRES_URL, options=f"-csearch_path={schema}")
        finally:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def _sql_factory(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> OpenSql:
    if engine == "sqlite":
        path = tmp_path / "store.sqlite3"
        return lambda: SqliteStore(path)
    conninfo: str = request.getfixturevalue("pg_schema")
    return lambda: PostgresStore(conninfo)


@pytest.fixture(params=SQL_ENGINES)
def open_sql(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenSql]:
    opened: list[SqlStore] = []
    make = _sql_factory(request.param, request, tmp_path)

    def factory() -> SqlStore:
        opened.append(make())
        return opened[-1]

    try:
        yield factory
    finally:
        for store in opened:
            store.close()


@pytest.fixture(params=ENGINES)
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenStore]:
    opened: list[Any] = []
    if request.param == "memory":
        database = MemoryDatabase()

        def factory() -> Store:
            opened.append(MemoryStore(database))
            return opened[-1]  # type: ignore[no-any-return]
    else:
        make = _sql_factory(request.param, request, tmp_path)
        serve = AsyncSqlStore.inline if request.param == "sqlite" else AsyncSqlStore.threaded

        def factory() -> Store:
            engine = make()
            engine.migrate()
            opened.append(serve(engine))
            return opened[-1]  # type: ignore[no-any-return]

    try:
        yield factory
    finally:
        for store in opened:
            store.close()


@pytest.fixture
def store(open_store: OpenStore) -> Store:
    """A store with its schema in place."""
    return open_store()
