"""What each engine adds to the contract: SQLite's WAL file, PostgreSQL's session settings
and its recovery from a lost connection, and how each meets the event loop (``calls.py``)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from adapter.app.ports import Recorded
from adapter.bootstrap import open_migrated_store
from adapter.core.errors import FatalConfiguration
from adapter.edges.store.calls import InlineCalls, StoreClosed, ThreadCalls
from adapter.edges.store.engine import StoreUnavailableError
from adapter.edges.store.factory import open_async_store, open_store
from adapter.edges.store.postgres import PostgresStore, StoreClosedError
from adapter.edges.store.roles import AsyncSqlStore
from adapter.edges.store.sqlite import SqliteStore
from adapter.settings import HttpSettings, Settings, StoreSettings
from tests.contract.builders import eid, entry, outbox_keys, record, scalar
from tests.contract.conftest import POSTGRES_URL, admin_connection

R = TypeVar("R")


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'wal.sqlite3'}")
    try:
        assert isinstance(store, SqliteStore)
        store.migrate()
        assert str(scalar(store, "PRAGMA journal_mode")).lower() == "wal"
    finally:
        store.close()


@pytest.fixture
def pg_store(pg_schema: str) -> PostgresStore:
    store = PostgresStore(pg_schema)
    store.migrate()
    return store


def _terminate(pid: int) -> None:
    """Kill one server process and wait until the server has let it go."""
    with admin_connection() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        for _ in range(500):
            row = admin.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = %s", (pid,))
            if row.fetchone() == (0,):
                return
            admin.execute("SELECT pg_sleep(0.01)")
    pytest.fail(f"backend {pid} still alive")


@pytest.mark.postgres
def test_postgres_reconnects_once_after_a_lost_connection(pg_store: PostgresStore) -> None:
    pg_store.append_outbox([record("before")], 0.0)
    lost = pg_store.backend_pid()
    _terminate(lost)
    pg_store.append_outbox([record("after")], 0.0)
    assert pg_store.reconnects == 1
    assert pg_store.backend_pid() != lost
    assert outbox_keys(pg_store) == ["before", "after"]


def _lose_connection_mid_transaction(store: PostgresStore) -> None:
    with store._tx() as cur:
        store._insert_outbox(cur, [record("lost")], 0.0)
        _terminate(store.backend_pid())
        cur.execute("SELECT 1")


@pytest.mark.postgres
def test_postgres_recovers_on_the_next_call_after_a_loss_mid_transaction(
    pg_store: PostgresStore,
) -> None:
    with pytest.raises(StoreUnavailableError):
        _lose_connection_mid_transaction(pg_store)
    assert pg_store.record_events([entry("e1")], {eid("e1"): [record("kept")]}) == [Recorded.NEW]
    assert pg_store.reconnects == 1
    assert outbox_keys(pg_store) == ["kept"]


@pytest.mark.postgres
def test_postgres_reads_again_once_on_a_connection_found_dead(pg_store: PostgresStore) -> None:
    pg_store.append_outbox([record("kept")], 0.0)
    _terminate(pg_store.backend_pid())
    assert [e.key for e in pg_store.read(lambda: pg_store.pending_outbox(None, 10))] == ["kept"]
    assert pg_store.reconnects == 1


@pytest.mark.postgres
def test_a_read_whose_reconnection_fails_is_a_transient_error(
    pg_store: PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chaos suite (postgres-2) cut the server while the relay read: the new connection
    was refused, and the raw driver error escaped the store and stopped the relay."""
    _terminate(pg_store.backend_pid())

    def refused() -> None:
        raise psycopg.OperationalError("connection failed: Connection reset by peer")

    monkeypatch.setattr(pg_store, "_connect", refused)
    with pytest.raises(StoreUnavailableError, match="Connection reset by peer"):
        pg_store.read(lambda: pg_store.pending_outbox(None, 10))


@pytest.mark.postgres
def test_postgres_session_names_the_adapter_and_bounds_statements(pg_schema: str) -> None:
    store = PostgresStore(pg_schema, statement_timeout_ms=1500)
    try:
        assert scalar(store, "SHOW application_name") == "dimona-adapter"
        assert scalar(store, "SHOW statement_timeout") == "1500ms"
        with pytest.raises(StoreUnavailableError):
            scalar(store, "SELECT pg_sleep(5)")
        assert scalar(store, "SELECT 1") == 1
    finally:
        store.close()


@pytest.mark.postgres
def test_postgres_url_settings_win_over_the_defaults(pg_schema: str) -> None:
    options = f"{conninfo_to_dict(pg_schema)['options']} -cstatement_timeout=2s"
    url = f"{POSTGRES_URL}?application_name=replica-7&options={quote(options)}"
    store = open_store(url)
    try:
        assert scalar(store, "SHOW application_name") == "replica-7"
        assert scalar(store, "SHOW statement_timeout") == "2s"
    finally:
        store.close()


@pytest.mark.postgres
def test_postgres_store_refuses_work_once_closed(pg_store: PostgresStore) -> None:
    pg_store.close()
    with pytest.raises(StoreClosedError):
        pg_store.outbox_backlog()


def test_an_unknown_url_is_refused_without_echoing_it() -> None:
    with pytest.raises(FatalConfiguration) as refused:
        open_store("host=db user=adapter password=s3cret")
    assert "s3cret" not in str(refused.value)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_server_is_transient_not_a_crash() -> None:
    """Issue 11, point 4: start-up failed while PostgreSQL was down."""
    with pytest.raises(StoreUnavailableError):
        PostgresStore(f"postgresql://postgres@127.0.0.1:{_closed_port()}/test", connect_timeout_s=2)


