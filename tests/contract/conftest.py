"""Store engines for the Store contract suite (test_store_contract.py, test_store_audit.py):
SQLite in tmp_path, PostgreSQL in a fresh schema.

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

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from adapter.edges.store.postgres import PostgresStore
from adapter.edges.store.sql import SqlStore
from adapter.edges.store.sqlite import SqliteStore

POSTGRES_URL = os.environ.get(
    "DIMONA_ADAPTER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
SKIP_POSTGRES = os.environ.get("DIMONA_ADAPTER_SKIP_POSTGRES") == "1"

OpenStore = Callable[[], SqlStore]
"""Opens another store on the same database (same SQLite file, same PostgreSQL schema)."""


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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenStore]:
    opened: list[SqlStore] = []
    if request.param == "sqlite":
        path = tmp_path / "store.sqlite3"

        def factory() -> SqlStore:
            opened.append(SqliteStore(path))
            return opened[-1]
    else:
        conninfo: str = request.getfixturevalue("pg_schema")

        def factory() -> SqlStore:
            opened.append(PostgresStore(conninfo))
            return opened[-1]

    try:
        yield factory
    finally:
        for store in opened:
            store.close()


@pytest.fixture
def store(open_store: OpenStore) -> SqlStore:
    """A migrated store."""
    opened = open_store()
    opened.migrate()
    return opened
