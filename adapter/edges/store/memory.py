"""The store in memory: every role of the SQL store, for tests of the app ring.

A ``MemoryDatabase`` is what a database server holds; each ``MemoryStore`` over it is one
process's connection, with its own owner id and partition claims, so two stores over one
database behave as two replicas (fencing, ``ownership.py``). It passes the same contract suite
as SQLite and PostgreSQL (tests/contract): each method is all-or-nothing (it checks what it
was given before it changes anything), the first event of an employment decides its owning
partition, an event id seen again with other content is a conflict.

Records are kept as the immutable objects they were given; nothing is serialised.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from adapter.app.ports import (
    EventOutcome,
    InboxEntry,
    OutboundRecord,
    OutboxEntry,
    PlannedDeclaration,
    Recorded,
    StoredDeclaration,
    Transition,
)
from adapter.app.ports.records import FirstStep, OpenWork
from adapter.core.errors import OwnershipLost
from adapter.core.machine import DeclarationProgress, DeclarationState
from adapter.core.periods import KnownPeriod
from adapter.edges.store.memory_audit import InboxRow, MemoryAudit, MemoryDatabase, OutboxRow
from adapter.edges.store.sql import UnknownDeclarationError

if TYPE_CHECKING:
    from adapter.app.ports import Inbox, Ledger, Outbox, StoreView

__all__ = ["MemoryDatabase", "MemoryStore"]


def _checked(records: Iterable[OutboundRecord]) -> list[OutboundRecord]:
    """What the outbox table's constraints refuse, refused before anything is written."""
    records = list(records)
    for record in records:
        if not isinstance(record.value, bytes) or not isinstance(record.key, str):
            msg = f"an outbox record needs a text key and a bytes value: {record!r}"
            raise TypeError(msg)
    return records


