"""The store ports, one per role: inbox, ledger, outbox, and the read-side view.

They speak core objects (events, declarations, known periods, progress); JSON and SQL stay in
``adapter/edges/store``. The methods the pipeline awaits are coroutines: the edge decides how
its engine meets the event loop (SQLite inline, PostgreSQL on its own thread). One object may
play every role (the SQL store and the in-memory store do), so method names are unique across
the four protocols.

Writes that move an employment forward (plan, append, progress, finish) are *fenced*: they
raise ``OwnershipLost`` when this process does not hold the latest claim of the partition of
the employment's first event. A database that cannot be reached raises a ``TransientError``.

Every write is all-or-nothing and durable once its await returns (the SQL store commits writes
issued together in one transaction, docs/store.md "Group commit"); a read sees what was
acknowledged. The driver's round trips are few by design: one read for an event's work
(``open_work``), the plan with the first step (``plan_declarations(first=...)``), the last step
with the close of the event and the next event's work (``save_final_progress``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from adapter.app.ports.audit import DeclarationWithEvent, EmploymentHistory
from adapter.app.ports.records import (
    EventOutcome,
    FirstStep,
    InboxEntry,
    OpenWork,
    OutboundRecord,
    OutboxBacklog,
    OutboxEntry,
    PlannedDeclaration,
    Recorded,
    StoredDeclaration,
)
from adapter.core.machine import DeclarationProgress
from adapter.core.periods import KnownPeriod


class Inbox(Protocol):
    """Inbound events, recorded once by event id, worked in order per employment."""

    async def record_events(
        self, entries: Sequence[InboxEntry], outbox: Mapping[str, Sequence[OutboundRecord]]
    ) -> list[Recorded]:
        """Insert new events (idempotent by event id) and, for each new one, its outbox
        records (``outbox`` by event id); for each entry whether it was new, a duplicate or a
        conflict (same event id, other content). One transaction."""
        ...

    async def next_open_event(self, employment_id: str) -> InboxEntry | None:
        """The employment's oldest unfinished event."""
        ...

    async def open_work(self, employment_id: str) -> OpenWork | None:
        """The employment's oldest unfinished event with its plan and the employment's known
        periods (None: nothing open). One read."""
        ...

    async def employments_with_open_events(self, partitions: Sequence[int] | None) -> list[str]:
        """Employments with unfinished events, the one waiting longest first; with
        ``partitions``, only those owned by one of them (the partition of their first event)."""
        ...

    async def finish_event(
        self,
        event_id: str,
        outcome: EventOutcome,
        outbox: Sequence[OutboundRecord],
        now: float,
    ) -> None:
        """Close an open event with its outcome and status events; the first outcome wins."""
        ...

    async def claim_partitions(self, partitions: Sequence[int], now: float) -> None:
        """Kafka assigned these partitions to this process: from now on only this process may
        move their employments forward (a write by a previous owner raises OwnershipLost)."""
        ...

    def forget_partitions(self, partitions: Sequence[int]) -> None:
        """These partitions were taken away: refuse this process's own leftover writes.
        Synchronous and immediate (the consumer's revocation callback calls it)."""
        ...


class Ledger(Protocol):
    """The declarations of each event, their progress, the transition log, known periods."""

    async def known_periods(self, employment_id: str) -> tuple[KnownPeriod, ...]:
        """The Dimona periods of the employment as ONSS knows them (none yet: empty)."""
        ...

    async def declarations_of_event(self, event_id: str) -> list[StoredDeclaration]:
        """The event's plan, by position (empty before it is planned)."""
        ...

    async def plan_declarations(
        self,
        event_id: str,
        employment_id: str,
        planned: Sequence[PlannedDeclaration],
        now: float,
        *,
        first: FirstStep | None = None,
    ) -> list[StoredDeclaration]:
        """Record the declarations of an event once: a second plan returns the first one.

        With ``first``, the first declaration's first step is saved with the plan, in the
        same transaction, as ``save_progress`` would save it; a plan already there is returned
        as it is (``first`` is not applied: compare its progress)."""
        ...

    async def append_declarations(
        self,
        event_id: str,
        employment_id: str,
        planned: Sequence[PlannedDeclaration],
        *,
        first_position: int,
        now: float,
    ) -> list[StoredDeclaration]:
        """Extend an event's plan from ``first_position`` on (positions already taken are
        left as they are); returns the whole plan."""
        ...

    async def save_progress(
        self,
        declaration: StoredDeclaration,
        progress: DeclarationProgress,
        *,
        next_action_at: float | None,
        outbox: Sequence[OutboundRecord],
        periods: tuple[KnownPeriod, ...] | None,
        now: float,
    ) -> StoredDeclaration:
        """The new progress, the periods it implies (None: unchanged) and its status events,
        in one transaction; each save is appended to the transition log."""
        ...

    async def save_final_progress(
        self,
        declaration: StoredDeclaration,
        progress: DeclarationProgress,
        *,
        next_action_at: float | None,
        outbox: Sequence[OutboundRecord],
        periods: tuple[KnownPeriod, ...] | None,
        now: float,
        outcome: EventOutcome,
    ) -> tuple[StoredDeclaration, OpenWork | None]:
        """``save_progress`` of an event's last step, ``finish_event`` of its event (without
        status events) and ``open_work`` of its employment after both: one transaction."""
        ...

    async def declaration_ids_of_employment(self, employment_id: str) -> frozenset[int]:
        """The ONSS ids of every declaration of the employment that has one."""
        ...


class Outbox(Protocol):
    """Status events waiting for the relay, in the order they were recorded."""

    async def append_outbox(self, records: Sequence[OutboundRecord], now: float) -> None: ...

    async def pending_outbox(
        self, partitions: Sequence[int] | None, limit: int
    ) -> list[OutboxEntry]:
        """The oldest unpublished records (of these source partitions; all when None)."""
        ...

    async def mark_published(self, row_ids: Sequence[int]) -> None:
        """Stamp the rows as published; a row already stamped keeps its first stamp."""
        ...

    async def outbox_backlog(self, partitions: Sequence[int] | None = None) -> OutboxBacklog:
        """Unpublished outbox records (of these source partitions; all when None)."""
        ...


class StoreView(Protocol):
    """The read side: ``history``, ``consult``, the gauges and the readiness check."""

    async def history(self, employment_id: str) -> EmploymentHistory: ...

    async def declarations_by_worker(self, ssin: str) -> list[StoredDeclaration]:
        """Every declaration of every employment in which this worker was declared, oldest
        first."""
        ...

    async def employments_of_worker(self, ssin: str) -> list[str]:
        """Employments declared for this worker, then those whose events name the worker."""
        ...

    async def find_declarations(
        self, *, declaration_id: int | None = None, ssin: str | None = None
    ) -> list[DeclarationWithEvent]:
        """Declarations with their event, oldest first: the one with this ONSS id, else those
        whose event names this worker, else all."""
        ...

    async def pending_poll_count(self) -> int:
        """Declarations submitted and still waiting for ONSS's final answer (SUBMITTED or
        WAITING_IDENTIFICATION): the size of the durable poll schedule."""
        ...

    async def awaiting_answer_since(self, partitions: Sequence[int]) -> list[float]:
        """When each declaration still waiting for its answer was submitted (epoch seconds),
        for the declarations of events read from these partitions."""
        ...

    async def outbox_backlog(self, partitions: Sequence[int] | None = None) -> OutboxBacklog:
        """Unpublished outbox records (of these source partitions; all when None)."""
        ...

    async def schema_version(self) -> int:
        """The highest migration applied (0 before the schema exists): a trivial read."""
        ...
