"""One contract suite for the Store port, run on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from adapter.app.ports import OutboxBacklog, Recorded, Store
from adapter.core.machine import DeclarationProgress, DeclarationState
from adapter.edges.store.migrations import LATEST, MIGRATIONS, render
from adapter.edges.store.sql import SqlStore, UnknownDeclarationError
from tests.contract.builders import (
    ANSWER,
    SSIN,
    T0,
    broken_record,
    entry,
    outbox_keys,
    planned,
    record,
    scalar,
)
from tests.contract.conftest import OpenStore


def test_is_a_store(store: SqlStore) -> None:
    typed: Store = store
    assert typed.schema_version() == LATEST


# -- migrations -------------------------------------------------------------------------------


def test_migrate_is_idempotent_and_records_each_version(open_store: OpenStore) -> None:
    first = open_store()
    assert first.schema_version() == 0
    first.migrate()
    first.migrate()
    second = open_store()
    second.migrate()
    assert second.schema_version() == LATEST == MIGRATIONS[-1][0]
    assert scalar(first, "SELECT COUNT(*) FROM schema_migrations") == len(MIGRATIONS)
    assert scalar(first, "SELECT COUNT(DISTINCT applied_at) FROM schema_migrations") >= 1


def test_migration_2_fills_the_worker_of_existing_declarations(open_store: OpenStore) -> None:
    store = open_store()
    with store._tx() as cur:
        store._run(
            cur,
            "CREATE TABLE schema_migrations "
            "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
        )
        for statement in render(MIGRATIONS[0][1], store.dialect):
            cur.execute(statement)
        store._run(cur, "INSERT INTO schema_migrations VALUES (1, 'then')")
        old = [planned("IN", n=0), planned("OUT", n=1), planned("OUT", ssin=None, n=2)]
        for n, p in enumerate(old):
            store._run(
                cur,
                "INSERT INTO declarations (employment_id, event_id, position, kind, "
                "declaration_json, body_json, state, created_at, updated_at) "
                "VALUES (?, ?, 0, ?, ?, ?, 'PLANNED', 0, 0)",
                (f"emp-{n}", f"e{n}", p.kind, p.declaration_json, p.body_json),
            )
    assert store.schema_version() == 1
    store.migrate()
    assert store.schema_version() == LATEST
    assert [d.event_id for d in store.declarations_by_worker(SSIN)] == ["e0", "e1"]


def test_concurrent_migrations_apply_once(open_store: OpenStore) -> None:
    stores = [open_store() for _ in range(3)]
    errors: list[BaseException] = []

    def migrate(store: SqlStore) -> None:
        try:
            store.migrate()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=migrate, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert scalar(stores[0], "SELECT COUNT(*) FROM schema_migrations") == len(MIGRATIONS)


def test_data_survives_reopening(store: SqlStore, open_store: OpenStore) -> None:
    store.record_events([entry("e1")], {"e1": [record("k1")]})
    again = open_store()
    again.migrate()
    assert again.next_open_event("emp-1") == entry("e1")
    assert outbox_keys(again) == ["k1"]


# -- inbox ------------------------------------------------------------------------------------


def test_record_events_is_idempotent_by_event_id(store: SqlStore) -> None:
    first = store.record_events([entry("e1"), entry("e2")], {"e1": [record("r1")]})
    assert first == [Recorded.NEW, Recorded.NEW]
    again = store.record_events(
        [entry("e1"), entry("e3"), entry("e3")], {"e1": [record("dup")], "e3": [record("r3")]}
    )
    assert again == [Recorded.DUPLICATE, Recorded.NEW, Recorded.DUPLICATE]
    assert outbox_keys(store) == ["r1", "r3"]
    assert scalar(store, "SELECT COUNT(*) FROM inbox") == 3


def test_an_event_id_seen_again_with_other_content_is_a_conflict(store: SqlStore) -> None:
    original = entry("e1")
    store.record_events([original], {"e1": [record("r1")]})
    changed = replace(original, event_json='{"eventId": "e1", "employmentId": "emp-1", "x": 1}')
    in_one_batch = replace(entry("e2"), event_json='{"other": true}')
    outcome = store.record_events(
        [changed, original, entry("e2"), in_one_batch], {"e1": [record("never")]}
    )
    assert outcome == [Recorded.CONFLICT, Recorded.DUPLICATE, Recorded.NEW, Recorded.CONFLICT]
    assert store.next_open_event("emp-1") == original  # the first content stays
    assert outbox_keys(store) == ["r1"]


def test_an_event_round_trips(store: SqlStore) -> None:
    original = entry("e-ü-1", "emp-ü", partition=7)
    store.record_events([original], {})
    assert store.next_open_event("emp-ü") == original


def test_next_open_event_follows_each_employments_order(store: SqlStore) -> None:
    store.record_events([entry("a1", "A"), entry("b1", "B"), entry("a2", "A")], {})
    store.record_events([entry("a3", "A")], {})
    seen = []
    while (event := store.next_open_event("A")) is not None:
        seen.append(event.event_id)
        store.finish_event(event.event_id, "DONE", [], T0 + len(seen))
    assert seen == ["a1", "a2", "a3"]
    nxt = store.next_open_event("B")
    assert nxt is not None
    assert nxt.event_id == "b1"
    assert store.next_open_event("nobody") is None


def test_finish_event_records_its_outcome_once(store: SqlStore) -> None:
    store.record_events([entry("e1")], {})
    store.finish_event("e1", "FAILED", [record("failed")], T0 + 5)
    store.finish_event("e1", "DONE", [record("late")], T0 + 9)
    (event,) = store.history("emp-1")["events"]
    assert (event["outcome"], event["finishedAt"]) == ("FAILED", T0 + 5)
    assert outbox_keys(store) == ["failed"]
    assert store.employments_with_open_events(None) == []


def test_employments_with_open_events_by_partition(store: SqlStore) -> None:
    store.record_events(
        [
            entry("c1", "C", partition=2),
            entry("a1", "A", partition=0),
            entry("b1", "B", partition=1),
            entry("a2", "A", partition=0),
        ],
        {},
    )
    store.finish_event("c1", "DONE", [], T0)
    assert store.employments_with_open_events(None) == ["A", "B"]
    assert store.employments_with_open_events([1]) == ["B"]
    assert store.employments_with_open_events([0, 1, 2]) == ["A", "B"]
    assert store.employments_with_open_events([2]) == []
    assert store.employments_with_open_events([]) == []


# -- declarations -----------------------------------------------------------------------------


def test_plan_declarations_keeps_the_first_plan(store: SqlStore) -> None:
    store.record_events([entry("e1")], {})
    first = store.plan_declarations("e1", "emp-1", [planned("IN"), planned("OUT", n=1)], T0)
    assert [(d.position, d.kind, d.event_id, d.employment_id) for d in first] == [
        (0, "IN", "e1", "emp-1"),
        (1, "OUT", "e1", "emp-1"),
    ]
    assert all(d.progress == DeclarationProgress(DeclarationState.PLANNED) for d in first)
    assert all(d.next_action_at == T0 for d in first)
    assert first[0].declaration_json == planned("IN").declaration_json
    assert first[1].body_json == planned("OUT", n=1).body_json

    other = [planned("CANCEL", n=7), planned("IN", n=8), planned("OUT", n=9)]
    assert store.plan_declarations("e1", "emp-1", other, T0 + 60) == first
    assert store.plan_declarations("e1", "emp-1", [], T0 + 60) == first
    assert store.declarations_of_event("e1") == first
    assert store.declarations_of_event("unknown") == []


def test_save_progress_round_trips_every_field(store: SqlStore) -> None:
    (declaration,) = store.plan_declarations("e1", "emp-1", [planned("IN")], T0)
    submitted = datetime(2026, 5, 28, 9, 15, 30, 123456, tzinfo=UTC)
    progress = DeclarationProgress(
        state=DeclarationState.ACCEPTED_WITH_WARNINGS,
        attempts=3,
        declaration_id=ANSWER.declaration_id,
        submitted_at=submitted,
        answer=ANSWER,
        failure="an earlier failure, kept for the audit",
    )
    saved = store.save_progress(
        declaration, progress, next_action_at=T0 + 12.5, outbox=[], periods_json=None, now=T0 + 1
    )
    (reread,) = store.declarations_of_event("e1")
    assert saved == reread
    assert reread.progress == progress
    assert reread.progress.submitted_at == submitted
    assert reread.progress.answer is not None
    assert reread.progress.answer.anomalies == ANSWER.anomalies
    assert reread.next_action_at == T0 + 12.5
    assert scalar(store, "SELECT period_id FROM declarations") == ANSWER.period_id
    assert scalar(store, "SELECT result FROM declarations") == "W"

    cleared = DeclarationProgress(DeclarationState.PLANNED, attempts=4)
    store.save_progress(
        reread, cleared, next_action_at=None, outbox=[], periods_json=None, now=T0 + 2
    )
    (back,) = store.declarations_of_event("e1")
    assert (back.progress, back.next_action_at) == (cleared, None)


@pytest.mark.parametrize("state", list(DeclarationState))
def test_every_state_round_trips(store: SqlStore, state: DeclarationState) -> None:
    (declaration,) = store.plan_declarations("e1", "emp-1", [planned("IN")], T0)
    progress = DeclarationProgress(state, attempts=1)
    store.save_progress(
        declaration, progress, next_action_at=None, outbox=[], periods_json=None, now=T0
    )
    assert store.declarations_of_event("e1")[0].progress == progress


def test_save_progress_writes_periods_and_status_events(store: SqlStore) -> None:
    store.record_events([entry("e1")], {})
    (declaration,) = store.plan_declarations("e1", "emp-1", [planned("IN")], T0)
    progress = DeclarationProgress(DeclarationState.SUBMITTED, 1, 42, datetime.now(UTC))
    store.save_progress(
        declaration,
        progress,
        next_action_at=T0 + 5,
        outbox=[record("submitted")],
        periods_json='[{"periodId": 1}]',
        now=T0 + 1,
    )
    assert store.periods_json("emp-1") == '[{"periodId": 1}]'
    store.save_progress(
        declaration, progress, next_action_at=T0 + 9, outbox=[], periods_json=None, now=T0 + 2
    )
    assert store.periods_json("emp-1") == '[{"periodId": 1}]'
    store.save_progress(
        declaration, progress, next_action_at=None, outbox=[], periods_json="[]", now=T0 + 3
    )
    assert store.periods_json("emp-1") == "[]"
    assert store.periods_json("other") is None
    assert outbox_keys(store) == ["submitted"]


def test_save_progress_of_an_unknown_declaration_writes_nothing(store: SqlStore) -> None:
    (declaration,) = store.plan_declarations("e1", "emp-1", [planned("IN")], T0)
    ghost = replace(declaration, row_id=declaration.row_id + 1000)
    with pytest.raises(UnknownDeclarationError):
        store.save_progress(
            ghost,
            DeclarationProgress(DeclarationState.SUBMITTING, 1),
            next_action_at=None,
            outbox=[record("ghost")],
            periods_json="[]",
            now=T0,
        )
    assert outbox_keys(store) == []
    assert store.periods_json("emp-1") is None


# -- outbox -----------------------------------------------------------------------------------


def test_outbox_keeps_insertion_order_across_writers(store: SqlStore) -> None:
    store.record_events([entry("e1", partition=1)], {"e1": [record("1", partition=1)]})
    store.append_outbox([record("2", partition=0), record("3", partition=1)], T0)
    (declaration,) = store.plan_declarations("e1", "emp-1", [planned("IN")], T0)
    store.save_progress(
        declaration,
        DeclarationProgress(DeclarationState.SUBMITTING, 1),
        next_action_at=None,
        outbox=[record("4", partition=1)],
        periods_json=None,
        now=T0,
    )
    store.finish_event("e1", "DONE", [record("5", partition=1)], T0)
    assert outbox_keys(store) == ["1", "2", "3", "4", "5"]
    assert outbox_keys(store, [1]) == ["1", "3", "4", "5"]
    assert outbox_keys(store, [0]) == ["2"]
    assert outbox_keys(store, [3]) == []
    assert outbox_keys(store, []) == []
    assert [e.key for e in store.pending_outbox(None, 2)] == ["1", "2"]


def test_outbox_values_are_bytes_exactly(store: SqlStore) -> None:
    value = bytes(range(256)) + b"\x00"
    store.append_outbox([record("k", value)], T0)
    (pending,) = store.pending_outbox(None, 10)
    assert (pending.key, pending.value) == ("k", value)
    assert isinstance(pending.value, bytes)


def test_mark_published_removes_rows_from_the_backlog(store: SqlStore) -> None:
    store.append_outbox([record(str(i), partition=i % 2) for i in range(5)], T0)
    assert store.outbox_backlog() == OutboxBacklog(5, T0)
    assert store.outbox_backlog([1]) == OutboxBacklog(2, T0)
    assert store.outbox_backlog([]) == OutboxBacklog(0, None)
    first = store.pending_outbox(None, 2)
    store.mark_published([e.row_id for e in first])
    store.mark_published([e.row_id for e in first])
    store.mark_published([])
    assert outbox_keys(store) == ["2", "3", "4"]
    assert store.outbox_backlog() == OutboxBacklog(3, T0)
    assert scalar(store, "SELECT COUNT(*) FROM outbox WHERE published_at IS NOT NULL") == 2
    store.mark_published([e.row_id for e in store.pending_outbox(None, 10)])
    assert store.outbox_backlog() == OutboxBacklog(0, None)


# -- atomicity --------------------------------------------------------------------------------


def test_a_failed_record_events_leaves_nothing_behind(store: SqlStore) -> None:
    with pytest.raises(Exception):  # noqa: B017 - the engine's own IntegrityError
        store.record_events(
            [entry("e1"), entry("e2")], {"e1": [record("ok")], "e2": [broken_record()]}
        )
    assert store.employments_with_open_events(None) == []
    assert outbox_keys(store) == []
    assert store.record_events([entry("e1"), entry("e2")], {}) == [Recorded.NEW] * 2


def test_a_failed_save_progress_leaves_nothing_behind(store: SqlStore) -> None:
    store.record_events([entry("e1")], {})
    (declaration,) = store.plan_declarations("e1", "emp-1", [planned("IN")], T0)
    with pytest.raises(Exception):  # noqa: B017 - the engine's own IntegrityError
        store.save_progress(
            declaration,
            DeclarationProgress(DeclarationState.SUBMITTING, 1),
            next_action_at=T0 + 1,
            outbox=[record("ok"), broken_record()],
            periods_json='[{"periodId": 1}]',
            now=T0 + 1,
        )
    assert store.declarations_of_event("e1") == [declaration]
    assert store.periods_json("emp-1") is None
    assert outbox_keys(store) == []
    assert len(store.history("emp-1")["transitions"]) == 1


def test_a_failed_finish_event_leaves_the_event_open(store: SqlStore) -> None:
    store.record_events([entry("e1")], {})
    with pytest.raises(Exception):  # noqa: B017 - the engine's own IntegrityError
        store.finish_event("e1", "DONE", [broken_record()], T0)
    assert store.employments_with_open_events(None) == ["emp-1"]


class BoomError(Exception):
    pass


def _write_then_fail(store: SqlStore) -> None:
    with store._tx() as cur:
        store._insert_outbox(cur, [record("inside")], T0)
        raise BoomError


def test_an_exception_inside_a_transaction_rolls_it_back(store: SqlStore) -> None:
    with pytest.raises(BoomError):
        _write_then_fail(store)
    assert outbox_keys(store) == []
    store.append_outbox([record("after")], T0)
    assert outbox_keys(store) == ["after"]
