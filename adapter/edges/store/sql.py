"""The store's queries in portable SQL over a DB-API connection (sqlite3 or psycopg)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Final

from adapter.app.ports import (
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
from adapter.core.errors import BrokenInvariant
from adapter.core.machine import DeclarationProgress
from adapter.core.periods import KnownPeriod
from adapter.edges.store import rows
from adapter.edges.store.audit import marks
from adapter.edges.store.engine import Cursor
from adapter.edges.store.ledger import LedgerQueries
from adapter.edges.store.migrations import Dialect
from adapter.edges.store.ownership import OWNED_OPEN_EMPLOYMENTS, PartitionClaims

_ROWS_PER_STATEMENT: Final = 500
"""Row ids per ``UPDATE … IN (…)``: one statement per relay batch, well below SQLite's 32,766
and PostgreSQL's 65,535 parameters."""

_INBOX_COLUMNS: Final = (
    "event_id, employment_id, event_type, topic, kafka_partition, kafka_offset, event_json, "
    "received_at"
)


class UnknownDeclarationError(BrokenInvariant):
    """``save_progress`` was given a declaration the store does not hold (a bug upstream)."""


class SqlStore(LedgerQueries):
    """Inbox, ledger and outbox, synchronous (``roles.py`` serves them to the event loop).

    Every public write is all-or-nothing: one transaction of its own, or one savepoint of a
    group (``engine.run_group``); every read runs outside write transactions (``_read``).
    Writes that move an employment forward are fenced by ``claims`` (``ownership.py``).
    """

    def __init__(self, dialect: Dialect) -> None:
        super().__init__(dialect)
        self.claims = PartitionClaims(dialect)
        self._parsed = rows.ParsedEvents()

    # -- ownership --------------------------------------------------------------------------
    def claim_partitions(self, partitions: Sequence[int], now: float) -> None:
        """Kafka assigned these partitions to this process: fence out their previous owner."""
        if partitions:
            with self._tx() as cur:
                self.claims.claim(cur, self._run, partitions, now)

    def forget_partitions(self, partitions: Sequence[int]) -> None:
        self.claims.forget(partitions)

    # -- inbox ----------------------------------------------------------------------------
    def record_events(
        self, entries: Sequence[InboxEntry], outbox: Mapping[str, Sequence[OutboundRecord]]
    ) -> list[Recorded]:
        fresh: list[Recorded] = []
        with self._tx() as cur:
            for e in entries:
                text = rows.event_json(e.event)
                self._run(
                    cur,
                    f"INSERT INTO inbox ({_INBOX_COLUMNS}) "  # noqa: S608 - constant
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING "
                    "RETURNING seq",
                    (
                        e.event_id,
                        e.employment_id,
                        e.event.event_type.value,
                        e.topic,
                        e.partition,
                        e.offset,
                        text,
                        e.received_at,
                    ),
                )
                if cur.fetchone() is not None:
                    fresh.append(Recorded.NEW)
                    self._parsed.remember(text, e.event)
                    self._insert_outbox(cur, outbox.get(e.event_id, ()), e.received_at)
                    continue
                self._run(cur, "SELECT event_json FROM inbox WHERE event_id = ?", (e.event_id,))
                same = cur.fetchone()[0] == text
                fresh.append(Recorded.DUPLICATE if same else Recorded.CONFLICT)
        return fresh

    def employments_with_open_events(self, partitions: Sequence[int] | None) -> list[str]:
        """Employments with unfinished events, the one waiting longest first; with
        ``partitions``, only those owned by one of them (the partition of their first event)."""
        if partitions is not None and not partitions:
            return []
        with self._read() as cur:
            if partitions is None:
                self._run(
                    cur,
                    "SELECT employment_id FROM inbox WHERE outcome IS NULL "
                    "GROUP BY employment_id ORDER BY MIN(seq)",
                )
            else:
                query = OWNED_OPEN_EMPLOYMENTS.format(marks=marks(partitions))
                self._run(cur, query, list(partitions))
            return [row[0] for row in cur.fetchall()]

    def next_open_event(self, employment_id: str) -> InboxEntry | None:
        with self._read() as cur:
            return self._next_open_event(cur, employment_id)

    def _next_open_event(self, cur: Cursor, employment_id: str) -> InboxEntry | None:
        self._run(
            cur,
            f"SELECT {rows.INBOX_ENTRY_COLUMNS} FROM inbox "  # noqa: S608 - constant
            "WHERE employment_id = ? AND outcome IS NULL ORDER BY seq LIMIT 1",
            (employment_id,),
        )
        row = cur.fetchone()
        return None if row is None else rows.inbox_entry(row, self._parsed)

    def finish_event(
        self, event_id: str, outcome: EventOutcome, outbox: Sequence[OutboundRecord], now: float
    ) -> None:
        """Close an open event with its outcome; a second call changes nothing (first wins)."""
        with self._tx() as cur:
            self._run(cur, "SELECT employment_id FROM inbox WHERE event_id = ?", (event_id,))
            found = cur.fetchone()
            if found is not None:
                self.claims.check(cur, self._run, str(found[0]))
            self._finish(cur, event_id, outcome, outbox, now)

    def _finish(
        self,
        cur: Cursor,
        event_id: str,
        outcome: EventOutcome,
        outbox: Sequence[OutboundRecord],
        now: float,
    ) -> None:
        self._run(
            cur,
            "UPDATE inbox SET outcome = ?, finished_at = ? WHERE event_id = ? AND outcome IS NULL",
            (outcome.value, now, event_id),
        )
        if cur.rowcount > 0:
            self._insert_outbox(cur, outbox, now)

    # -- plans and progress -------------------------------------------------------------------
    def plan_declarations(
        self,
        event_id: str,
        employment_id: str,
        planned: Sequence[PlannedDeclaration],
        now: float,
        *,
        first: FirstStep | None = None,
    ) -> list[StoredDeclaration]:
        """Record the declarations of an event once: a second plan returns the first one.
        With ``first``, the first declaration's first step too (as ``save_progress``)."""
        with self._tx() as cur:
            self.claims.check(cur, self._run, employment_id)
            existing = self._declarations(cur, event_id)
            if existing:
                return existing
            plan, inserted = self._insert_planned(cur, event_id, employment_id, planned, [], 0, now)
            if first is not None and 0 in inserted:
                plan[0] = self._save_progress(
                    cur,
                    plan[0],
                    first.progress,
                    next_action_at=first.next_action_at,
                    outbox=first.outbox,
                    periods=first.periods,
                    now=now,
                )
            return plan

    def save_progress(
        self,
        declaration: StoredDeclaration,
        progress: DeclarationProgress,
        *,
        next_action_at: float | None,
        outbox: Sequence[OutboundRecord],
        periods: tuple[KnownPeriod, ...] | None,
        now: float,
    ) -> StoredDeclaration:
        """The new progress, the periods it implies and its status events: one transaction.

        Each save is also appended to ``declaration_log``, the audit trail of the transitions.
        """
        with self._tx() as cur:
            return self._save_progress(
                cur,
                declaration,
                progress,
                next_action_at=next_action_at,
                outbox=outbox,
                periods=periods,
                now=now,
            )

    def _save_progress(
        self,
        cur: Cursor,
        declaration: StoredDeclaration,
        progress: DeclarationProgress,
        *,
        next_action_at: float | None,
        outbox: Sequence[OutboundRecord],
        periods: tuple[KnownPeriod, ...] | None,
        now: float,
    ) -> StoredDeclaration:
        self.claims.check(cur, self._run, declaration.employment_id)
        self._run(
            cur,
            "UPDATE declarations SET state = ?, attempts = ?, declaration_id = ?, "
            "period_id = ?, result = ?, answer_json = ?, failure = ?, submitted_at = ?, "
            "retries = ?, reconcile_until = ?, next_action_at = ?, updated_at = ? "
            "WHERE row_id = ?",
            (
                *rows.progress_columns(progress),
                progress.retries,
                rows.epoch(progress.reconcile_until),
                next_action_at,
                now,
                declaration.row_id,
            ),
        )
        if cur.rowcount != 1:
            msg = f"no declaration with row id {declaration.row_id}"
            raise UnknownDeclarationError(msg)
        self._log(cur, declaration.row_id, progress, next_action_at, now)
        if periods is not None:
            self._save_periods(cur, declaration.employment_id, rows.periods_json(periods), now)
        self._insert_outbox(cur, outbox, now)
        return replace(declaration, progress=progress, next_action_at=next_action_at)

    def open_work(self, employment_id: str) -> OpenWork | None:
        """The oldest open event, its plan and the known periods: one read (three SELECTs;
        only this process's actor writes them while it owns the employment)."""
        with self._read() as cur:
            return self._open_work(cur, employment_id)

    def _open_work(self, cur: Cursor, employment_id: str) -> OpenWork | None:
        entry = self._next_open_event(cur, employment_id)
        if entry is None:
            return None
        declarations = tuple(self._declarations(cur, entry.event_id))
        return OpenWork(entry, declarations, rows.periods(self._periods(cur, employment_id)))

    def save_final_progress(
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
        """The last step of an event, the event closed, and the employment's next work."""
        with self._tx() as cur:
            saved = self._save_progress(
                cur,
                declaration,
                progress,
                next_action_at=next_action_at,
                outbox=outbox,
                periods=periods,
                now=now,
            )
            self._finish(cur, declaration.event_id, outcome, (), now)
            return saved, self._open_work(cur, declaration.employment_id)

    # -- outbox ---------------------------------------------------------------------------
    def append_outbox(self, records: Sequence[OutboundRecord], now: float) -> None:
        with self._tx() as cur:
            self._insert_outbox(cur, records, now)

    @staticmethod
    def _pending_where(partitions: Sequence[int] | None) -> tuple[str, list[Any]]:
        if partitions is None:
            return "published_at IS NULL", []
        return f"published_at IS NULL AND source_partition IN ({marks(partitions)})", [*partitions]

    def pending_outbox(self, partitions: Sequence[int] | None, limit: int) -> list[OutboxEntry]:
        if partitions is not None and not partitions:
            return []
        where, params = self._pending_where(partitions)
        with self._read() as cur:
            self._run(
                cur,
                f"SELECT row_id, record_key, record_value FROM outbox WHERE {where} "  # noqa: S608
                "ORDER BY row_id LIMIT ?",
                [*params, limit],
            )
            return [OutboxEntry(int(r[0]), r[1], bytes(r[2])) for r in cur.fetchall()]

    def outbox_backlog(self, partitions: Sequence[int] | None = None) -> OutboxBacklog:
        """How many records wait for the relay, and since when (the oldest ``created_at``)."""
        if partitions is not None and not partitions:
            return OutboxBacklog(0, None)
        where, params = self._pending_where(partitions)
        with self._read() as cur:
            self._run(
                cur,
                f"SELECT COUNT(*), MIN(created_at) FROM outbox WHERE {where}",  # noqa: S608
                params,
            )
            count, oldest = cur.fetchone()
        return OutboxBacklog(int(count), None if oldest is None else float(oldest))

    def mark_published(self, row_ids: Sequence[int]) -> None:
        """Stamp the rows as published; a row already stamped keeps its first stamp."""
        if not row_ids:
            return
        now = datetime.now(UTC).timestamp()
        with self._tx() as cur:
            for start in range(0, len(row_ids), _ROWS_PER_STATEMENT):
                chunk = list(row_ids[start : start + _ROWS_PER_STATEMENT])
                self._run(
                    cur,
                    f"UPDATE outbox SET published_at = ? WHERE row_id IN ({marks(chunk)}) "  # noqa: S608 - placeholders only
                    "AND published_at IS NULL",
                    (now, *chunk),
                )
