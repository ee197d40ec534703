"""Real classes behind the app's ports, in memory, for the runner and driver unit tests."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

from adapter.app.ports import (
    ConsumedMessage,
    EventOutcome,
    Inbox,
    InboxEntry,
    OutboxEntry,
    Rejected,
)
from adapter.core.events import EmploymentEvent
from adapter.demo_events import hire, ssin_for
from adapter.edges.avro.codec import SingleObjectCodec

EVENTS = SingleObjectCodec("employment_event")
STATUSES = SingleObjectCodec("declaration_status_changed")
NOW = datetime(2026, 11, 28, 10, tzinfo=UTC)


class MovingClock:
    """A clock that only moves when someone sleeps on it (or ``advance`` is called)."""

    def __init__(self, start: datetime = NOW) -> None:
        self._now = start
        self._monotonic = 1_000.0
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._now.date()

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, seconds: float) -> None:
        # Whole microseconds, rounded up: a datetime cannot move by less, and a sleep until a
        # deadline must reach it.
        micros = math.ceil(seconds * 1e6)
        self._now += timedelta(microseconds=micros)
        self._monotonic += micros / 1e6

    async def sleep_until(self, when: datetime) -> None:
        await self.sleep(max(0.0, (when - self._now).total_seconds()))

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(max(0.0, seconds))
        await asyncio.sleep(0)


class Source:
    """An in-memory inbound topic: delivers, commits, rewinds, pauses and closes."""

    def __init__(
        self, messages: list[ConsumedMessage], partitions: frozenset[int] = frozenset({0})
    ):
        self.pending = list(messages)
        self.partitions = partitions
        self.committed: list[int] = []
        self.rewound: list[list[int]] = []
        self.log: list[str] = []
        self.drained = asyncio.Event()
        self.paused = asyncio.Event()
        self.resumed = asyncio.Event()

    @property
    def assigned_partitions(self) -> frozenset[int]:
        return self.partitions

    def set_revocation_handler(self, handler: Callable[[frozenset[int]], None]) -> None:
        self.log.append("handler")

    async def poll(self, max_messages: int, timeout_s: float) -> list[ConsumedMessage]:
        batch, self.pending = self.pending[:max_messages], self.pending[max_messages:]
        if not batch and not self.pending:
            self.drained.set()
        await asyncio.sleep(0.001)
        return batch

    async def commit(self, messages: Sequence[ConsumedMessage]) -> None:
        self.committed.extend(m.offset for m in messages)

    async def rewind(self, messages: Sequence[ConsumedMessage]) -> None:
        self.rewound.append([m.offset for m in messages])
        self.pending = [*messages, *self.pending]

    async def pause(self) -> None:
        self.log.append("pause")
        self.paused.set()

    async def resume(self) -> None:
        self.log.append("resume")
        self.resumed.set()

    async def close(self) -> None:
        self.log.append("close")


class DeadLetters:
    def __init__(self) -> None:
        self.sent: list[Rejected] = []

    async def send(self, rejected: Sequence[Rejected]) -> None:
        self.sent.extend(rejected)


class Publisher:
    def __init__(self) -> None:
        self.published: list[OutboxEntry] = []

    async def publish(self, records: Sequence[OutboxEntry]) -> None:
        self.published.extend(records)


def hire_message(
    n: int, *, key: bytes | str | None = "employment", offset: int | None = None, **changes: object
) -> ConsumedMessage:
    """A valid HIRE of employment ``E-n``; ``key="employment"`` keys it as the contract says."""
    raw = hire(f"E-{n}", ssin_for(n), date(2026, 12, 1), now=NOW)
    raw.update(changes)
    value = EVENTS.encode(EmploymentEvent.model_validate(raw).to_avro_record())
    record_key = f"E-{n}".encode() if key == "employment" else key
    assert not isinstance(record_key, str)
    return ConsumedMessage("in", 0, n if offset is None else offset, record_key, value)


class FinishingDriver:
    """Stands for the declaration driver: closes each event at once, or raises ``error``."""

    def __init__(self, store: Inbox, error: BaseException | None = None) -> None:
        self.store = store
        self.error = error
        self.processed: list[str] = []
        self.stop_requested: Callable[[str], bool] = lambda _employment: False

    def at_safe_point(self, employment_id: str) -> bool:
        return True

    def forget(self, employment_id: str) -> None:
        pass

    async def next_event(self, employment_id: str) -> InboxEntry | None:
        return await self.store.next_open_event(employment_id)

    async def process_event(self, entry: InboxEntry) -> None:
        self.processed.append(entry.event_id)
        if self.error is not None:
            raise self.error
        await self.store.finish_event(entry.event_id, EventOutcome.DONE, [], 0.0)
