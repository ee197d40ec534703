"""One contract suite for the store ports (Inbox, Ledger, Outbox), run in memory, on SQLite
and on PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from adapter.app.ports import EventOutcome, OutboxBacklog, Recorded
from adapter.core.machine import DeclarationProgress, DeclarationState
from adapter.core.periods import KnownPeriod, PeriodState
from adapter.edges.store.sql import UnknownDeclarationError
from tests.contract.builders import (
    ANSWER,
    START,
    T0,
    broken_record,
    changed,
    eid,
    entry,
    planned,
    record,
)
from tests.contract.conftest import OpenStore, Store

DONE, FAILED = EventOutcome.DONE, EventOutcome.FAILED
PERIOD = KnownPeriod(
    period_id=ANSWER.period_id, start_date=START, worker_type="OTH", joint_committee="XXX"
)


async def outbox_keys(store: Store, partitions: list[int] | None = None) -> list[str]:
    return [e.key for e in await store.pending_outbox(partitions, 1000)]


async def test_data_survives_reopening(store: Store, open_store: OpenStore) -> None:
    await store.record_events([entry("e1")], {eid("e1"): [record("k1")]})
    again = open_store()
    assert await again.next_open_event("emp-1") == entry("e1")
    assert await outbox_keys(again) == ["k1"]


# -- inbox ------------------------------------------------------------------------------------


async def test_record_events_is_idempotent_by_event_id(store: Store) -> None:
    first = await store.record_events([entry("e1"), entry("e2")], {eid("e1"): [record("r1")]})
    assert first == [Recorded.NEW, Recorded.NEW]
    again = await store.record_events(
        [entry("e1"), entry("e3"), entry("e3")],
        {eid("e1"): [record("dup")], eid("e3"): [record("r3")]},
    )
    assert again == [Recorded.DUPLICATE, Recorded.NEW, Recorded.DUPLICATE]
    assert await outbox_keys(store) == ["r1", "r3"]
    assert len((await store.history("emp-1")).events) == 3


async def test_an_event_id_seen_again_with_other_content_is_a_conflict(store: Store) -> None:
    original = entry("e1")
    await store.record_events([original], {eid("e1"): [record("r1")]})
    other = changed(original, source="another-system")
    in_one_batch = changed(entry("e2"), source="another-system")
    outcome = await store.record_events(
        [other, original, entry("e2"), in_one_batch], {eid("e1"): [record("never")]}
    )
    assert outcome == [Recorded.CONFLICT, Recorded.DUPLICATE, Recorded.NEW, Recorded.CONFLICT]
    assert await store.next_open_event("emp-1") == original  # the first content stays
    assert await outbox_keys(store) == ["r1"]


async def test_a_redelivery_elsewhere_is_a_duplicate(store: Store) -> None:
    """Content is the event: another offset or reception time is the same event."""
    original = entry("e1")
    await store.record_events([original], {})
    moved = replace(original, offset=original.offset + 100, received_at=T0 + 60)
    assert await store.record_events([moved], {}) == [Recorded.DUPLICATE]


async def test_an_event_round_trips(store: Store) -> None:
    original = entry("e-ü-1", "emp-ü", partition=7)
    await store.record_events([original], {})
    found = await store.next_open_event("emp-ü")
    assert found == original
    assert found is not None
    assert found.event.worker == original.event.worker


async def test_next_open_event_follows_each_employments_order(store: Store) -> None:
    await store.record_events([entry("a1", "A"), entry("b1", "B"), entry("a2", "A")], {})
    await store.record_events([entry("a3", "A")], {})
    seen = []
    while (event := await store.next_open_event("A")) is not None:
        seen.append(event.event_id)
        await store.finish_event(event.event_id, DONE, [], T0 + len(seen))
    assert seen == [eid("a1"), eid("a2"), eid("a3")]
    nxt = await store.next_open_event("B")
    assert nxt is not None
    assert nxt.event_id == eid("b1")
    assert await store.next_open_event("nobody") is None


async def test_finish_event_records_its_outcome_once(store: Store) -> None:
    await store.record_events([entry("e1")], {})
    await store.finish_event(eid("e1"), FAILED, [record("failed")], T0 + 5)
    await store.finish_event(eid("e1"), DONE, [record("late")], T0 + 9)
    await store.finish_event(eid("unknown"), DONE, [record("nobody")], T0 + 9)
    (event,) = (await store.history("emp-1")).events
    assert (event.outcome, event.finished_at) == (FAILED, T0 + 5)
    assert await outbox_keys(store) == ["failed"]
    assert await store.employments_with_open_events(None) == []


async def test_employments_with_open_events_by_partition(store: Store) -> None:
    await store.record_events(
        [
            entry("c1", "C", partition=2),
            entry("a1", "A", partition=0),
            entry("b1", "B", partition=1),
            entry("a2", "A", partition=0),
        ],
        {},
    )
    await store.finish_event(eid("c1"), DONE, [], T0)
    assert await store.employments_with_open_events(None) == ["A", "B"]
    assert await store.employments_with_open_events([1]) == ["B"]
    assert await store.employments_with_open_events([0, 1, 2]) == ["A", "B"]
    assert await store.employments_with_open_events([2]) == []
    assert await store.employments_with_open_events([]) == []


# -- declarations -----------------------------------------------------------------------------


async def test_plan_declarations_keeps_the_first_plan(store: Store) -> None:
    await store.record_events([entry("e1")], {})
    e1 = eid("e1")
    first = await store.plan_declarations(
        e1, "emp-1", [planned("IN"), planned("OUT", n=1, body=False)], T0
    )
    assert [(d.position, d.kind, d.event_id, d.employment_id) for d in first] == [
        (0, "IN", e1, "emp-1"),
        (1, "OUT", e1, "emp-1"),
    ]
    assert all(d.progress == DeclarationProgress(DeclarationState.PLANNED) for d in first)
    assert all(d.next_action_at == T0 for d in first)
    assert first[0].declaration == planned("IN").declaration
    assert first[0].body == planned("IN").body
    assert first[1].body is None  # not renderable yet: rendered when sent

    other = [planned("CANCEL", n=7), planned("IN", n=8), planned("OUT", n=9)]
    assert await store.plan_declarations(e1, "emp-1", other, T0 + 60) == first
    assert await store.plan_declarations(e1, "emp-1", [], T0 + 60) == first
    assert await store.declarations_of_event(e1) == first
    assert await store.declarations_of_event("unknown") == []


async def test_append_declarations_extends_the_plan_once(store: Store) -> None:
    (first,) = await store.plan_declarations("e1", "emp-1", [planned("IN")], T0)
    more = [planned("CANCEL", n=1), planned("IN", n=2)]
    plan = await store.append_declarations("e1", "emp-1", more, first_position=1, now=T0 + 1)
    assert [(d.position, d.kind) for d in plan] == [(0, "IN"), (1, "CANCEL"), (2, "IN")]
    assert plan[0] == first
    assert plan[2].next_action_at == T0 + 1
    again = await store.append_declarations(
        "e1", "emp-1", [planned("OUT", n=5)], first_position=1, now=T0 + 2
    )
    assert again == plan
    assert await store.declarations_of_event("e1") == plan
    transitions = (await store.history("emp-1")).transitions
    assert [t.declaration_row_id for t in transitions] == [d.row_id for d in plan]


async def test_save_progress_round_trips_every_field(store: Store) -> None:
    (declaration,) = await store.plan_declarations("e1", "emp-1", [planned("IN")], T0)
    submitted = datetime(2026, 5, 28, 9, 15, 30, 123456, tzinfo=UTC)
    progress = DeclarationProgress(
        state=DeclarationState.ACCEPTED_WITH_WARNINGS,
        attempts=3,
        declaration_id=ANSWER.declaration_id,
        submitted_at=submitted,
        answer=ANSWER,
        failure="an earlier failure, kept for the audit",
    )
    saved = await store.save_progress(
        declaration, progress, next_action_at=T0 + 12.5, outbox=[], periods=None, now=T0 + 1
    )
    (reread,) = await store.declarations_of_event("e1")
    assert saved == reread
    assert reread.progress == progress
    assert reread.progress.submitted_at == submitted
    assert reread.progress.answer is not None
    assert reread.progress.answer.anomalies == ANSWER.anomalies
    assert reread.next_action_at == T0 + 12.5

    cleared = DeclarationProgress(DeclarationState.PLANNED, attempts=4)
    await store.save_progress(
        reread, cleared, next_action_at=None, outbox=[], periods=None, now=T0 + 2
    )
    (back,) = await store.declarations_of_event("e1")
    assert (back.progress, back.next_action_at) == (cleared, None)


async def test_the_failure_bookkeeping_of_the_machine_round_trips(store: Store) -> None:
    """Failed polls and searches are counted (``retries``) and the reconciliation window is
    kept, so a restart resumes the backoff and the window; the count shows in the log."""
    await store.record_events([entry("e1")], {})
    (declaration,) = await store.plan_declarations("e1", "emp-1", [planned("IN")], T0)
    until = datetime(2026, 5, 28, 9, 20, tzinfo=UTC)
    progress = DeclarationProgress(
        DeclarationState.UNCERTAIN, attempts=1, retries=4, reconcile_until=until
    )
    await store.save_progress(
        declaration, progress, next_action_at=T0 + 8, outbox=[], periods=None, now=T0 + 1
    )
    (reread,) = await store.declarations_of_event("e1")
    assert (reread.progress.retries, reread.progress.reconcile_until) == (4, until)
    history = await store.history("emp-1")
    assert [t.retries for t in history.transitions] == [0, 4]


@pytest.mark.parametrize("state", list(DeclarationState))
async def test_every_state_round_trips(store: Store, state: DeclarationState) -> None:
    (declaration,) = await store.plan_declarations("e1", "emp-1", [planned("IN")], T0)
    progress = DeclarationProgress(state, attempts=1)
    await store.save_progress(
        declaration, progress, next_action_at=None, outbox=[], periods=None, now=T0
    )
    assert (await store.declarations_of_event("e1"))[0].progress == progress


@pytest.mark.parametrize("kind", ["IN", "OUT", "UPDATE", "CANCEL"])
async def test_every_kind_of_declaration_round_trips(store: Store, kind: str) -> None:
    wanted = planned(kind, n=3)
    (stored,) = await store.plan_declarations("e1", "emp-1", [wanted], T0)
    (reread,) = await store.declarations_of_event("e1")
    assert reread == stored
    assert (reread.declaration, reread.body, reread.kind) == (wanted.declaration, wanted.body, kind)


async def test_save_progress_writes_periods_and_status_events(store: Store) -> None:
    await store.record_events([entry("e1")], {})
    (declaration,) = await store.plan_declarations(eid("e1"), "emp-1", [planned("IN")], T0)
    progress = DeclarationProgress(DeclarationState.SUBMITTED, 1, 42, datetime.now(UTC))
    periods = (PERIOD, PERIOD.model_copy(update={"period_id": None, "state": PeriodState.PENDING}))
    assert await store.known_periods("emp-1") == ()
    await store.save_progress(
        declaration,
        progress,
        next_action_at=T0 + 5,
        outbox=[record("submitted")],
        periods=periods,
        now=T0 + 1,
    )
    assert await store.known_periods("emp-1") == periods
    await store.save_progress(
        declaration, progress, next_action_at=T0 + 9, outbox=[], periods=None, now=T0 + 2
    )
    assert await store.known_periods("emp-1") == periods
    await store.save_progress(
        declaration, progress, next_action_at=None, outbox=[], periods=(), now=T0 + 3
    )
    assert await store.known_periods("emp-1") == ()
    assert await store.known_periods("other") == ()
    assert await outbox_keys(store) == ["submitted"]


async def test_save_progress_of_an_unknown_declaration_writes_nothing(store: Store) -> None:
    (declaration,) = await store.plan_declarations("e1", "emp-1", [planned("IN")], T0)
    ghost = replace(declaration, row_id=declaration.row_id + 1000)
    with pytest.raises(UnknownDeclarationError):
        await store.save_progress(
            ghost,
            DeclarationProgress(DeclarationState.SUBMITTING, 1),
            next_action_at=None,
            outbox=[record("ghost")],
            periods=(PERIOD,),
            now=T0,
        )
    assert await outbox_keys(store) == []
    assert await store.known_periods("emp-1") == ()


async def test_declaration_ids_of_an_employment(store: Store) -> None:
    plan = await store.plan_declarations("e1", "emp-1", [planned("IN", n=i) for i in range(3)], T0)
    for n, declaration in enumerate(plan[:2]):
        progress = DeclarationProgress(DeclarationState.SUBMITTED, 1, 100 + n, datetime.now(UTC))
        await store.save_progress(
            declaration, progress, next_action_at=None, outbox=[], periods=None, now=T0
        )
    await store.plan_declarations("e2", "emp-2", [planned("IN")], T0)
    assert await store.declaration_ids_of_employment("emp-1") == frozenset({100, 101})
    assert await store.declaration_ids_of_employment("emp-2") == frozenset()


# -- outbox -----------------------------------------------------------------------------------


async def test_outbox_keeps_insertion_order_across_writers(store: Store) -> None:
    await store.record_events([entry("e1", partition=1)], {eid("e1"): [record("1", partition=1)]})
    await store.append_outbox([record("2", partition=0), record("3", partition=1)], T0)
    (declaration,) = await store.plan_declarations(eid("e1"), "emp-1", [planned("IN")], T0)
    await store.save_progress(
        declaration,
        DeclarationProgress(DeclarationState.SUBMITTING, 1),
        next_action_at=None,
        outbox=[record("4", partition=1)],
        periods=None,
        now=T0,
    )
    await store.finish_event(eid("e1"), DONE, [record("5", partition=1)], T0)
    assert await outbox_keys(store) == ["1", "2", "3", "4", "5"]
    assert await outbox_keys(store, [1]) == ["1", "3", "4", "5"]
    assert await outbox_keys(store, [0]) == ["2"]
    assert await outbox_keys(store, [3]) == []
    assert await outbox_keys(store, []) == []
    assert [e.key for e in await store.pending_outbox(None, 2)] == ["1", "2"]


async def test_outbox_values_are_bytes_exactly(store: Store) -> None:
    value = bytes(range(256)) + b"\x00"
    await store.append_outbox([record("k", value)], T0)
    (pending,) = await store.pending_outbox(None, 10)
    assert (pending.key, pending.value) == ("k", value)
    assert isinstance(pending.value, bytes)


async def test_mark_published_removes_rows_from_the_backlog(store: Store) -> None:
    await store.append_outbox([record("emp-1", partition=i % 2) for i in range(5)], T0)
    assert await store.outbox_backlog() == OutboxBacklog(5, T0)
    assert await store.outbox_backlog([1]) == OutboxBacklog(2, T0)
    assert await store.outbox_backlog([]) == OutboxBacklog(0, None)
    first = await store.pending_outbox(None, 2)
    await store.mark_published([e.row_id for e in first])
    stamps = [s.published_at for s in (await store.history("emp-1")).status_records]
    await store.mark_published([e.row_id for e in first])
    await store.mark_published([])
    assert [s.published_at for s in (await store.history("emp-1")).status_records] == stamps
    assert [e.row_id for e in await store.pending_outbox(None, 10)] == [
        s.row_id for s in (await store.history("emp-1")).status_records[2:]
    ]
    assert await store.outbox_backlog() == OutboxBacklog(3, T0)
    assert sum(1 for s in stamps if s is not None) == 2
    await store.mark_published([e.row_id for e in await store.pending_outbox(None, 10)])
    assert await store.outbox_backlog() == OutboxBacklog(0, None)


async def test_mark_published_stamps_a_batch_larger_than_one_statement(store: Store) -> None:
    await store.append_outbox([record(str(i)) for i in range(1_203)], T0)
    pending = await store.pending_outbox(None, 2_000)
    await store.mark_published([e.row_id for e in pending[:1_201]])
    assert [e.key for e in await store.pending_outbox(None, 10)] == ["1201", "1202"]


async def test_an_event_read_back_equals_the_event_recorded(store: Store) -> None:
    recorded = entry("e1", "emp-1")
    await store.record_events([recorded], {})
    first = await store.next_open_event("emp-1")
    again = await store.next_open_event("emp-1")  # the memo gives each event once, then parses
    assert first is not None
    assert again is not None
    assert first.event == again.event == recorded.event


# -- atomicity --------------------------------------------------------------------------------


async def test_a_failed_record_events_leaves_nothing_behind(store: Store) -> None:
    with pytest.raises(Exception):  # noqa: B017 - the engine's own IntegrityError
        await store.record_events(
            [entry("e1"), entry("e2")], {eid("e1"): [record("ok")], eid("e2"): [broken_record()]}
        )
    assert await store.employments_with_open_events(None) == []
    assert await outbox_keys(store) == []
    assert await store.record_events([entry("e1"), entry("e2")], {}) == [Recorded.NEW] * 2


async def test_a_failed_save_progress_leaves_nothing_behind(store: Store) -> None:
    await store.record_events([entry("e1")], {})
    (declaration,) = await store.plan_declarations(eid("e1"), "emp-1", [planned("IN")], T0)
    with pytest.raises(Exception):  # noqa: B017 - the engine's own IntegrityError
        await store.save_progress(
            declaration,
            DeclarationProgress(DeclarationState.SUBMITTING, 1),
            next_action_at=T0 + 1,
            outbox=[record("ok"), broken_record()],
            periods=(PERIOD,),
            now=T0 + 1,
        )
    assert await store.declarations_of_event(eid("e1")) == [declaration]
    assert await store.known_periods("emp-1") == ()
    assert await outbox_keys(store) == []
    assert len((await store.history("emp-1")).transitions) == 1


async def test_a_failed_finish_event_leaves_the_event_open(store: Store) -> None:
    await store.record_events([entry("e1")], {})
    with pytest.raises(Exception):  # noqa: B017 - the engine's own IntegrityError
        await store.finish_event(eid("e1"), DONE, [broken_record()], T0)
    assert await store.employments_with_open_events(None) == ["emp-1"]
