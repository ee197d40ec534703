"""Group commit (``engine.run_group``, ``calls.py``): the writes issued together commit in one
transaction, each call in its own savepoint, and nobody is answered before the commit.

The cases on ``store`` run on memory, SQLite and PostgreSQL (memory has no transactions: each
call is all-or-nothing by itself, which is what the group must look like from outside); the
cases on ``open_sql`` prove the group itself on both SQL engines.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import psycopg
from prometheus_client import CollectorRegistry, generate_latest

from adapter.app.ports import EventOutcome, Recorded
from adapter.core.errors import OwnershipLost
from adapter.core.machine import DeclarationProgress, DeclarationState
from adapter.edges.store.calls import InlineCalls
from adapter.edges.store.engine import StoreUnavailableError
from adapter.edges.store.metrics import register_store_counts
from adapter.edges.store.roles import AsyncSqlStore
from adapter.edges.store.sql import SqlStore, UnknownDeclarationError
from tests.contract.builders import T0, broken_record, eid, entry, planned, record, scalar
from tests.contract.conftest import OpenSql, OpenStore, Store

SUBMITTING = DeclarationProgress(DeclarationState.SUBMITTING, attempts=1)


async def outbox_keys(store: Store) -> list[str]:
    return [e.key for e in await store.pending_outbox(None, 1000)]


def transactions(store: Store) -> int | None:
    return store.counts.transactions if isinstance(store, AsyncSqlStore) else None


async def test_a_failing_call_in_a_group_does_not_roll_back_the_others(
    open_store: OpenStore,
) -> None:
    store, other = open_store(), open_store()
    await store.claim_partitions([0], T0)
    await store.record_events([entry("mine"), entry("theirs", "emp-2", partition=1)], {})
    (mine,) = await store.plan_declarations(eid("mine"), "emp-1", [planned()], T0)
    await other.claim_partitions([1], T0)  # emp-2 is driven by the other replica
    before = transactions(store)

    outcomes = await asyncio.gather(
        store.save_progress(
            mine, SUBMITTING, next_action_at=None, outbox=[record("saved")], periods=None, now=T0
        ),
        store.save_progress(
            replace(mine, row_id=mine.row_id + 1000),
            SUBMITTING,
            next_action_at=None,
            outbox=[record("ghost")],
            periods=None,
            now=T0,
        ),
        store.append_outbox([record("half"), broken_record()], T0),
        store.plan_declarations(eid("theirs"), "emp-2", [planned()], T0),
        store.record_events([entry("new", "emp-3")], {eid("new"): [record("recorded")]}),
        return_exceptions=True,
    )

    saved, ghost, broken, fenced, recorded = outcomes
    assert not isinstance(saved, BaseException)
    assert saved.progress == SUBMITTING
    assert isinstance(ghost, UnknownDeclarationError)
    assert isinstance(broken, Exception)  # the engine's own IntegrityError (memory: TypeError)
    assert isinstance(fenced, OwnershipLost)
    assert recorded == [Recorded.NEW]
    assert await outbox_keys(store) == ["saved", "recorded"]
    (reread,) = await store.declarations_of_event(eid("mine"))
    assert reread.progress == SUBMITTING
    assert await store.declarations_of_event(eid("theirs")) == []
    if before is not None and isinstance(store._calls, InlineCalls):
        assert transactions(store) == before + 1  # one loop turn, one transaction


async def test_callers_are_answered_only_after_the_commit(open_store: OpenStore) -> None:
    store, reader = open_store(), open_store()
    seen: dict[str, list[str]] = {}

    async def write_then_look(name: str) -> None:
        await store.append_outbox([record(name)], T0)
        seen[name] = await outbox_keys(reader)  # another connection: only committed rows

    await asyncio.gather(*(write_then_look(name) for name in ("a", "b", "c")))
    for name, keys in seen.items():
        assert name in keys


async def test_a_read_sees_committed_data(open_store: OpenStore) -> None:
    store, other = open_store(), open_store()
    await store.record_events([entry("e1")], {})
    (declaration,) = await store.plan_declarations(eid("e1"), "emp-1", [planned()], T0)
    await store.save_progress(
        declaration, SUBMITTING, next_action_at=T0, outbox=[], periods=None, now=T0
    )
    for reader in (store, other):
        work = await reader.open_work("emp-1")
        assert work is not None
        assert [d.progress for d in work.declarations] == [SUBMITTING]


async def test_a_read_never_sees_a_group_not_committed_yet(tmp_path: Any) -> None:
    """SQLite inline: the read runs at once, the write waits for the end of the loop turn."""
    from adapter.edges.store.sqlite import SqliteStore

    engine = SqliteStore(tmp_path / "group.sqlite3")
    engine.migrate()
    store = AsyncSqlStore.inline(engine)
    try:
        write = asyncio.ensure_future(store.append_outbox([record("pending")], T0))
        await asyncio.sleep(0)  # the write is queued, its group not run yet
        assert not write.done()
        assert await outbox_keys(store) == []  # type: ignore[arg-type]
        await write
        assert await outbox_keys(store) == ["pending"]  # type: ignore[arg-type]
    finally:
        store.close()


async def test_the_last_save_closes_the_event_and_reads_the_next_one(store: Store) -> None:
    await store.record_events([entry("e1"), entry("e2")], {})
    (first,) = await store.plan_declarations(eid("e1"), "emp-1", [planned()], T0)
    accepted = DeclarationProgress(DeclarationState.ACCEPTED, attempts=1)
    saved, work = await store.save_final_progress(
        first,
        accepted,
        next_action_at=None,
        outbox=[record("accepted")],
        periods=(),
        now=T0 + 1,
        outcome=EventOutcome.DONE,
    )
    assert saved.progress == accepted
    assert work is not None
    assert (work.entry.event_id, work.declarations, work.periods) == (eid("e2"), (), ())
    events = (await store.history("emp-1")).events
    assert [(e.outcome, e.finished_at) for e in events] == [
        (EventOutcome.DONE, T0 + 1),
        (None, None),
    ]
    assert await outbox_keys(store) == ["accepted"]


async def test_a_plan_carries_its_first_step(store: Store) -> None:
    from adapter.app.ports.records import FirstStep

    await store.record_events([entry("e1")], {})
    first = FirstStep(SUBMITTING, None, [record("submitting")])
    plan = await store.plan_declarations(
        eid("e1"), "emp-1", [planned(), planned("OUT", n=1)], T0, first=first
    )
    assert [d.progress.state for d in plan] == [
        DeclarationState.SUBMITTING,
        DeclarationState.PLANNED,
    ]
    assert await store.declarations_of_event(eid("e1")) == plan
    transitions = (await store.history("emp-1")).transitions
    assert [t.state for t in transitions] == ["PLANNED", "PLANNED", "SUBMITTING"]
    again = await store.plan_declarations(eid("e1"), "emp-1", [planned()], T0, first=first)
    assert again == plan  # an existing plan is returned as it is, its first step not applied
    assert await outbox_keys(store) == ["submitting"]


# -- the group itself, on the SQL engines ------------------------------------------------------


def _migrated(open_sql: OpenSql) -> SqlStore:
    store = open_sql()
    store.migrate()
    return store


def test_each_call_of_a_group_is_rolled_back_alone(open_sql: OpenSql) -> None:
    store = _migrated(open_sql)
    before = store.counts.transactions
    jobs: list[Callable[[], Any]] = [
        lambda: store.append_outbox([record("one")], T0),
        lambda: store.append_outbox([record("lost"), broken_record()], T0),
        lambda: store.record_events([entry("e1")], {eid("e1"): [record("two")]}),
        lambda: store.finish_event(eid("e1"), EventOutcome.DONE, [broken_record()], T0),
        lambda: store.append_outbox([record("three")], T0),
    ]
    outcomes = store.run_group(jobs)
    assert [error is None for _, error in outcomes] == [True, False, True, False, True]
    assert store.counts.transactions == before + 1
    assert [e.key for e in store.pending_outbox(None, 10)] == ["one", "two", "three"]
    assert scalar(store, "SELECT COUNT(*) FROM inbox WHERE outcome IS NULL") == 1


def _failing_commit(store: SqlStore) -> None:
    error = sqlite3.OperationalError if store.dialect == "sqlite" else psycopg.OperationalError

    def commit(cursor: Any) -> None:
        raise error("disk I/O error (injected at COMMIT)")

    store._commit = commit  # type: ignore[attr-defined]


def test_a_failed_commit_fails_every_call_of_the_group(open_sql: OpenSql) -> None:
    store = _migrated(open_sql)
    commit = store._commit  # type: ignore[attr-defined]
    _failing_commit(store)
    outcomes = store.run_group(
        [
            lambda: store.append_outbox([record("a")], T0),
            lambda: store.record_events([entry("e1")], {}),
        ]
    )
    assert all(isinstance(error, StoreUnavailableError) for _, error in outcomes)
    store._commit = commit  # type: ignore[attr-defined]
    assert store.pending_outbox(None, 10) == []
    assert store.employments_with_open_events(None) == []
    assert store.run_group([lambda: store.append_outbox([record("b")], T0)]) == [(None, None)]
    assert [e.key for e in store.pending_outbox(None, 10)] == ["b"]


async def test_a_failed_commit_answers_every_caller_with_a_transient_error(
    open_sql: OpenSql,
) -> None:
    engine = _migrated(open_sql)
    store = (AsyncSqlStore.inline if engine.dialect == "sqlite" else AsyncSqlStore.threaded)(engine)
    _failing_commit(engine)
    results = await asyncio.gather(
        store.append_outbox([record("a")], T0),
        store.record_events([entry("e1")], {}),
        return_exceptions=True,
    )
    assert all(isinstance(r, StoreUnavailableError) for r in results), results
    store._calls.close()


def test_the_metrics_count_calls_and_transactions(open_sql: OpenSql) -> None:
    store = _migrated(open_sql)
    registry = CollectorRegistry()
    register_store_counts(registry, store.counts)
    calls, committed = store.counts.calls, store.counts.transactions
    store.run_group([functools.partial(store.append_outbox, [record(k)], T0) for k in "abc"])
    store.pending_outbox(None, 10)
    text = generate_latest(registry).decode()
    assert f"dimona_adapter_store_calls_total {float(calls + 4)}" in text
    assert f"dimona_adapter_store_transactions_total {float(committed + 1)}" in text
