"""Micro-benchmark of the store under the driver: N accepted INs (one HIRE per employment)
driven through ``DeclarationDriver`` and ``Executor`` with the in-process fakes of
tests/unit/app, over a real store (SQLite in a temp dir, or PostgreSQL in a fresh schema).

It reports, per declaration: the store calls made (awaited port methods), the transactions
committed, and the CPU spent in the store (thread CPU inside the synchronous engine: every
store method, or, with group commit, every group and every read). Not a test: run it by hand,

    python3 -m uv run --frozen python -m tests.contract.store_bench sqlite 2000 500
    python3 -m uv run --frozen python -m tests.contract.store_bench postgres 2000 500

(engine, declarations, employments in flight at once). Compare figures of one run only.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from adapter.app.driver import DeclarationDriver
from adapter.app.executor import Executor
from adapter.app.intake import Accepted, Intake
from adapter.app.status_events import StatusEvents
from adapter.edges.store.postgres import PostgresStore
from adapter.edges.store.roles import AsyncSqlStore
from adapter.edges.store.sql import SqlStore
from adapter.edges.store.sqlite import SqliteStore
from tests.contract.conftest import POSTGRES_URL
from tests.unit.app.fakes import EVENTS, STATUSES, MovingClock, hire_message
from tests.unit.app.test_app_store_round_trips import AcceptingOnss


class StoreCpu:
    """Thread CPU inside the engine's entry points, and how many transactions committed."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.transactions = 0
        self._depth = 0

    def timed(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            self._depth += 1
            started = time.thread_time()
            try:
                return method(*args, **kwargs)
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self.seconds += time.thread_time() - started

        return run


def instrument(store: SqlStore, cpu: StoreCpu) -> None:
    """Time the engine where the event loop (or the store thread) enters it."""
    entry_points = [n for n in ("run_group", "read") if hasattr(store, n)]
    if not entry_points:  # before group commit: every public method is one transaction
        entry_points = [
            n
            for n, m in inspect.getmembers(type(store), inspect.isfunction)
            if not n.startswith("_") and n not in {"close", "migrate", "forget_partitions"}
        ]
    for name in entry_points:
        setattr(store, name, cpu.timed(getattr(store, name)))
    transaction = store._transaction

    def counted() -> Any:
        cpu.transactions += 1
        return transaction()

    store._transaction = counted  # type: ignore[method-assign]


class CountingCalls:
    """Counts the awaited store methods (the round trips the app makes)."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._store, name)
        if not inspect.iscoroutinefunction(method):
            return method

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return await method(*args, **kwargs)

        return counted


async def drive(store: AsyncSqlStore, declarations: int, in_flight: int) -> Counter[str]:
    clock = MovingClock()
    intake = Intake(EVENTS, StatusEvents(STATUSES))
    entries = []
    for n in range(1, declarations + 1):
        accepted = intake.examine(hire_message(n), now=clock.now(), today=clock.today())
        assert isinstance(accepted, Accepted)
        entries.append(accepted.entry)
    await store.record_events(entries, {})
    counting = CountingCalls(store)
    driver = DeclarationDriver(
        inbox=counting,
        ledger=counting,
        gateway=AcceptingOnss(),  # type: ignore[arg-type]
        statuses=StatusEvents(STATUSES),
        clock=clock,
    )
    executor = Executor(driver)
    ids = [e.employment_id for e in entries]
    for start in range(0, len(ids), in_flight):
        executor.wake(ids[start : start + in_flight])
        while executor.active_employments:  # noqa: ASYNC110 - polling the bench, not a test
            await asyncio.sleep(0.001)
    assert await store.employments_with_open_events(None) == []
    return counting.calls


def open_engine(engine: str, workdir: Path) -> tuple[SqlStore, Callable[[], None]]:
    if engine == "sqlite":
        return SqliteStore(workdir / "bench.sqlite3"), lambda: None
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = psycopg.connect(POSTGRES_URL, autocommit=True)
    admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))

    def drop() -> None:
        admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
        admin.close()

    return PostgresStore(make_conninfo(POSTGRES_URL, options=f"-csearch_path={schema}")), drop


def main(engine: str = "sqlite", declarations: int = 2000, in_flight: int = 500) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        sync, cleanup = open_engine(engine, Path(workdir))
        try:
            sync.migrate()
            cpu = StoreCpu()
            instrument(sync, cpu)
            store = (
                AsyncSqlStore.inline(sync) if engine == "sqlite" else AsyncSqlStore.threaded(sync)
            )
            started, cpu_started = time.perf_counter(), time.process_time()
            calls = asyncio.run(drive(store, declarations, in_flight))
            wall, process = time.perf_counter() - started, time.process_time() - cpu_started
            store.close()
        finally:
            cleanup()
    n = declarations
    print(f"engine={engine} declarations={n} in_flight={in_flight}")
    print(f"  store calls per declaration:   {sum(calls.values()) / n:.2f}  {dict(calls)}")
    print(f"  transactions per declaration:  {(cpu.transactions - 1) / n:.2f}")
    print(f"  store CPU per declaration:     {cpu.seconds / n * 1e6:.0f} us")
    print(f"  process CPU per declaration:   {process / n * 1e6:.0f} us  (wall {wall:.2f} s)")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0] if args else "sqlite", *(int(a) for a in args[1:]))