class MemoryStore(MemoryAudit):
    """One process's view of a ``MemoryDatabase``: Inbox, Ledger, Outbox and StoreView."""

    def __init__(self, database: MemoryDatabase | None = None, *, owner: str | None = None):
        super().__init__(database)
        self.owner = owner or f"adapter-{uuid.uuid4().hex[:12]}"
        self._generations: dict[int, int] = {}

    # -- fencing ----------------------------------------------------------------------------
    async def claim_partitions(self, partitions: Sequence[int], now: float) -> None:
        db = self._open()
        for partition in sorted(set(partitions)):
            generation = db.owners.get(partition, ("", 0, now))[1] + 1
            db.owners[partition] = (self.owner, generation, now)
            self._generations[partition] = generation
        await self._turn()

    def forget_partitions(self, partitions: Sequence[int]) -> None:
        for partition in partitions:
            self._generations.pop(partition, None)

    def _check_owner(self, db: MemoryDatabase, employment_id: str) -> None:
        partition = db.owning_partition(employment_id)
        claim = None if partition is None else db.owners.get(partition)
        if partition is None or claim is None:
            return
        owner, generation, _claimed_at = claim
        if owner == self.owner and self._generations.get(partition) == generation:
            return
        msg = (
            f"employment {employment_id} belongs to partition {partition}, "
            f"claimed by {owner} (generation {generation})"
        )
        raise OwnershipLost(msg)

    # -- inbox ------------------------------------------------------------------------------
    async def record_events(
        self, entries: Sequence[InboxEntry], outbox: Mapping[str, Sequence[OutboundRecord]]
    ) -> list[Recorded]:
        db = self._open()
        fresh: dict[str, tuple[InboxEntry, list[OutboundRecord]]] = {}
        outcome: list[Recorded] = []
        for e in entries:
            known = db.events.get(e.event_id)
            seen = known.entry if known is not None else fresh.get(e.event_id, (None,))[0]
            if seen is None:
                fresh[e.event_id] = (e, _checked(outbox.get(e.event_id, ())))
                outcome.append(Recorded.NEW)
            else:
                outcome.append(Recorded.DUPLICATE if seen.event == e.event else Recorded.CONFLICT)
        for e, records in fresh.values():
            db.events[e.event_id] = InboxRow(e, len(db.events) + 1)
            db.events_of.setdefault(e.employment_id, []).append(e.event_id)
            self._insert_outbox(db, records, e.received_at)
        await self._turn()
        return outcome

    def _open_events(self, db: MemoryDatabase, employment_id: str) -> Iterable[InboxRow]:
        return (
            event
            for event in (db.events[i] for i in db.events_of.get(employment_id, ()))
            if event.outcome is None
        )

    async def next_open_event(self, employment_id: str) -> InboxEntry | None:
        db = self._open()
        first = next(iter(self._open_events(db, employment_id)), None)
        await self._turn()
        return None if first is None else first.entry

    async def open_work(self, employment_id: str) -> OpenWork | None:
        db = self._open()
        work = self._open_work(db, employment_id)
        await self._turn()
        return work

    def _open_work(self, db: MemoryDatabase, employment_id: str) -> OpenWork | None:
        first = next(iter(self._open_events(db, employment_id)), None)
        if first is None:
            return None
        plan = tuple(self._plan(db, first.entry.event_id))
        return OpenWork(first.entry, plan, db.periods.get(employment_id, ()))

    async def employments_with_open_events(self, partitions: Sequence[int] | None) -> list[str]:
        db = self._open()
        wanted = None if partitions is None else set(partitions)
        found: dict[str, None] = {}
        for event in db.events.values():  # by seq: the one waiting longest first
            employment = event.entry.employment_id
            if event.outcome is not None or employment in found:
                continue
            if wanted is None or db.owning_partition(employment) in wanted:
                found[employment] = None
        await self._turn()
        return list(found)

    async def finish_event(
        self,
        event_id: str,
        outcome: EventOutcome,
        outbox: Sequence[OutboundRecord],
        now: float,
    ) -> None:
        db = self._open()
        event = db.events.get(event_id)
        if event is not None:
            self._check_owner(db, event.entry.employment_id)
            if event.outcome is None:
                records = _checked(outbox)
                event.outcome, event.finished_at = outcome, now
                self._insert_outbox(db, records, now)
        await self._turn()

    # -- ledger -----------------------------------------------------------------------------
    async def known_periods(self, employment_id: str) -> tuple[KnownPeriod, ...]:
        db = self._open()
        await self._turn()
        return db.periods.get(employment_id, ())

    def _plan(self, db: MemoryDatabase, event_id: str) -> list[StoredDeclaration]:
        plan = db.plans.get(event_id, {})
        return [db.declarations[plan[position] - 1] for position in sorted(plan)]

    async def declarations_of_event(self, event_id: str) -> list[StoredDeclaration]:
        db = self._open()
        await self._turn()
        return self._plan(db, event_id)

    async def plan_declarations(
        self,
        event_id: str,
        employment_id: str,
        planned: Sequence[PlannedDeclaration],
        now: float,
        *,
        first: FirstStep | None = None,
    ) -> list[StoredDeclaration]:
        db = self._open()
        self._check_owner(db, employment_id)
        if not db.plans.get(event_id):
            records = _checked(first.outbox) if first is not None else []
            self._insert_planned(db, event_id, employment_id, planned, 0, now)
            plan = self._plan(db, event_id)
            if first is not None and plan:
                self._apply(db, plan[0], first.progress, first.next_action_at, first.periods, now)
                self._insert_outbox(db, records, now)
        await self._turn()
        return self._plan(db, event_id)

    async def append_declarations(
        self,
        event_id: str,
        employment_id: str,
        planned: Sequence[PlannedDeclaration],
        *,
        first_position: int,
        now: float,
    ) -> list[StoredDeclaration]:
        db = self._open()
        self._check_owner(db, employment_id)
        self._insert_planned(db, event_id, employment_id, planned, first_position, now)
        await self._turn()
        return self._plan(db, event_id)

    def _insert_planned(
        self,
        db: MemoryDatabase,
        event_id: str,
        employment_id: str,
        planned: Sequence[PlannedDeclaration],
        first_position: int,
        now: float,
    ) -> None:
        plan = db.plans.setdefault(event_id, {})
        for position, p in enumerate(planned, start=first_position):
            if position in plan:
                continue
            stored = StoredDeclaration(
                len(db.declarations) + 1,
                employment_id,
                event_id,
                position,
                p.declaration,
                p.body,
                DeclarationProgress(DeclarationState.PLANNED),
                now,
            )
            db.declarations.append(stored)
            plan[position] = stored.row_id
            db.log.append(_transition(stored.row_id, stored.progress, now, now))

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
        db = self._open()
        saved = self._save(db, declaration, progress, next_action_at, outbox, periods, now)
        await self._turn()
        return saved

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
        db = self._open()
        saved = self._save(db, declaration, progress, next_action_at, outbox, periods, now)
        event = db.events.get(declaration.event_id)
        if event is not None and event.outcome is None:
            event.outcome, event.finished_at = outcome, now
        work = self._open_work(db, declaration.employment_id)
        await self._turn()
        return saved, work

    def _save(
        self,
        db: MemoryDatabase,
        declaration: StoredDeclaration,
        progress: DeclarationProgress,
        next_action_at: float | None,
        outbox: Sequence[OutboundRecord],
        periods: tuple[KnownPeriod, ...] | None,
        now: float,
    ) -> StoredDeclaration:
        """Checks everything first, then writes: all or nothing."""
        self._check_owner(db, declaration.employment_id)
        if not 0 < declaration.row_id <= len(db.declarations):
            msg = f"no declaration with row id {declaration.row_id}"
            raise UnknownDeclarationError(msg)
        records = _checked(outbox)
        self._apply(db, declaration, progress, next_action_at, periods, now)
        self._insert_outbox(db, records, now)
        return replace(declaration, progress=progress, next_action_at=next_action_at)

    @staticmethod
    def _apply(
        db: MemoryDatabase,
        declaration: StoredDeclaration,
        progress: DeclarationProgress,
        next_action_at: float | None,
        periods: tuple[KnownPeriod, ...] | None,
        now: float,
    ) -> None:
        row_id = declaration.row_id
        row = db.declarations[row_id - 1]
        db.declarations[row_id - 1] = replace(row, progress=progress, next_action_at=next_action_at)
        db.log.append(_transition(row_id, progress, next_action_at, now))
        if periods is not None:
            db.periods[declaration.employment_id] = periods

    async def declaration_ids_of_employment(self, employment_id: str) -> frozenset[int]:
        db = self._open()
        await self._turn()
        return frozenset(
            d.progress.declaration_id
            for d in db.declarations
            if d.employment_id == employment_id and d.progress.declaration_id is not None
        )

    # -- outbox -----------------------------------------------------------------------------
    @staticmethod
    def _insert_outbox(db: MemoryDatabase, records: Sequence[OutboundRecord], now: float) -> None:
        for record in records:
            db.outbox.append(OutboxRow(len(db.outbox) + 1, record, now))

    async def pending_outbox(
        self, partitions: Sequence[int] | None, limit: int
    ) -> list[OutboxEntry]:
        db = self._open()
        pending = self._pending(db, partitions)[:limit]
        await self._turn()
        return [OutboxEntry(o.row_id, o.record.key, o.record.value) for o in pending]

    async def mark_published(self, row_ids: Sequence[int]) -> None:
        db = self._open()
        now = time.time()
        for row_id in row_ids:
            if 0 < row_id <= len(db.outbox) and db.outbox[row_id - 1].published_at is None:
                db.outbox[row_id - 1].published_at = now
        await self._turn()

    async def append_outbox(self, records: Sequence[OutboundRecord], now: float) -> None:
        db = self._open()
        self._insert_outbox(db, _checked(records), now)
        await self._turn()


def _transition(
    row_id: int, progress: DeclarationProgress, next_action_at: float | None, now: float
) -> Transition:
    return Transition(
        row_id,
        progress.state,
        progress.attempts,
        progress.declaration_id,
        progress.answer,
        progress.failure,
        next_action_at,
        now,
        progress.retries,
    )


if TYPE_CHECKING:

    def _plays_every_role(store: MemoryStore) -> tuple[Inbox, Ledger, Outbox, StoreView]:
        return store, store, store, store  # mypy checks each protocol is met
