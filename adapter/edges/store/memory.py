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

import asyncio
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

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
    RecordedEvent,
    StatusRecord,
    StoredDeclaration,
    Transition,
)
from adapter.core.declarations import Declaration, InDeclaration
from adapter.core.errors import OwnershipLost
from adapter.core.machine import DeclarationProgress, DeclarationState
from adapter.core.periods import KnownPeriod
from adapter.edges.store.calls import StoreClosed
from adapter.edges.store.migrations import LATEST
from adapter.edges.store.sql import UnknownDeclarationError

_AWAITING_ANSWER = frozenset({DeclarationState.SUBMITTED, DeclarationState.WAITING_IDENTIFICATION})


@dataclass(slots=True)
class _Event:
    entry: InboxEntry
    seq: int
    outcome: EventOutcome | None = None
    finished_at: float | None = None


@dataclass(slots=True)
class _Outgoing:
    row_id: int
    record: OutboundRecord
    created_at: float
    published_at: float | None = None


@dataclass(slots=True)
class MemoryDatabase:
    """The shared state: what one SQL database would hold."""

    events: dict[str, _Event] = field(default_factory=dict)
    """By event id, in the order recorded (the inbox's ``seq``)."""
    events_of: dict[str, list[str]] = field(default_factory=dict)
    """Event ids of each employment, oldest first."""
    declarations: list[StoredDeclaration] = field(default_factory=list)
    """Row ``n`` at index ``n - 1``."""
    plans: dict[str, dict[int, int]] = field(default_factory=dict)
    """Per event id: position -> row id."""
    log: list[Transition] = field(default_factory=list)
    periods: dict[str, tuple[KnownPeriod, ...]] = field(default_factory=dict)
    outbox: list[_Outgoing] = field(default_factory=list)
    owners: dict[int, tuple[str, int, float]] = field(default_factory=dict)
    """Per partition: the owner of the latest claim, its generation, when it was claimed."""

    def owning_partition(self, employment_id: str) -> int | None:
        first = self.events_of.get(employment_id)
        return None if not first else self.events[first[0]].entry.partition


def _worker_ssin(declaration: Declaration) -> str | None:
    ssin = declaration.worker.ssin if isinstance(declaration, InDeclaration) else declaration.ssin
    return ssin or None


def _checked(records: Iterable[OutboundRecord]) -> list[OutboundRecord]:
    """What the outbox table's constraints refuse, refused before anything is written."""
    records = list(records)
    for record in records:
        if not isinstance(record.value, bytes) or not isinstance(record.key, str):
            msg = f"an outbox record needs a text key and a bytes value: {record!r}"
            raise TypeError(msg)
    return records


