"""The store port: the durable inbox, declaration ledger and outbox."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from adapter.app.ports.records import (
    InboxEntry,
    OutboundRecord,
    OutboxBacklog,
    OutboxEntry,
    PlannedDeclaration,
    Recorded,
    StoredDeclaration,
)
from adapter.core.machine import DeclarationProgress


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
