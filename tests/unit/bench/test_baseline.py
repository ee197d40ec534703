"""The plain-consumer baseline of the benchmark: one event in flight per partition.

The production ``Executor`` runs every employment at once; the bench's executor lets the
employments of one partition take turns. Measured by a driver that holds every event until the
test lets it go, so nothing depends on timing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date

from adapter.app.executor import Executor
from adapter.app.ports import InboxEntry
from adapter.bench.baseline import OnePerPartitionExecutor
from adapter.core.events import EmploymentEvent
from adapter.demo_events import hire, ssin_for

PARTITION_OF = {"E-1": 0, "E-2": 0, "E-3": 1}


class HeldDriver:
    """One event per employment; each is held until released, and the peak is recorded."""

    def __init__(self) -> None:
        self.stop_requested: Callable[[str], bool] = lambda _employment: False
        self.release = asyncio.Event()
        self.running: set[str] = set()
        self.peak_per_partition: dict[int, int] = {}
        self._served: set[str] = set()
        self.done: set[str] = set()
        self.all_done = asyncio.Event()
        self.started = asyncio.Condition()

    def at_safe_point(self, employment_id: str) -> bool:
        return True

    def forget(self, employment_id: str) -> None:
        pass

    async def next_event(self, employment_id: str) -> InboxEntry | None:
        if employment_id in self._served:
            return None
        self._served.add(employment_id)
        partition = PARTITION_OF[employment_id]
        event = EmploymentEvent.model_validate(
            hire(employment_id, ssin_for(len(self._served)), date(2026, 12, 1))
        )
        return InboxEntry(event, "t", partition, 0, 0.0)

    async def process_event(self, entry: InboxEntry) -> None:
        async with self.started:
            self.running.add(entry.employment_id)
            now = sum(1 for e in self.running if PARTITION_OF[e] == entry.partition)
            peak = self.peak_per_partition.get(entry.partition, 0)
            self.peak_per_partition[entry.partition] = max(peak, now)
            self.started.notify_all()
        await self.release.wait()
        self.running.discard(entry.employment_id)
        self.done.add(entry.employment_id)
        if self.done == PARTITION_OF.keys():
            self.all_done.set()


async def drive(make: Callable[[HeldDriver], Executor], *, waiting_for: int) -> HeldDriver:
    driver = HeldDriver()
    executor = make(driver)
    executor.wake(PARTITION_OF)
    async with driver.started:
        await driver.started.wait_for(lambda: len(driver.running) == waiting_for)
    for _ in range(10):  # let any actor that could still start do so
        await asyncio.sleep(0)
    assert len(driver.running) == waiting_for
    driver.release.set()
    await driver.all_done.wait()
    return driver


async def test_the_baseline_runs_one_event_per_partition() -> None:
    driver = await drive(OnePerPartitionExecutor, waiting_for=2)  # type: ignore[arg-type]
    assert driver.peak_per_partition == {0: 1, 1: 1}


async def test_production_runs_every_employment_at_once() -> None:
    driver = await drive(Executor, waiting_for=3)  # type: ignore[arg-type]
    assert driver.peak_per_partition == {0: 2, 1: 1}
