"""The pipeline's rules, at unit level: the driver over the in-memory store, the in-memory
ONSS and a clock that moves only when someone waits on it. Each rule was tested only through
processes (broker, sandbox) before; here each runs in milliseconds and cannot flake on time."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from adapter.app.driver import DeclarationDriver, DriverConfig
from adapter.app.intake import Accepted, Intake
from adapter.app.ports import ConsumedMessage, InboxEntry, Recorded
from adapter.app.status_events import StatusEvents
from adapter.core.declarations import CancelDeclaration, Declaration, InDeclaration
from adapter.core.errors import UncertainOutcome
from adapter.core.events import EmploymentEvent
from adapter.core.machine import DeclarationState
from adapter.core.results import DimonaResult
from adapter.demo_events import hire, leave, ssin_for
from adapter.edges.store.memory import MemoryStore
from tests.fakes.onss import InMemoryOnss, Verdict
from tests.unit.app.fakes import EVENTS, NOW, STATUSES, MovingClock

START = date(2026, 12, 1)


class WorkingClock(MovingClock):
    """While the driver waits, ONSS processes what it received."""

    def __init__(self, onss: InMemoryOnss) -> None:
        super().__init__()
        self.onss = onss

    async def sleep_until(self, when: datetime) -> None:
        self.onss.process()
        await super().sleep_until(when)


@dataclass
class Pipeline:
    onss: InMemoryOnss = field(default_factory=InMemoryOnss)
    config: DriverConfig = field(default_factory=DriverConfig)
    store: MemoryStore = field(default_factory=MemoryStore)
    offset: int = 0

    def __post_init__(self) -> None:
        self.clock = WorkingClock(self.onss)
        self.driver = DeclarationDriver(
            inbox=self.store,
            ledger=self.store,
            gateway=self.onss,
            statuses=StatusEvents(STATUSES),
            clock=self.clock,
            config=self.config,
        )

    async def receive(self, raw: dict[str, object]) -> bool:
        """Record one event as the intake does; whether it was new."""
        event = EmploymentEvent.model_validate(raw)
        self.offset += 1
        message = ConsumedMessage(
            "in",
            0,
            self.offset,
            event.employment_id.encode(),
            EVENTS.encode(event.to_avro_record()),
        )
        accepted = Intake(EVENTS, StatusEvents(STATUSES)).examine(
            message, now=self.clock.now(), today=self.clock.today()
        )
        assert isinstance(accepted, Accepted), accepted
        (recorded,) = await self.store.record_events([accepted.entry], {})
        return recorded is Recorded.NEW

    async def run(self, employment_id: str) -> None:
        """What the employment's actor does: every open event, in order."""
        while (entry := await self.driver.next_event(employment_id)) is not None:
            await asyncio.wait_for(self.driver.process_event(entry), 10)

    async def states(self, employment_id: str) -> list[tuple[str, DeclarationState]]:
        history = await self.store.history(employment_id)
        return [(d.kind, d.progress.state) for d in history.declarations]

    async def outcomes(self, employment_id: str) -> list[str | None]:
        history = await self.store.history(employment_id)
        return [None if e.outcome is None else e.outcome.value for e in history.events]


def a_hire(employment: str = "E-1", **contract: object) -> dict[str, object]:
    return hire(employment, ssin_for(1), START, now=NOW, **contract)


async def test_a_hire_is_declared_and_its_statuses_recorded() -> None:
    pipeline = Pipeline()
    await pipeline.receive(a_hire())
    await pipeline.run("E-1")
    assert await pipeline.states("E-1") == [("IN", DeclarationState.ACCEPTED)]
    [declaration] = pipeline.onss.declarations()
    assert isinstance(declaration, InDeclaration)  # the gateway got the core declaration
    history = await pipeline.store.history("E-1")
    statuses = [STATUSES.decode(r.value)["status"] for r in history.status_records]
    assert statuses == ["SUBMITTED", "ACCEPTED"]


async def test_a_leave_after_a_refused_in_fails_with_the_reason() -> None:
    def refuse_ins(declaration: Declaration) -> Verdict | None:
        if isinstance(declaration, InDeclaration):
            return Verdict(DimonaResult.REFUSED, ("90374-349",))
        return None

    pipeline = Pipeline(onss=InMemoryOnss(decide=refuse_ins))
    await pipeline.receive(a_hire())
    await pipeline.receive(leave("E-1", ssin_for(1), START + timedelta(days=30), now=NOW))
    await pipeline.run("E-1")
    assert await pipeline.states("E-1") == [("IN", DeclarationState.REFUSED)]
    assert await pipeline.outcomes("E-1") == ["FAILED", "FAILED"]
    assert len(pipeline.onss.received) == 1  # nothing was sent for the leave


