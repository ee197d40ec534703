"""What one accepted IN costs the store: the round trips of the driver, counted on the in-memory
store (each call is one read, or one write that the SQL store commits in a group with the
writes issued with it). A guard, not a benchmark: the count may only go down (10 per
declaration before the calls were merged; now 4 for an IN alone, 3 when another event of the
employment waits: docs/store.md)."""

from __future__ import annotations

import inspect
from collections import Counter
from collections.abc import Awaitable
from dataclasses import replace
from datetime import date
from typing import Any

from adapter.app.driver import DeclarationDriver
from adapter.app.intake import Accepted, Intake
from adapter.app.ports import ConsumedMessage, EventOutcome, PlannedDeclaration
from adapter.app.ports.records import OpenWork
from adapter.app.status_events import StatusEvents
from adapter.core.events import EmploymentEvent
from adapter.core.identifiers import make_dimona_id
from adapter.core.machine import DeclarationProgress, DeclarationState
from adapter.core.periods import PeriodState
from adapter.core.results import DeclarationAnswer, DimonaResult
from adapter.core.translation import translate
from adapter.demo_events import leave, ssin_for
from adapter.edges.store.memory import MemoryStore
from tests.unit.app.fakes import EVENTS, NOW, STATUSES, MovingClock, hire_message

ROUND_TRIPS_PER_ACCEPTED_IN = 4
"""open_work, plan with the intent SUBMITTING, SUBMITTED, ACCEPTED with the event's close."""
ROUND_TRIPS_PER_FURTHER_IN = 3
"""The next event's work comes with the previous event's close: no read of its own."""


PERIOD_ID = make_dimona_id(5_000_000_001)
"""A period id with valid check digits: the LEAVE's OUT names it."""


class CountingStore:
    """Passes every call to the store and counts the awaited ones (the round trips)."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._store, name)
        if not inspect.iscoroutinefunction(method):
            return method

        def counted(*args: Any, **kwargs: Any) -> Awaitable[Any]:
            self.calls[name] += 1
            result: Awaitable[Any] = method(*args, **kwargs)
            return result

        return counted


class AcceptingOnss:
    async def submit(self, body: object) -> int:
        return 100_000_000_017

    async def get_answer(self, declaration_id: int) -> DeclarationAnswer:
        return DeclarationAnswer(
            declaration_id=declaration_id, result=DimonaResult.ACCEPTED, period_id=PERIOD_ID
        )

    def search_declarations(self, criteria: object) -> object:
        raise AssertionError("no reconciliation here")


def _leave_message(offset: int) -> ConsumedMessage:
    raw = leave("E-1", ssin_for(1), date(2026, 12, 20), now=NOW)
    value = EVENTS.encode(EmploymentEvent.model_validate(raw).to_avro_record())
    return ConsumedMessage("in", 0, offset, b"E-1", value)


async def _drive_employment(memory: MemoryStore, *, leave: bool) -> CountingStore:
    """A HIRE of employment E-1 (and its LEAVE), driven to the end."""
    store = CountingStore(memory)
    clock = MovingClock()
    intake = Intake(EVENTS, StatusEvents(STATUSES))
    messages = [hire_message(1), *([_leave_message(2)] if leave else [])]
    for message in messages:
        accepted = intake.examine(message, now=clock.now(), today=clock.today())
        assert isinstance(accepted, Accepted), accepted
        await memory.record_events([accepted.entry], {})
    driver = DeclarationDriver(
        inbox=store,  # type: ignore[arg-type]
        ledger=store,  # type: ignore[arg-type]
        gateway=AcceptingOnss(),  # type: ignore[arg-type]
        statuses=StatusEvents(STATUSES),
        clock=clock,
    )
    while (entry := await driver.next_event("E-1")) is not None:
        await driver.process_event(entry)
    return store


async def test_an_accepted_in_costs_four_store_round_trips() -> None:
    memory = MemoryStore()
    store = await _drive_employment(memory, leave=False)

    history = await memory.history("E-1")
    (declaration,) = history.declarations
    assert declaration.progress.state is DeclarationState.ACCEPTED
    assert [e.outcome for e in history.events] == [EventOutcome.DONE]
    assert [(p.period_id, p.state) for p in history.periods] == [(PERIOD_ID, PeriodState.ACTIVE)]
    assert len(history.status_records) == 2  # SUBMITTED, ACCEPTED
    assert [t.state for t in history.transitions] == [
        DeclarationState.PLANNED,
        DeclarationState.SUBMITTING,  # recorded with the plan, before the POST
        DeclarationState.SUBMITTED,
        DeclarationState.ACCEPTED,
    ]
    assert sum(store.calls.values()) <= ROUND_TRIPS_PER_ACCEPTED_IN, store.calls


async def test_a_further_event_of_the_employment_costs_three() -> None:
    memory = MemoryStore()
    store = await _drive_employment(memory, leave=True)

    history = await memory.history("E-1")
    assert [e.outcome for e in history.events] == [EventOutcome.DONE] * 2
    assert [(d.kind, d.progress.state) for d in history.declarations] == [
        ("IN", DeclarationState.ACCEPTED),
        ("OUT", DeclarationState.ACCEPTED),
    ]
    first_in = ROUND_TRIPS_PER_ACCEPTED_IN
    assert sum(store.calls.values()) <= first_in + ROUND_TRIPS_PER_FURTHER_IN, store.calls


class NoSecondPost(AcceptingOnss):
    async def submit(self, body: object) -> int:
        raise AssertionError("posted although the plan was recorded (and submitted) already")


class StalePlanReads(CountingStore):
    """Reads no plan for the event although one is recorded: a plan written meanwhile."""

    async def open_work(self, employment_id: str) -> OpenWork | None:
        work: OpenWork | None = await self._store.open_work(employment_id)
        return None if work is None else replace(work, declarations=())


async def test_a_plan_found_recorded_is_resumed_not_posted_again() -> None:
    memory = MemoryStore()
    clock = MovingClock()
    accepted = Intake(EVENTS, StatusEvents(STATUSES)).examine(
        hire_message(1), now=clock.now(), today=clock.today()
    )
    assert isinstance(accepted, Accepted)
    await memory.record_events([accepted.entry], {})
    event_id = accepted.entry.event_id
    translation = translate(accepted.entry.event, (), today=clock.today())
    planned = [PlannedDeclaration(d, None) for d in translation.declarations]
    (stored,) = await memory.plan_declarations(event_id, "E-1", planned, 0.0)
    submitted = DeclarationProgress(
        DeclarationState.SUBMITTED, 1, 100_000_000_017, clock.now(), due_at=None
    )
    await memory.save_progress(
        stored, submitted, next_action_at=None, outbox=[], periods=None, now=0.0
    )
    store = StalePlanReads(memory)
    driver = DeclarationDriver(
        inbox=store,  # type: ignore[arg-type]
        ledger=store,  # type: ignore[arg-type]
        gateway=NoSecondPost(),  # type: ignore[arg-type]
        statuses=StatusEvents(STATUSES),
        clock=clock,
    )
    entry = await driver.next_event("E-1")
    assert entry is not None
    await driver.process_event(entry)
    (declaration,) = (await memory.history("E-1")).declarations
    assert declaration.progress.state is DeclarationState.ACCEPTED
    assert store.calls["plan_declarations"] == 1