class MemoryStore:
    """One process's view of a ``MemoryDatabase``: Inbox, Ledger, Outbox and StoreView."""

    def __init__(self, database: MemoryDatabase | None = None, *, owner: str | None = None):
        self.database = database if database is not None else MemoryDatabase()
        self.owner = owner or f"adapter-{uuid.uuid4().hex[:12]}"
        self._generations: dict[int, int] = {}
        self._closed = False

    def close(self) -> None:
        self._closed = True

    async def _turn(self) -> None:
        """As the inline SQLite store: each call is a point where other tasks may run."""
        await asyncio.sleep(0)

    def _open(self) -> MemoryDatabase:
        if self._closed:
            msg = "the store is closed"
            raise StoreClosed(msg)
        return self.database

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
            db.events[e.event_id] = _Event(e, len(db.events) + 1)
            db.events_of.setdefault(e.employment_id, []).append(e.event_id)
            self._insert_outbox(db, records, e.received_at)
        await self._turn()
        return outcome

    def _open_events(self, db: MemoryDatabase, employment_id: str) -> Iterable[_Event]:
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
    ) -> list[StoredDeclaration]:
        db = self._open()
        self._check_owner(db, employment_id)
        if not db.plans.get(event_id):
            self._insert_planned(db, event_id, employment_id, planned, 0, now)
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
        self._check_owner(db, declaration.employment_id)
        row_id = declaration.row_id
        if not 0 < row_id <= len(db.declarations):
            msg = f"no declaration with row id {row_id}"
            raise UnknownDeclarationError(msg)
        records = _checked(outbox)
        row = db.declarations[row_id - 1]
        db.declarations[row_id - 1] = replace(row, progress=progress, next_action_at=next_action_at)
        db.log.append(_transition(row_id, progress, next_action_at, now))
        if periods is not None:
            db.periods[declaration.employment_id] = periods
        self._insert_outbox(db, records, now)
        await self._turn()
        return replace(declaration, progress=progress, next_action_at=next_action_at)

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
            db.outbox.append(_Outgoing(len(db.outbox) + 1, record, now))

    async def append_outbox(self, records: Sequence[OutboundRecord], now: float) -> None:
        db = self._open()
        self._insert_outbox(db, _checked(records), now)
        await self._turn()

    @staticmethod
    def _pending(db: MemoryDatabase, partitions: Sequence[int] | None) -> list[_Outgoing]:
        wanted = None if partitions is None else set(partitions)
        return [
            o
            for o in db.outbox
            if o.published_at is None and (wanted is None or o.record.source_partition in wanted)
        ]

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

    async def outbox_backlog(self, partitions: Sequence[int] | None = None) -> OutboxBacklog:
        db = self._open()
        pending = self._pending(db, partitions)
        await self._turn()
        oldest = min((o.created_at for o in pending), default=None)
        return OutboxBacklog(len(pending), oldest)

    # -- view -------------------------------------------------------------------------------
    def _of_employments(
        self, db: MemoryDatabase, employments: Iterable[str]
    ) -> list[StoredDeclaration]:
        wanted = set(employments)
        return [d for d in db.declarations if d.employment_id in wanted]

    async def history(self, employment_id: str) -> EmploymentHistory:
        db = self._open()
        events = tuple(
            RecordedEvent(
                e.entry.event_id,
                e.entry.event.event_type.value,
                e.entry.topic,
                e.entry.partition,
                e.entry.offset,
                e.entry.received_at,
                e.outcome,
                e.finished_at,
            )
            for e in (db.events[i] for i in db.events_of.get(employment_id, ()))
        )
        declarations = self._of_employments(db, [employment_id])
        rows = {d.row_id for d in declarations}
        statuses = tuple(
            StatusRecord(o.row_id, o.record.key, o.record.value, o.created_at, o.published_at)
            for o in db.outbox
            if o.record.key == employment_id
        )
        await self._turn()
        return EmploymentHistory(
            employment_id,
            events,
            tuple(declarations),
            tuple(t for t in db.log if t.declaration_row_id in rows),
            db.periods.get(employment_id, ()),
            statuses,
        )

    def _declared_employments(self, db: MemoryDatabase, ssin: str) -> list[str]:
        return [d.employment_id for d in db.declarations if _worker_ssin(d.declaration) == ssin]

    async def declarations_by_worker(self, ssin: str) -> list[StoredDeclaration]:
        db = self._open()
        await self._turn()
        return self._of_employments(db, self._declared_employments(db, ssin))

    async def employments_of_worker(self, ssin: str) -> list[str]:
        db = self._open()
        declared = [
            d.employment_id for d in self._of_employments(db, self._declared_employments(db, ssin))
        ]
        named = [e.entry.employment_id for e in db.events.values() if _names(e.entry, ssin)]
        await self._turn()
        return list(dict.fromkeys([*declared, *named]))

    async def find_declarations(
        self, *, declaration_id: int | None = None, ssin: str | None = None
    ) -> list[DeclarationWithEvent]:
        db = self._open()
        found = []
        for d in db.declarations:
            event = db.events.get(d.event_id)
            if event is None:
                continue
            if declaration_id is not None:
                if d.progress.declaration_id != declaration_id:
                    continue
            elif ssin and not _names(event.entry, ssin):
                continue
            found.append(DeclarationWithEvent(d, event.entry.event))
        await self._turn()
        return found

    async def pending_poll_count(self) -> int:
        db = self._open()
        await self._turn()
        return sum(1 for d in db.declarations if d.progress.state in _AWAITING_ANSWER)

    async def awaiting_answer_since(self, partitions: Sequence[int]) -> list[float]:
        db = self._open()
        wanted = set(partitions)
        since = []
        for d in db.declarations:
            event = db.events.get(d.event_id)
            submitted = d.progress.submitted_at
            if (
                d.progress.state in _AWAITING_ANSWER
                and submitted is not None
                and event is not None
                and event.entry.partition in wanted
            ):
                since.append(submitted.timestamp())
        await self._turn()
        return since

    async def schema_version(self) -> int:
        self._open()
        await self._turn()
        return LATEST


def _names(entry: InboxEntry, ssin: str) -> bool:
    """The event names this worker (as the SQL store's search of the event JSON)."""
    return entry.event.worker.ssin == ssin


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
    )
