"""The runner pauses the consumer when too many employments are in flight, takes no more
events than there is room for, and resumes just below the bound (not at half: that made the
work come in waves); offsets are committed only after the inbox write."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from adapter.app.executor import Executor
from adapter.app.intake import Intake
from adapter.app.ports import (
    EventOutcome,
    Inbox,
    InboxEntry,
    OutboxEntry,
    Rejected,
)
from adapter.app.relay import OutboxRelay
from adapter.app.runner import Runner, RunnerConfig
from adapter.app.status_events import StatusEvents
from adapter.edges.avro.codec import SingleObjectCodec
from adapter.edges.store.memory import MemoryStore
from tests.unit.app.fakes import MovingClock, Source, hire_message


class BlockingDriver:
    """Holds every event until released: the employments stay in flight."""

    def __init__(self, store: Inbox) -> None:
        self.store = store
        self.release = asyncio.Event()
        self.stop_requested: Callable[[str], bool] = lambda _e: False

    def at_safe_point(self, employment_id: str) -> bool:
        return True

    def forget(self, employment_id: str) -> None:
        pass

    async def next_event(self, employment_id: str) -> InboxEntry | None:
        return await self.store.next_open_event(employment_id)

    async def process_event(self, entry: InboxEntry) -> None:
        await self.release.wait()
        await self.store.finish_event(entry.event_id, EventOutcome.DONE, [], 0.0)


class NoPublisher:
    async def publish(self, records: Sequence[OutboxEntry]) -> None:
        return None


class NoDeadLetters:
    async def send(self, rejected: Sequence[Rejected]) -> None:
        raise AssertionError("nothing is invalid here")


async def test_pauses_at_the_bound_and_resumes_just_below_it() -> None:
    store = MemoryStore()
    statuses = StatusEvents(SingleObjectCodec("declaration_status_changed"))
    source = Source([hire_message(i) for i in range(10)])
    driver = BlockingDriver(store)
    executor = Executor(driver)  # type: ignore[arg-type]
    runner = Runner(
        source=source,
        intake=Intake(SingleObjectCodec("employment_event"), statuses),
        inbox=store,
        outbox=store,
        executor=executor,
        relay=OutboxRelay(store, NoPublisher(), partitions=lambda: frozenset({0})),
        dead_letters=NoDeadLetters(),
        clock=MovingClock(),
        config=RunnerConfig(batch_size=10, max_employments_in_flight=4, drain_budget_s=1.0),
    )
    stopping = asyncio.Event()
    task = asyncio.create_task(runner.run(stopping))
    await asyncio.wait_for(source.paused.wait(), 10)
    assert executor.active_employments == 4  # the room there was, not the batch size
    assert source.committed == list(range(4))  # committed once recorded, not once declared
    assert await store.employments_with_open_events(None)
    driver.release.set()
    await asyncio.wait_for(source.resumed.wait(), 10)
    await asyncio.wait_for(source.drained.wait(), 10)
    stopping.set()
    await task
    assert source.log[:3] == ["handler", "pause", "resume"]
    assert await store.employments_with_open_events(None) == []
    assert sorted(source.committed) == list(range(10))
    store.close()


class CountedExecutor:
    active_employments = 0


class PausingSource:
    def __init__(self) -> None:
        self.log: list[str] = []

    async def pause(self) -> None:
        self.log.append("pause")

    async def resume(self) -> None:
        self.log.append("resume")


async def test_resumes_below_nine_tenths_of_the_bound_not_at_half() -> None:
    executor, source = CountedExecutor(), PausingSource()
    runner = Runner(
        source=source,  # type: ignore[arg-type]
        intake=None,  # type: ignore[arg-type]
        inbox=None,  # type: ignore[arg-type]
        outbox=None,  # type: ignore[arg-type]
        executor=executor,  # type: ignore[arg-type]
        relay=None,  # type: ignore[arg-type]
        dead_letters=NoDeadLetters(),
        clock=MovingClock(),
        config=RunnerConfig(batch_size=500, max_employments_in_flight=100),
    )
    seen = []
    for active in (100, 95, 90, 89, 100):
        executor.active_employments = active
        await runner._apply_backpressure()  # the rule under test
        seen.append((active, list(source.log)))
    assert seen[1][1] == ["pause"]  # 95: still paused
    assert seen[2][1] == ["pause"]  # 90: still paused (not below 90)
    assert seen[3][1] == ["pause", "resume"]  # 89: resumed, long before half (50)
    assert seen[4][1] == ["pause", "resume", "pause"]
    executor.active_employments = 97
    assert runner._batch_room() == 3  # only the room there is
    executor.active_employments = 150
    assert runner._batch_room() == 1  # a poll still takes at least one
