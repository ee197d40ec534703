"""The runner under failure (issue 11): a store outage waits and resumes, a fatal error stops
the process after closing the consumer, bad keys and conflicting re-sends are dead-lettered."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

import pytest

from adapter.app.executor import Executor
from adapter.app.intake import Intake
from adapter.app.ports import InboxEntry, OutboundRecord, OutboxEntry, Recorded
from adapter.app.relay import OutboxRelay
from adapter.app.runner import Runner, RunnerConfig
from adapter.app.status_events import StatusEvents
from adapter.app.telemetry import Telemetry
from adapter.core.errors import FatalConfiguration, OwnershipLost
from adapter.core.status import DeclarationStatus
from adapter.edges.http.health import Health
from adapter.edges.store.engine import StoreUnavailableError
from adapter.edges.store.memory import MemoryStore
from tests.unit.app.fakes import (
    EVENTS,
    STATUSES,
    DeadLetters,
    FinishingDriver,
    MovingClock,
    Publisher,
    Source,
    hire_message,
)


class FlakyStore(MemoryStore):
    """Fails ``record_events`` the first ``outage`` times, as a PostgreSQL outage would."""

    def __init__(self, outage: int) -> None:
        super().__init__()
        self.outage = outage

    async def record_events(
        self, entries: Sequence[InboxEntry], outbox: Mapping[str, Sequence[OutboundRecord]]
    ) -> list[Recorded]:
        if self.outage > 0:
            self.outage -= 1
            raise StoreUnavailableError("store unavailable: OperationalError: server closed")
        return await super().record_events(entries, outbox)


def build(
    source: Source,
    *,
    store: MemoryStore | None = None,
    error: BaseException | None = None,
    health: Health | None = None,
) -> tuple[Runner, MemoryStore, DeadLetters, Publisher, FinishingDriver]:
    memory = store or MemoryStore()
    driver = FinishingDriver(memory, error)
    executor = Executor(driver, retry_delay_s=0.01)  # type: ignore[arg-type]
    dead_letters, publisher = DeadLetters(), Publisher()
    runner = Runner(
        source=source,
        intake=Intake(EVENTS, StatusEvents(STATUSES)),
        inbox=memory,
        outbox=memory,
        executor=executor,
        relay=OutboxRelay(memory, publisher, partitions=lambda: frozenset({0})),
        dead_letters=dead_letters,
        clock=MovingClock(),
        config=RunnerConfig(batch_size=10, drain_budget_s=1.0, outage_backoff_cap_s=0.02),
        telemetry=Telemetry(health=health) if health else None,
    )
    return runner, memory, dead_letters, publisher, driver


async def run_until_drained(runner: Runner, source: Source, settle: float = 0.2) -> None:
    stopping = asyncio.Event()
    task = asyncio.create_task(runner.run(stopping))
    await asyncio.wait_for(source.drained.wait(), 10)
    await asyncio.sleep(settle)
    stopping.set()
    await asyncio.wait_for(task, 10)


async def test_a_store_outage_rewinds_the_batch_reports_not_ready_and_resumes() -> None:
    source = Source([hire_message(n) for n in range(3)])
    health = Health()
    health.partitions_assigned(True)
    store = FlakyStore(outage=3)
    runner, _, dead_letters, _, driver = build(source, store=store, health=health)
    stopping = asyncio.Event()
    task = asyncio.create_task(runner.run(stopping))
    while not source.rewound:  # noqa: ASYNC110 - the fake source has no event for this
        await asyncio.sleep(0.001)
    verdict = await health.ready()
    assert not verdict.ok
    assert "StoreUnavailableError" in verdict.checks["intake"]
    await asyncio.wait_for(source.drained.wait(), 10)
    await asyncio.sleep(0.2)
    assert (await health.ready()).ok
    stopping.set()
    await asyncio.wait_for(task, 10)  # the outage never ended the loop
    assert source.rewound == [[0, 1, 2]] * 3
    assert source.committed == [0, 1, 2]
    assert len(driver.processed) == 3
    assert dead_letters.sent == []
    assert source.log[-1] == "close"


async def test_a_fatal_error_in_an_actor_stops_the_runner_and_closes_the_consumer() -> None:
    source = Source([hire_message(1)])
    health = Health()
    runner, *_ = build(
        source, error=FatalConfiguration("HTTP 401 with a fresh token"), health=health
    )
    stopping = asyncio.Event()
    with pytest.raises(FatalConfiguration, match="fresh token"):
        await asyncio.wait_for(runner.run(stopping), 10)
    assert source.log[-1] == "close"  # LeaveGroup: the consumer is closed before raising
    verdict = await health.ready()
    assert not verdict.ok
    assert verdict.checks["fatal"] == "FatalConfiguration"


class BrokenOutbox(MemoryStore):
    """Its outbox fails with an error that is not transient (a bug, a raw driver error)."""

    async def pending_outbox(self, partitions: object, limit: int) -> list[OutboxEntry]:
        raise RuntimeError("OperationalError escaped the store")


async def test_a_relay_ended_by_an_error_stops_the_runner_instead_of_running_silent() -> None:
    source = Source([hire_message(1)])
    runner, *_ = build(source, store=BrokenOutbox())
    with pytest.raises(RuntimeError, match="escaped the store"):
        await asyncio.wait_for(runner.run(asyncio.Event()), 10)
    assert source.log[-1] == "close"


async def test_an_actor_that_lost_ownership_ends_without_retrying() -> None:
    source = Source([hire_message(1)])
    runner, _, _, _, driver = build(source, error=OwnershipLost("partition 0"))
    await run_until_drained(runner, source)
    assert driver.processed == [driver.processed[0]]  # once, never woken again


@pytest.mark.parametrize("key", [None, b"E-other"])
async def test_a_record_not_keyed_by_its_employment_is_dead_lettered_and_rejected(
    key: bytes | None,
) -> None:
    source = Source([hire_message(1, key=key), hire_message(2)])
    runner, _, dead_letters, publisher, driver = build(source)
    await run_until_drained(runner, source)
    (dead,) = dead_letters.sent
    assert dead.reason_code == "KEY_MISMATCH"
    assert dead.violations[0].field == "key"
    assert len(driver.processed) == 1  # only E-2: nothing of E-1 is declared
    statuses = [STATUSES.decode(r.value) for r in publisher.published]
    rejected = [s for s in statuses if s["status"] == DeclarationStatus.REJECTED.value]
    assert [s["employmentId"] for s in rejected] == ["E-1"]
    assert source.committed == [1, 2]


async def test_an_event_id_resent_with_other_content_is_a_conflict_the_source_hears_of() -> None:
    first = hire_message(1, eventId="0b9e6c39-3f42-4a4e-9a43-5a7c1f0e2d11")
    same = hire_message(1, offset=2, eventId="0b9e6c39-3f42-4a4e-9a43-5a7c1f0e2d11")
    other = hire_message(
        1, offset=3, eventId="0b9e6c39-3f42-4a4e-9a43-5a7c1f0e2d11", source="another-system"
    )
    source = Source([first, same, other])
    runner, _, dead_letters, publisher, driver = build(source)
    await run_until_drained(runner, source)
    assert [(d.message.offset, d.reason_code) for d in dead_letters.sent] == [
        (3, "DUPLICATE_CONFLICT")
    ]
    assert len(driver.processed) == 1
    statuses = [STATUSES.decode(r.value)["status"] for r in publisher.published]
    assert statuses.count(DeclarationStatus.REJECTED.value) == 1
    assert statuses.count(DeclarationStatus.RECEIVED.value) == 1