async def test_an_uncertain_submission_is_reconciled_never_posted_again() -> None:
    pipeline = Pipeline(
        onss=InMemoryOnss(polls_before_answer=None),
        config=DriverConfig(reconcile_window_s=60.0, reconcile_interval_s=5.0),
    )
    pipeline.onss.fail_next("submit", UncertainOutcome("read timeout"), recorded=True)
    await pipeline.receive(a_hire())
    await pipeline.run("E-1")
    [recorded] = pipeline.onss.received  # exactly one declaration reached ONSS
    history = await pipeline.store.history("E-1")
    (stored,) = history.declarations
    assert (stored.progress.declaration_id, stored.progress.state) == (
        recorded,
        DeclarationState.ACCEPTED,
    )
    assert [t.state for t in history.transitions if t.state is DeclarationState.UNCERTAIN]


async def test_an_uncertain_submission_not_found_after_the_window_is_sent_again() -> None:
    pipeline = Pipeline(config=DriverConfig(reconcile_window_s=30.0, reconcile_interval_s=5.0))
    pipeline.onss.fail_next("submit", UncertainOutcome("reset"), recorded=False)
    await pipeline.receive(a_hire())
    await pipeline.run("E-1")
    assert len(pipeline.onss.received) == 1  # the first never reached ONSS; the second did
    assert await pipeline.states("E-1") == [("IN", DeclarationState.ACCEPTED)]
    assert pipeline.clock.now() - NOW >= timedelta(seconds=30)  # not before the window closed


async def test_the_same_event_twice_declares_once() -> None:
    pipeline = Pipeline()
    event = a_hire()
    assert await pipeline.receive(event)
    assert not await pipeline.receive(event)  # a redelivery: dropped by the inbox
    await pipeline.run("E-1")
    assert len(pipeline.onss.received) == 1


async def test_the_fallback_policy_cancels_and_redeclares_as_oth() -> None:
    def flexi_loses_its_regime(declaration: Declaration) -> Verdict | None:
        if isinstance(declaration, InDeclaration) and declaration.worker_type == "FLX":
            return Verdict(DimonaResult.ACCEPTED_WITH_WARNING, ("90017-510",))
        return None

    pipeline = Pipeline(
        onss=InMemoryOnss(decide=flexi_loses_its_regime),
        config=DriverConfig(regime_fallback=True),
    )
    await pipeline.receive(
        a_hire(
            worker_type="FLX", joint_committee="302", end=START, startTime="18:00", endTime="23:00"
        )
    )
    await pipeline.run("E-1")
    kinds = [type(d).__name__ for d in pipeline.onss.declarations()]
    assert kinds == ["InDeclaration", "CancelDeclaration", "InDeclaration"]
    cancel, oth = pipeline.onss.declarations()[1:]
    assert isinstance(cancel, CancelDeclaration)
    assert isinstance(oth, InDeclaration)
    assert oth.worker_type == "OTH"


async def test_an_in_waits_for_its_not_before_day_without_blocking_the_test() -> None:
    """A flexi day in a later quarter may not be declared yet: the IN waits (the clock moves,
    the test does not), then goes out on its day."""
    day = date(2027, 6, 10)
    pipeline = Pipeline()
    await pipeline.receive(
        hire("E-1", ssin_for(1), day, worker_type="FLX", joint_committee="302", end=day,
             now=NOW, startTime="18:00", endTime="23:00")
    )  # fmt: skip
    await pipeline.run("E-1")
    [declaration] = pipeline.onss.declarations()
    assert isinstance(declaration, InDeclaration)
    assert declaration.not_before is not None
    assert declaration.not_before > NOW.date()
    in_belgium = pipeline.clock.now().astimezone(ZoneInfo("Europe/Brussels"))
    assert in_belgium.date() >= declaration.not_before  # midnight in Belgium, not UTC
    assert await pipeline.states("E-1") == [("IN", DeclarationState.ACCEPTED)]


async def test_a_stop_at_a_safe_point_is_resumed_by_the_next_owner() -> None:
    pipeline = Pipeline(onss=InMemoryOnss(polls_before_answer=None))
    stops = iter([False, False, True])  # stop once the declaration was submitted
    pipeline.driver.stop_requested = lambda _employment: next(stops, False)
    await pipeline.receive(a_hire())
    entry: InboxEntry | None = await pipeline.driver.next_event("E-1")
    assert entry is not None
    await pipeline.driver.process_event(entry)
    assert await pipeline.states("E-1") == [("IN", DeclarationState.SUBMITTED)]
    assert await pipeline.outcomes("E-1") == [None]  # still open: nothing lost

    successor = DeclarationDriver(
        inbox=pipeline.store,
        ledger=pipeline.store,
        gateway=pipeline.onss,
        statuses=StatusEvents(STATUSES),
        clock=pipeline.clock,
    )
    while (entry := await successor.next_event("E-1")) is not None:
        await successor.process_event(entry)
    assert len(pipeline.onss.received) == 1  # resumed by polling, not posted again
    assert await pipeline.states("E-1") == [("IN", DeclarationState.ACCEPTED)]
