"""The SQL store as the app's async ports: ``Inbox``, ``Ledger``, ``Outbox``, ``StoreView``.

Each method is one call of the synchronous ``SqlStore``, made through the engine's ``Calls``
(``calls.py``): inline for SQLite, on the store thread for PostgreSQL. Writes are grouped (one
transaction for the writes issued together, each in its savepoint, answered after the commit);
reads run outside write transactions. The relay's calls, the gauges and the readiness check go
ahead of the queue (``read_first`` / ``write_first``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from adapter.app.ports import (
    DeclarationWithEvent,
    EmploymentHistory,
    EventOutcome,
    InboxEntry,
    OutboundRecord,
    OutboxBacklog,
    OutboxEntry,
    PlannedDeclaration,
    Recorded,
    StoredDeclaration,
)
from adapter.app.ports.records import FirstStep, OpenWork
from adapter.core.machine import DeclarationProgress
from adapter.core.periods import KnownPeriod
from adapter.edges.store.calls import Calls, InlineCalls, ThreadCalls
from adapter.edges.store.engine import StoreCounts
from adapter.edges.store.sql import SqlStore


class AsyncSqlStore:
    """Every store role over one SQL engine; ``close()`` drains the calls, then the engine."""

    def __init__(self, store: SqlStore, calls: Calls) -> None:
        self._sql = store
        self._calls = calls

    @classmethod
    def inline(cls, store: SqlStore, *, window_s: float = 0.0) -> AsyncSqlStore:
        """Calls on the loop's thread (SQLite: a local file, microseconds per call); the
        writes of one loop turn (or of ``window_s``) committed together."""
        return cls(store, InlineCalls(store, window_s=window_s))

    @classmethod
    def threaded(cls, store: SqlStore, *, window_s: float = 0.0) -> AsyncSqlStore:
        """Calls on one dedicated thread (PostgreSQL: a network round trip per statement);
        the writes queued meanwhile (or within ``window_s``) committed together."""
        return cls(store, ThreadCalls(store, window_s=window_s))

    @property
    def on_its_own_thread(self) -> bool:
        """True when calls queue for one store thread (PostgreSQL): a caller that must not
        wait behind the actors' calls (the outbox relay) is better served by a store of its
        own (``bootstrap.relay_store``)."""
        return isinstance(self._calls, ThreadCalls)

    @property
    def counts(self) -> StoreCounts:
        """Calls served and transactions committed so far (the store's metrics)."""
        return self._sql.counts

    async def migrate(self) -> None:
        await self._calls.call(self._sql.migrate)

    def close(self) -> None:
        self._calls.close()
        self._sql.close()

    # -- Inbox ----------------------------------------------------------------------------
    async def record_events(
        self, entries: Sequence[InboxEntry], outbox: Mapping[str, Sequence[OutboundRecord]]
    ) -> list[Recorded]:
        return await self._calls.write(self._sql.record_events, entries, outbox)

    async def next_open_event(self, employment_id: str) -> InboxEntry | None:
        return await self._calls.read(self._sql.next_open_event, employment_id)

    async def open_work(self, employment_id: str) -> OpenWork | None:
        return await self._calls.read(self._sql.open_work, employment_id)

    async def employments_with_open_events(self, partitions: Sequence[int] | None) -> list[str]:
        return await self._calls.read(self._sql.employments_with_open_events, partitions)

    async def finish_event(
        self,
        event_id: str,
        outcome: EventOutcome,
        outbox: Sequence[OutboundRecord],
        now: float,
    ) -> None:
        await self._calls.write(self._sql.finish_event, event_id, outcome, outbox, now)

    async def claim_partitions(self, partitions: Sequence[int], now: float) -> None:
        await self._calls.write(self._sql.claim_partitions, partitions, now)

    def forget_partitions(self, partitions: Sequence[int]) -> None:
        self._sql.forget_partitions(partitions)  # in memory, at once: no database call

    # -- Ledger ---------------------------------------------------------------------------
    async def known_periods(self, employment_id: str) -> tuple[KnownPeriod, ...]:
        return await self._calls.read(self._sql.known_periods, employment_id)

    async def declarations_of_event(self, event_id: str) -> list[StoredDeclaration]:
        return await self._calls.read(self._sql.declarations_of_event, event_id)

    async def plan_declarations(
        self,
        event_id: str,
        employment_id: str,
        planned: Sequence[PlannedDeclaration],
        now: float,
        *,
        first: FirstStep | None = None,
    ) -> list[StoredDeclaration]:
        return await self._calls.write(
            self._sql.plan_declarations, event_id, employment_id, planned, now, first=first
        )

    async def append_declarations(
        self,
        event_id: str,
        employment_id: str,
        planned: Sequence[PlannedDeclaration],
        *,
        first_position: int,
        now: float,
    ) -> list[StoredDeclaration]:
        return await self._calls.write(
            self._sql.append_declarations,
            event_id,
            employment_id,
            planned,
            first_position=first_position,
            now=now,
        )

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
        return await self._calls.write(
            self._sql.save_progress,
            declaration,
            progress,
            next_action_at=next_action_at,
            outbox=outbox,
            periods=periods,
            now=now,
        )

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
        return await self._calls.write(
            self._sql.save_final_progress,
            declaration,
            progress,
            next_action_at=next_action_at,
            outbox=outbox,
            periods=periods,
            now=now,
            outcome=outcome,
        )

    async def declaration_ids_of_employment(self, employment_id: str) -> frozenset[int]:
        return await self._calls.read(self._sql.declaration_ids_of_employment, employment_id)

    # -- Outbox ---------------------------------------------------------------------------
    async def append_outbox(self, records: Sequence[OutboundRecord], now: float) -> None:
        await self._calls.write(self._sql.append_outbox, records, now)

    async def pending_outbox(
        self, partitions: Sequence[int] | None, limit: int
    ) -> list[OutboxEntry]:
        return await self._calls.read_first(self._sql.pending_outbox, partitions, limit)

    async def mark_published(self, row_ids: Sequence[int]) -> None:
        await self._calls.write_first(self._sql.mark_published, row_ids)

    async def outbox_backlog(self, partitions: Sequence[int] | None = None) -> OutboxBacklog:
        return await self._calls.read_first(self._sql.outbox_backlog, partitions)

    # -- StoreView ------------------------------------------------------------------------
    async def history(self, employment_id: str) -> EmploymentHistory:
        return await self._calls.read(self._sql.history, employment_id)

    async def declarations_by_worker(self, ssin: str) -> list[StoredDeclaration]:
        return await self._calls.read(self._sql.declarations_by_worker, ssin)

    async def employments_of_worker(self, ssin: str) -> list[str]:
        return await self._calls.read(self._sql.employments_of_worker, ssin)

    async def find_declarations(
        self, *, declaration_id: int | None = None, ssin: str | None = None
    ) -> list[DeclarationWithEvent]:
        return await self._calls.read(
            self._sql.find_declarations, declaration_id=declaration_id, ssin=ssin
        )

    async def pending_poll_count(self) -> int:
        return await self._calls.read_first(self._sql.pending_poll_count)

    async def awaiting_answer_since(self, partitions: Sequence[int]) -> list[float]:
        return await self._calls.read_first(self._sql.awaiting_answer_since, partitions)

    async def schema_version(self) -> int:
        return await self._calls.read_first(self._sql.schema_version)
