"""The ports the orchestration needs, and the records that cross them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from adapter.core.machine import DeclarationProgress
from adapter.core.results import DeclarationAnswer

if TYPE_CHECKING:
    from adapter.app.intake import ConsumedMessage, Rejected


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """One accepted inbound event, recorded once by its event id."""

    event_id: str
    employment_id: str
    event_type: str
    topic: str
    partition: int
    offset: int
    event_json: str
    received_at: float


@dataclass(frozen=True, slots=True)
class StoredDeclaration:
    """One planned or sent declaration, with its progress: the audit trail of the store."""

    row_id: int
    employment_id: str
    event_id: str
    position: int
    kind: str
    declaration_json: str
    body_json: str
    progress: DeclarationProgress
    next_action_at: float | None


@dataclass(frozen=True, slots=True)
class OutboundRecord:
    """A record waiting in the outbox for the status topic.

    ``source_partition`` is the inbound partition the record stems from: the process that
    owns that partition relays it, so two replicas never publish the same row.
    """

    source_partition: int
    key: str
    value: bytes


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    row_id: int
    key: str
    value: bytes


@dataclass(frozen=True, slots=True)
class OutboxBacklog:
    """Records waiting for the relay: how many, and the ``created_at`` of the oldest."""

    pending: int
    oldest_created_at: float | None


@dataclass(frozen=True, slots=True)
class PlannedDeclaration:
    kind: str
    declaration_json: str
    body_json: str


class Recorded(StrEnum):
    """What ``record_events`` did with one inbound event."""

    NEW = "new"
    DUPLICATE = "duplicate"
    """The same event id with the same content: a redelivery, dropped silently."""
    CONFLICT = "conflict"
    """The same event id with different content: the source must hear of it."""


class Store(Protocol):
    """The durable inbox, declaration ledger and outbox (synchronous; see AsyncStore)."""

    def migrate(self) -> None: ...

    def record_events(
        self, entries: Sequence[InboxEntry], outbox: Mapping[str, Sequence[OutboundRecord]]
    ) -> list[Recorded]:
        """Insert new events (idempotent by event id) and, for each new one, its outbox
        records; returns for each entry whether it was new, a duplicate or a conflict (same
        event id, other content). One transaction."""
        ...

    def claim_partitions(self, partitions: Sequence[int], now: float) -> None:
        """Kafka assigned these partitions to this process: from now on only this process may
        move their employments forward (a write by a previous owner raises OwnershipLost)."""
        ...

    def forget_partitions(self, partitions: Sequence[int]) -> None:
        """These partitions were taken away: refuse this process's own leftover writes."""
        ...

    def employments_with_open_events(self, partitions: Sequence[int] | None) -> list[str]: ...

    def next_open_event(self, employment_id: str) -> InboxEntry | None: ...

    def periods_json(self, employment_id: str) -> str | None: ...

    def plan_declarations(
        self, event_id: str, employment_id: str, planned: Sequence[PlannedDeclaration], now: float
    ) -> list[StoredDeclaration]: ...

    def append_declarations(
        self,
        event_id: str,
        employment_id: str,
        planned: Sequence[PlannedDeclaration],
        *,
        first_position: int,
        now: float,
    ) -> list[StoredDeclaration]:
        """Extend an event's plan from ``first_position`` on; idempotent per position."""
        ...

    def declarations_of_event(self, event_id: str) -> list[StoredDeclaration]: ...

    def save_progress(
        self,
        declaration: StoredDeclaration,
        progress: DeclarationProgress,
        *,
        next_action_at: float | None,
        outbox: Sequence[OutboundRecord],
        periods_json: str | None,
        now: float,
    ) -> StoredDeclaration: ...

    def finish_event(
        self, event_id: str, outcome: str, outbox: Sequence[OutboundRecord], now: float
    ) -> None: ...

    def pending_outbox(self, partitions: Sequence[int] | None, limit: int) -> list[OutboxEntry]: ...

    def mark_published(self, row_ids: Sequence[int]) -> None: ...

    def history(self, employment_id: str) -> dict[str, Any]:
        """Everything known about one employment: ``events`` (dicts), ``declarations``
        (StoredDeclaration), ``transitions`` (each saved progress, oldest first) and
        ``periods`` (decoded JSON)."""
        ...

    def append_outbox(self, records: Sequence[OutboundRecord], now: float) -> None: ...

    def schema_version(self) -> int:
        """The highest migration applied (0 before ``migrate``)."""
        ...

    def pending_poll_count(self) -> int:
        """Declarations submitted and still waiting for ONSS's final answer (SUBMITTED or
        WAITING_IDENTIFICATION): the size of the durable poll schedule."""
        ...

    def outbox_backlog(self, partitions: Sequence[int] | None = None) -> OutboxBacklog:
        """Unpublished outbox records (of these source partitions; all when None)."""
        ...

    def declarations_by_worker(self, ssin: str) -> list[StoredDeclaration]:
        """Every declaration of every employment in which this worker was declared, oldest
        first (for the history and consult commands)."""
        ...

    def close(self) -> None: ...


class DimonaGateway(Protocol):
    """What the pipeline needs from ONSS, whatever the channel."""

    async def submit(self, body: Mapping[str, Any]) -> int: ...

    async def get_answer(self, declaration_id: int) -> DeclarationAnswer | None: ...

    def search_declarations(self, criteria: Mapping[str, Any]) -> AsyncIterator[dict[str, Any]]: ...


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
