"""The outbox relay, pipelined: it keeps handing new records to the producer while earlier
batches wait for the broker, never sends a row twice while it is in flight, marks rows
published only once acknowledged, and sends a failed batch again."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import pytest

from adapter.app.ports import OutboundRecord, OutboxEntry
from adapter.app.relay import OutboxRelay
from adapter.core.errors import TransientError
from adapter.edges.store.memory import MemoryStore


class HeldPublisher:
    """Takes every batch at once and acknowledges it only when told to (a slow broker)."""

    def __init__(self) -> None:
        self.handed: list[list[str]] = []
        self.fail_next = False
        self._acks: list[asyncio.Future[None]] = []

    async def publish(self, records: Sequence[OutboxEntry]) -> None:
        self.handed.append([r.key for r in records])
        ack: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._acks.append(ack)
        await ack
        if self.fail_next:
            self.fail_next = False
            raise TransientError("broker did not acknowledge")

    def acknowledge_all(self) -> None:
        for ack in self._acks:
            if not ack.done():
                ack.set_result(None)


async def record(store: MemoryStore, *keys: str) -> None:
    await store.append_outbox([OutboundRecord(0, key, key.encode()) for key in keys], 0.0)


async def until(condition: Callable[[], bool], limit_s: float = 5.0) -> None:
    async def wait() -> None:
        while not condition():  # noqa: ASYNC110 - polling a fake's state, no event to wait on
            await asyncio.sleep(0.001)

    await asyncio.wait_for(wait(), limit_s)


async def pending_keys(store: MemoryStore) -> list[str]:
    return [e.key for e in await store.pending_outbox(None, 100)]


async def until_published(store: MemoryStore, publisher: HeldPublisher) -> None:
    async def wait() -> None:
        while await pending_keys(store):
            publisher.acknowledge_all()
            await asyncio.sleep(0.001)

    await asyncio.wait_for(wait(), 5.0)


async def test_new_records_leave_while_an_earlier_batch_waits_for_the_broker() -> None:
    store, publisher = MemoryStore(), HeldPublisher()
    relay = OutboxRelay(store, publisher, partitions=lambda: None, batch_size=2, idle_wait_s=0.01)
    stopping = asyncio.Event()
    await record(store, "a", "b")
    task = asyncio.create_task(relay.run(stopping))
    await until(lambda: len(publisher.handed) == 1)
    await record(store, "c")
    relay.nudge()
    # The first batch is not acknowledged, yet the next record is handed to the producer,
    # and the rows in flight are not handed again.
    await until(lambda: len(publisher.handed) == 2)
    assert publisher.handed == [["a", "b"], ["c"]]
    assert await pending_keys(store) == ["a", "b", "c"]  # nothing marked before its ack
    await until_published(store, publisher)
    stopping.set()
    await task
    assert publisher.handed == [["a", "b"], ["c"]]


async def test_a_failed_batch_is_sent_again_and_marked_only_once_acknowledged() -> None:
    store, publisher = MemoryStore(), HeldPublisher()
    relay = OutboxRelay(
        store, publisher, partitions=lambda: None, idle_wait_s=0.01, retry_cap_s=0.01
    )
    stopping = asyncio.Event()
    await record(store, "a")
    publisher.fail_next = True
    task = asyncio.create_task(relay.run(stopping))
    await until(lambda: len(publisher.handed) == 1)
    publisher.acknowledge_all()  # ... which fails
    await until(lambda: len(publisher.handed) == 2)
    assert await pending_keys(store) == ["a"]
    await until_published(store, publisher)
    stopping.set()
    await task
    assert publisher.handed == [["a"], ["a"]]


@pytest.mark.parametrize("in_flight", [1, 3])
async def test_no_more_batches_wait_for_the_broker_than_allowed(in_flight: int) -> None:
    store, publisher = MemoryStore(), HeldPublisher()
    relay = OutboxRelay(
        store,
        publisher,
        partitions=lambda: None,
        batch_size=1,
        idle_wait_s=0.01,
        batches_in_flight=in_flight,
    )
    stopping = asyncio.Event()
    await record(store, *"abcde")
    task = asyncio.create_task(relay.run(stopping))
    await until(lambda: len(publisher.handed) == in_flight)
    await asyncio.sleep(0.05)
    assert len(publisher.handed) == in_flight
    await until_published(store, publisher)
    stopping.set()
    await task
    assert [k for batch in publisher.handed for k in batch] == list("abcde")  # in order


def test_at_least_one_batch_in_flight() -> None:
    with pytest.raises(ValueError, match="batches_in_flight"):
        OutboxRelay(MemoryStore(), HeldPublisher(), partitions=lambda: None, batches_in_flight=0)


class CountedReads(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    async def pending_outbox(
        self, partitions: Sequence[int] | None, limit: int
    ) -> list[OutboxEntry]:
        self.reads += 1
        return await super().pending_outbox(partitions, limit)


async def test_one_read_fills_every_free_batch_slot() -> None:
    # A relay behind a busy loop moved one batch per loop turn: at 4 status events per
    # declaration it fell behind in a 100k run and published in bursts of whole batches.
    store, publisher = CountedReads(), HeldPublisher()
    relay = OutboxRelay(
        store, publisher, partitions=lambda: None, batch_size=2, batches_in_flight=3
    )
    stopping = asyncio.Event()
    await record(store, *"abcdefg")
    task = asyncio.create_task(relay.run(stopping))
    await until(lambda: len(publisher.handed) == 3)
    assert store.reads == 1
    assert publisher.handed == [["a", "b"], ["c", "d"], ["e", "f"]]
    await until_published(store, publisher)
    stopping.set()
    await task
    assert [k for batch in publisher.handed for k in batch] == list("abcdefg")
