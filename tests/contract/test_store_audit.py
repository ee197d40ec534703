"""The read side of the store contract (``StoreView``: history, consult, gauges), on every
engine: the same ``store`` fixture as test_store_contract.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from adapter.app.ports import EmploymentHistory, EventOutcome, RecordedEvent
from adapter.core.machine import DeclarationProgress, DeclarationState
from adapter.core.periods import KnownPeriod
from adapter.core.results import DimonaResult
from adapter.edges.store.migrations import LATEST
from tests.contract.builders import ANSWER, SSIN, START, T0, eid, entry, planned, record
from tests.contract.conftest import Store

OTHER_SSIN = "90010100175"


async def test_the_schema_is_in_place(store: Store) -> None:
    assert await store.schema_version() == LATEST


async def test_pending_poll_count_counts_declarations_awaiting_an_answer(store: Store) -> None:
    declarations = await store.plan_declarations(
        "e1", "emp-1", [planned("IN", n=i) for i in range(4)], T0
    )
    states = [
        DeclarationState.SUBMITTED,
        DeclarationState.WAITING_IDENTIFICATION,
        DeclarationState.ACCEPTED,
        DeclarationState.PLANNED,
    ]
    for declaration, state in zip(declarations, states, strict=True):
        await store.save_progress(
            declaration,
            DeclarationProgress(state),
            next_action_at=None,
            outbox=[],
            periods=None,
            now=T0,
        )
    assert await store.pending_poll_count() == 2


async def test_awaiting_answer_since_counts_the_events_of_these_partitions(store: Store) -> None:
    submitted = datetime.fromtimestamp(T0, UTC) - timedelta(hours=2)
    for name, partition, state in [
        ("p1", 1, DeclarationState.SUBMITTED),
        ("p2", 2, DeclarationState.WAITING_IDENTIFICATION),
        ("p1-done", 1, DeclarationState.ACCEPTED),
    ]:
        await store.record_events([entry(name, name, partition=partition)], {})
        (declaration,) = await store.plan_declarations(eid(name), name, [planned("IN")], T0)
        progress = DeclarationProgress(state, 1, 42, submitted)
        await store.save_progress(
            declaration, progress, next_action_at=None, outbox=[], periods=None, now=T0
        )
    (never_sent,) = await store.plan_declarations("orphan", "orphan", [planned("IN")], T0)
    assert await store.awaiting_answer_since([1]) == [submitted.timestamp()]
    assert sorted(await store.awaiting_answer_since([1, 2])) == [submitted.timestamp()] * 2
    assert await store.awaiting_answer_since([3]) == []
    assert await store.awaiting_answer_since([]) == []
    assert never_sent.progress.submitted_at is None


async def test_history_tells_what_was_declared_when_and_what_onss_answered(store: Store) -> None:
    await store.record_events([entry("e1", partition=3)], {eid("e1"): [record("emp-1")]})
    (declaration,) = await store.plan_declarations(eid("e1"), "emp-1", [planned("IN")], T0 + 1)
    submitted = DeclarationProgress(
        DeclarationState.SUBMITTED, 1, ANSWER.declaration_id, datetime.now(UTC)
    )
    declaration = await store.save_progress(
        declaration, submitted, next_action_at=T0 + 3, outbox=[], periods=None, now=T0 + 2
    )
    answered = replace(submitted, state=DeclarationState.ACCEPTED_WITH_WARNINGS, answer=ANSWER)
    period = KnownPeriod(
        period_id=ANSWER.period_id, start_date=START, worker_type="OTH", joint_committee="XXX"
    )
    await store.save_progress(
        declaration,
        answered,
        next_action_at=None,
        outbox=[record("emp-1", b"answered"), record("emp-2")],
        periods=(period,),
        now=T0 + 4,
    )
    await store.finish_event(eid("e1"), EventOutcome.DONE, [], T0 + 5)

    history = await store.history("emp-1")
    assert history.events == (
        RecordedEvent(
            event_id=eid("e1"),
            event_type="HIRE",
            topic="hr.employment.events",
            partition=3,
            offset=entry("e1").offset,
            received_at=T0,
            outcome=EventOutcome.DONE,
            finished_at=T0 + 5,
        ),
    )
    (stored,) = history.declarations
    assert stored.progress == answered
    assert stored.declaration == planned("IN").declaration
    assert history.periods == (period,)
    transitions = history.transitions
    assert [(t.state, t.recorded_at) for t in transitions] == [
        (DeclarationState.PLANNED, T0 + 1),
        (DeclarationState.SUBMITTED, T0 + 2),
        (DeclarationState.ACCEPTED_WITH_WARNINGS, T0 + 4),
    ]
    assert {t.declaration_row_id for t in transitions} == {stored.row_id}
    last = transitions[-1]
    assert (last.declaration_id, last.result, last.attempts) == (
        ANSWER.declaration_id,
        DimonaResult.ACCEPTED_WITH_WARNING,
        1,
    )
    assert last.answer == ANSWER
    assert [a.code for a in last.answer.anomalies] == ["90017-510", "00913-371"]
    assert transitions[1].next_action_at == T0 + 3
    assert [(s.key, s.value, s.created_at) for s in history.status_records] == [
        ("emp-1", b"v", T0),
        ("emp-1", b"answered", T0 + 4),
    ]
    assert all(s.published_at is None for s in history.status_records)

    nobody = await store.history("nobody")
    assert nobody == EmploymentHistory("nobody")
    assert nobody.is_empty


async def test_declarations_by_worker(store: Store) -> None:
    await store.plan_declarations("e1", "emp-1", [planned("IN", ssin=SSIN)], T0)
    await store.plan_declarations("e2", "emp-1", [planned("OUT", ssin=None)], T0)
    await store.plan_declarations("e3", "emp-2", [planned("IN", ssin=OTHER_SSIN)], T0)
    await store.plan_declarations("e4", "emp-3", [planned("UPDATE", ssin=SSIN)], T0)
    found = await store.declarations_by_worker(SSIN)
    assert [(d.event_id, d.employment_id) for d in found] == [
        ("e1", "emp-1"),
        ("e2", "emp-1"),
        ("e4", "emp-3"),
    ]
    assert await store.declarations_by_worker("00000000000") == []


async def test_employments_of_worker_declared_first_then_named_by_events(store: Store) -> None:
    await store.record_events(
        [
            entry("n1", "named-only", ssin=SSIN),
            entry("o1", "other", ssin=OTHER_SSIN),
            entry("d1", "declared", ssin=OTHER_SSIN),
        ],
        {},
    )
    await store.plan_declarations(eid("d1"), "declared", [planned("IN", ssin=SSIN)], T0)
    assert await store.employments_of_worker(SSIN) == ["declared", "named-only"]
    assert await store.employments_of_worker(OTHER_SSIN) == ["other", "declared"]
    assert await store.employments_of_worker("00000000000") == []


async def test_find_declarations_by_onss_id_or_by_the_worker_of_their_event(
    store: Store,
) -> None:
    await store.record_events(
        [entry("a", "emp-a", ssin=SSIN), entry("b", "emp-b", ssin=OTHER_SSIN)], {}
    )
    (a,) = await store.plan_declarations(eid("a"), "emp-a", [planned("IN")], T0)
    (b,) = await store.plan_declarations(eid("b"), "emp-b", [planned("IN")], T0)
    await store.plan_declarations("no-event", "emp-c", [planned("IN")], T0)
    progress = DeclarationProgress(DeclarationState.SUBMITTED, 1, 777, datetime.now(UTC))
    b = await store.save_progress(b, progress, next_action_at=None, outbox=[], periods=None, now=T0)
    everything = await store.find_declarations()
    assert [(f.declaration, f.event.event_id) for f in everything] == [
        (a, eid("a")),
        (b, eid("b")),
    ]
    (by_id,) = await store.find_declarations(declaration_id=777)
    assert by_id.declaration == b
    assert by_id.event == entry("b", "emp-b", ssin=OTHER_SSIN).event
    (by_worker,) = await store.find_declarations(ssin=SSIN)
    assert by_worker.declaration == a
    assert await store.find_declarations(declaration_id=1) == []
