"""The topic ports: inbound events, status events, dead letters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from adapter.app.ports.records import ConsumedMessage, OutboxEntry, Rejected


class StatusPublisher(Protocol):
    """Sends outbox records to the status topic; returns once the broker acknowledged them."""

    async def publish(self, records: Sequence[OutboxEntry]) -> None: ...


class EventSource(Protocol):
    """The inbound topic (implemented by the Kafka consumer edge)."""

    @property
    def assigned_partitions(self) -> frozenset[int]: ...

    async def poll(self, max_messages: int, timeout_s: float) -> list[ConsumedMessage]: ...

    async def commit(self, messages: Sequence[ConsumedMessage]) -> None:
        """Commit, per partition, the offset after the last of these messages."""
        ...

    def set_revocation_handler(self, handler: Callable[[frozenset[int]], None]) -> None:
        """Called (on the source's own thread) with partitions taken away by a rebalance;
        the rebalance waits until it returns."""
        ...

    async def rewind(self, messages: Sequence[ConsumedMessage]) -> None:
        """Deliver these (uncommitted) messages again from the next ``poll`` on."""
        ...

    async def pause(self) -> None: ...

    async def resume(self) -> None: ...

    async def close(self) -> None: ...


class DeadLetterSink(Protocol):
    async def send(self, rejected: Sequence[Rejected]) -> None:
        """Returns once the broker has acknowledged every dead letter."""
        ...
