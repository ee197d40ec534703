"""The in-memory database and the read side of the in-memory store (``memory.py``).

The twin of ``audit.py``: what ``history``, ``consult`` and the gauges ask, answered from the
objects a ``MemoryDatabase`` holds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from adapter.app.ports import (
    DeclarationWithEvent,
    EmploymentHistory,
    EventOutcome,
    InboxEntry,
    OutboundRecord,
    OutboxBacklog,
    RecordedEvent,
    StatusRecord,
    StoredDeclaration,
    Transition,
)
from adapter.core.declarations import Declaration, InDeclaration
from adapter.core.machine import DeclarationState
from adapter.core.periods import KnownPeriod
from adapter.edges.store.calls import StoreClosed
from adapter.edges.store.migrations import LATEST

_AWAITING_ANSWER = frozenset({DeclarationState.SUBMITTED, DeclarationState.WAITING_IDENTIFICATION})


@dataclass(slots=True)
class InboxRow:
    entry: InboxEntry
    seq: int
    outcome: EventOutcome | None = None
    finished_at: float | None = None


@dataclass(slots=True)
class OutboxRow:
    row_id: int
    record: OutboundRecord
    created_at: float
    published_at: float | None = None


@dataclass(slots=True)
class MemoryDatabase:
    """The shared state: what one SQL database would hold."""

    events: dict[str, InboxRow] = field(default_factory=dict)
    """By event id, in the order recorded (the inbox's ``seq``)."""
    events_of: dict[str, list[str]] = field(default_factory=dict)
    """Event ids of each employment, oldest first."""
    declarations: list[StoredDeclaration] = field(default_factory=list)
    """Row ``n`` at index ``n - 1``."""
    plans: dict[str, dict[int, int]] = field(default_factory=dict)
    """Per event id: position -> row id."""
    log: list[Transition] = field(default_factory=list)
    periods: dict[str, tuple[KnownPeriod, ...]] = field(default_factory=dict)
    outbox: list[OutboxRow] = field(default_factory=list)
    owners: dict[int, tuple[str, int, float]] = field(default_factory=dict)
    """Per partition: the owner of the latest claim, its generation, when it was claimed."""

    def owning_partition(self, employment_id: str) -> int | None:
        first = self.events_of.get(employment_id)
        return None if not first else self.events[first[0]].entry.partition


def _worker_ssin(declaration: Declaration) -> str | None:
    ssin = declaration.worker.ssin if isinstance(declaration, InDeclaration) else declaration.ssin
    return ssin or None


class MemoryAudit:
    """The read side over one ``MemoryDatabase``; each call yields to the loop once."""

    def __init__(self, database: MemoryDatabase | None = None) -> None:
        self.database = database if database is not None else MemoryDatabase()
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

    @staticmethod
    def _pending(db: MemoryDatabase, partitions: Sequence[int] | None) -> list[OutboxRow]:
        wanted = None if partitions is None else set(partitions)
        return [
            o
            for o in db.outbox
            if o.published_at is None and (wanted is None or o.record.source_partition in wanted)
        ]

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
