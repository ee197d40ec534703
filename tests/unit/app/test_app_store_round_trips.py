"""What one accepted IN costs the store: the round trips of the driver, counted on the in-memory
store (the SQL store makes one transaction of each call). A guard, not a benchmark: the
count may only go down (figures before and after the store split: 10 per declaration)."""

from __future__ import annotations

import inspect
from collections import Counter
from collections.abc import Awaitable
from typing import Any

from adapter.app.driver import DeclarationDriver
from adapter.app.intake import Accepted, Intake
from adapter.app.ports import EventOutcome
from adapter.app.status_events import StatusEvents
from adapter.core.machine import DeclarationState
from adapter.core.periods import PeriodState
from adapter.core.results import DeclarationAnswer, DimonaResult
from adapter.edges.store.memory import MemoryStore
from tests.unit.app.fakes import EVENTS, STATUSES, MovingClock, hire_message

ROUND_TRIPS_PER_ACCEPTED_IN = 10


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
            declaration_id=declaration_id, result=DimonaResult.ACCEPTED, period_id=5_000_000_001
        )

    def search_declarations(self, criteria: object) -> object:
        raise AssertionError("no reconciliation here")


async def test_an_accepted_in_costs_ten_store_round_trips() -> None:
    memory = MemoryStore()
    store = CountingStore(memory)
    clock = MovingClock()
    accepted = Intake(EVENTS, StatusEvents(STATUSES)).examine(
        hire_message(1), now=clock.now(), today=clock.today()
    )
    assert isinstance(accepted, Accepted)
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

    history = await memory.history("E-1")
    (declaration,) = history.declarations
    assert declaration.progress.state is DeclarationState.ACCEPTED
    assert [e.outcome for e in history.events] == [EventOutcome.DONE]
    assert [(p.period_id, p.state) for p in history.periods] == [
        (5_000_000_001, PeriodState.ACTIVE)
    ]
    assert len(history.status_records) == 2  # SUBMITTED, ACCEPTED
    assert sum(store.calls.values()) <= ROUND_TRIPS_PER_ACCEPTED_IN, store.calls
