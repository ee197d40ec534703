"""The driver against the in-memory ONSS: it hands the gateway core declarations, and a
submission of unknown outcome is reconciled, never posted twice."""

from __future__ import annotations

import asyncio
from pathlib import Path

from adapter.app.driver import DeclarationDriver, DriverConfig
from adapter.app.intake import Accepted, Intake
from adapter.app.ports import InboxEntry
from adapter.app.status_events import StatusEvents
from adapter.core.declarations import InDeclaration
from adapter.core.errors import UncertainOutcome
from adapter.core.machine import DeclarationState
from adapter.edges.store.memory import MemoryStore
from tests.fakes.onss import InMemoryOnss
from tests.unit.app.fakes import EVENTS, STATUSES, MovingClock, hire_message


async def drive_hire(tmp_path: Path, onss: InMemoryOnss) -> MemoryStore:
    clock = MovingClock()

    async def sleep(seconds: float) -> None:
        onss.process()  # while the driver waits, ONSS works
        await clock.sleep(seconds)

    store = MemoryStore()
    accepted = Intake(EVENTS, StatusEvents(STATUSES)).examine(
        hire_message(1), now=clock.now(), today=clock.today()
    )
    assert isinstance(accepted, Accepted)
    await store.record_events([accepted.entry], {})
    driver = DeclarationDriver(
        inbox=store,
        ledger=store,
        gateway=onss,
        statuses=StatusEvents(STATUSES),
        clock=clock,
        config=DriverConfig(reconcile_window_s=60.0, reconcile_interval_s=5.0),
        sleep=sleep,
    )
    entry: InboxEntry | None = await store.next_open_event("E-1")
    assert entry is not None
    await asyncio.wait_for(driver.process_event(entry), 10)
    return store


async def test_the_gateway_receives_the_core_declaration(tmp_path: Path) -> None:
    onss = InMemoryOnss(polls_before_answer=1)
    store = await drive_hire(tmp_path, onss)
    [declaration] = onss.declarations()
    assert isinstance(declaration, InDeclaration)
    (stored,) = (await store.history("E-1")).declarations
    assert stored.progress.state is DeclarationState.ACCEPTED
    assert stored.progress.declaration_id in onss.received
    assert stored.body is None  # the wire body is the gateway's business


async def test_an_uncertain_submission_is_reconciled_not_posted_again(tmp_path: Path) -> None:
    onss = InMemoryOnss(polls_before_answer=None)
    onss.fail_next("submit", UncertainOutcome("submit: read timeout; reconcile"), recorded=True)
    store = await drive_hire(tmp_path, onss)
    [recorded] = onss.received  # exactly one declaration reached ONSS
    (stored,) = (await store.history("E-1")).declarations
    assert stored.progress.declaration_id == recorded
    assert stored.progress.state is DeclarationState.ACCEPTED