@pytest.mark.postgres
def test_a_database_that_does_not_exist_is_a_configuration_error() -> None:
    admin_connection().close()  # the server itself is up
    url = POSTGRES_URL.rsplit("/", 1)[0] + "/no_such_database_dimona"
    with pytest.raises(FatalConfiguration, match="does not exist"):
        PostgresStore(url)


@pytest.mark.postgres
def test_the_connection_bounds_a_black_holed_call(pg_store: PostgresStore) -> None:
    """The client socket's own limits (libpq), not the server's settings."""
    parameters = pg_store._connection.info.get_parameters()
    assert parameters["tcp_user_timeout"] == "20000"
    assert parameters["keepalives"] == "1"
    assert parameters["keepalives_idle"] == "10"


async def test_start_up_waits_for_the_store_and_gives_up_only_when_stopped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Issue 11, point 4: start-up failed while PostgreSQL was down. It waits now, live and
    not ready (the probes say why), and gives up only when stopped."""
    url = f"postgresql://postgres@127.0.0.1:{_closed_port()}/test?connect_timeout=1"
    probes_port = _closed_port()
    settings = Settings(
        store=StoreSettings(url=url), http=HttpSettings(host="127.0.0.1", port=probes_port)
    )
    stopping = asyncio.Event()
    task = asyncio.create_task(open_migrated_store(settings, stopping, cap_s=0.05))
    while "dependency unavailable at start-up" not in caplog.text:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    assert not task.done()  # still waiting, not crashed
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{probes_port}") as probes:
        assert (await probes.get("/livez")).status_code == 200
        ready = await probes.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["startup"] == "store unavailable: waiting"
    stopping.set()
    assert await asyncio.wait_for(task, 10) is None


async def _serves_the_roles(store: AsyncSqlStore) -> None:
    try:
        await store.migrate()
        assert await store.record_events([entry("e1")], {}) == [Recorded.NEW]
        assert await store.employments_with_open_events(None) == ["emp-1"]
    finally:
        store.close()
    with pytest.raises(StoreClosed):
        await store.pending_outbox(None, 1)


async def test_sqlite_is_served_inline_on_the_loop(tmp_path: Path) -> None:
    store = open_async_store(f"sqlite:///{tmp_path / 'inline.sqlite3'}")
    assert isinstance(store._calls, InlineCalls)
    await _serves_the_roles(store)


@pytest.mark.postgres
async def test_postgres_is_served_on_its_own_thread(pg_schema: str) -> None:
    options = conninfo_to_dict(pg_schema)["options"]
    store = open_async_store(f"{POSTGRES_URL}?options={quote(str(options))}")
    assert isinstance(store._calls, ThreadCalls)
    await _serves_the_roles(store)


class PlainEngine:
    """Runs each job as it comes (the Calls layer's order and threads, without SQL)."""

    def read(self, job: Callable[[], R]) -> R:
        return job()

    def run_group(
        self, jobs: Sequence[Callable[[], Any]]
    ) -> list[tuple[Any, BaseException | None]]:
        outcomes: list[tuple[Any, BaseException | None]] = []
        for job in jobs:
            try:
                outcomes.append((job(), None))
            except Exception as exc:  # noqa: BLE001 - handed to the caller
                outcomes.append((None, exc))
        return outcomes


async def test_inline_calls_run_on_the_loop_thread() -> None:
    calls = InlineCalls(PlainEngine())
    assert await calls.read(threading.get_ident) == threading.get_ident()
    assert await calls.write(threading.get_ident) == threading.get_ident()
    assert await calls.read_first(lambda: 7) == 7


async def test_the_store_thread_keeps_the_order_and_lets_the_relay_go_first() -> None:
    calls = ThreadCalls(PlainEngine())
    started, release = threading.Event(), threading.Event()
    ran: list[str] = []

    def blocking() -> None:
        ran.append("blocking")
        started.set()
        release.wait(10)

    try:
        first_job = asyncio.create_task(calls.call(blocking))
        while not started.is_set():  # noqa: ASYNC110 - a thread, not a task, sets it
            await asyncio.sleep(0.001)
        queued = [asyncio.create_task(calls.read(ran.append, name)) for name in "abc"]
        writes = [asyncio.create_task(calls.write(ran.append, f"w{n}")) for n in (1, 2)]
        relay = asyncio.create_task(calls.read_first(ran.append, "relay"))
        await asyncio.sleep(0)  # every task has queued its call
        release.set()
        await asyncio.gather(first_job, *queued, *writes, relay)
        # the reads in their order (the relay first), then the writes, in theirs, as a group
        assert ran == ["blocking", "relay", "a", "b", "c", "w1", "w2"]
        assert await calls.read(threading.get_ident) != threading.get_ident()
    finally:
        release.set()
        calls.close()
    with pytest.raises(StoreClosed):
        await calls.call(threading.get_ident)


async def test_an_error_on_the_store_thread_reaches_its_caller_only() -> None:
    calls = ThreadCalls(PlainEngine())
    try:
        with pytest.raises(StoreUnavailableError):
            await calls.read(_unavailable)
        with pytest.raises(StoreUnavailableError):
            await calls.write(_unavailable)
        assert await calls.write(lambda: "next") == "next"
    finally:
        calls.close()


def _unavailable() -> None:
    raise StoreUnavailableError("store unavailable: lost")
