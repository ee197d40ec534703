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
from adapter.core.errors import BrokenInvariant
from adapter.core.machine import DeclarationProgress, DeclarationState
from adapter.core.periods import KnownPeriod
from adapter.edges.store import rows
from adapter.edges.store.audit import AuditQueries, marks
from adapter.edges.store.engine import Cursor
from adapter.edges.store.migrations import Dialect
from adapter.edges.store.ownership import OWNED_OPEN_EMPLOYMENTS, PartitionClaims


class UnknownDeclarationError(BrokenInvariant):
    """``save_progress`` was given a declaration the store does not hold (a bug upstream)."""


_INBOX_COLUMNS: Final = (
    "event_id, employment_id, event_type, topic, kafka_partition, kafka_offset, event_json, "
    "received_at"
)


class SqlStore(AuditQueries):
    """Inbox, ledger and outbox, synchronous (``roles.py`` serves them to the event loop).

    Every public method is one transaction: it commits entirely or leaves nothing behind.
    Writes that move an employment forward are fenced by ``claims`` (``ownership.py``).
    """

    def __init__(self, dialect: Dialect) -> None:
        super().__init__(dialect)
        self.claims = PartitionClaims(dialect)

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
        with self._tx() as cur:
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
        with self._tx() as cur:
            self._run(
                cur,
                f"SELECT {rows.INBOX_ENTRY_COLUMNS} FROM inbox "  # noqa: S608 - constant
                "WHERE employment_id = ? AND outcome IS NULL ORDER BY seq LIMIT 1",
                (employment_id,),
            )
            row = cur.fetchone()
        return None if row is None else rows.inbox_entry(row)

    def finish_event(
        self, event_id: str, outcome: EventOutcome, outbox: Sequence[OutboundRecord], now: float
    ) -> None:
        """Close an open event with its outcome; a second call changes nothing (first wins)."""
        with self._tx() as cur:
            self._run(cur, "SELECT employment_id FROM inbox WHERE event_id = ?", (event_id,))
            found = cur.fetchone()
            if found is not None:
                self.claims.check(cur, self._run, str(found[0]))
            self._run(
                cur,
                "UPDATE inbox SET outcome = ?, finished_at = ? "
                "WHERE event_id = ? AND outcome IS NULL",
                (outcome.value, now, event_id),
            )
            if cur.rowcount > 0:
                self._insert_outbox(cur, outbox, now)

    # -- periods and declarations -----------------------------------------------------------
    def known_periods(self, employment_id: str) -> tuple[KnownPeriod, ...]:
        with self._tx() as cur:
            return rows.periods(self._periods(cur, employment_id))

    def plan_declarations(
        self, event_id: str, employment_id: str, planned: Sequence[PlannedDeclaration], now: float
    ) -> list[StoredDeclaration]:
        """Record the declarations of an event once: a second plan returns the first one."""
        with self._tx() as cur:
            self.claims.check(cur, self._run, employment_id)
            existing = self._declarations(cur, event_id)
            if existing:
                return existing
            return self._insert_planned(cur, event_id, employment_id, planned, [], 0, now)

    def append_declarations(
        self,
        event_id: str,
        employment_id: str,
        planned: Sequence[PlannedDeclaration],
        *,
        first_position: int,
        now: float,
    ) -> list[StoredDeclaration]:
        """Add declarations to an event's plan (a policy reacting to an answer); idempotent:
        positions already taken are left as they are."""
        with self._tx() as cur:
            self.claims.check(cur, self._run, employment_id)
            existing = self._declarations(cur, event_id)
            return self._insert_planned(
                cur, event_id, employment_id, planned, existing, first_position, now
            )

    def _insert_planned(
        self,
        cur: Cursor,
        event_id: str,
        employment_id: str,
        planned: Sequence[PlannedDeclaration],
        existing: Sequence[StoredDeclaration],
        first_position: int,
        now: float,
    ) -> list[StoredDeclaration]:
        """Insert the positions not taken yet; the new rows are built from what was given
        (nothing to parse back), the rows already there are kept as they are."""
        by_position = {d.position: d for d in existing}
        raced = False
        for position, p in enumerate(planned, start=first_position):
            if position in by_position:
                continue
            self._run(
                cur,
                "INSERT INTO declarations (employment_id, event_id, position, kind, "
                "declaration_json, body_json, worker_ssin, state, created_at, updated_at, "
                "next_action_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (event_id, position) DO NOTHING RETURNING row_id",
                (
                    employment_id,
                    event_id,
                    position,
                    p.declaration.kind.value,
                    rows.declaration_json(p.declaration),
                    rows.body_json(p.body),
                    rows.worker_ssin(p.declaration),
                    DeclarationState.PLANNED.value,
                    now,
                    now,
                    now,
                ),
            )
            inserted = cur.fetchone()
            if inserted is None:  # taken meanwhile by another writer: theirs stands
                raced = True
                continue
            stored = StoredDeclaration(
                int(inserted[0]),
                employment_id,
                event_id,
                position,
                p.declaration,
                p.body,
                DeclarationProgress(DeclarationState.PLANNED),
                now,
            )
            self._log(cur, stored.row_id, stored.progress, stored.next_action_at, now)
            by_position[position] = stored
        if raced:
            return self._declarations(cur, event_id)
        return [by_position[position] for position in sorted(by_position)]

    def declarations_of_event(self, event_id: str) -> list[StoredDeclaration]:
        with self._tx() as cur:
            return self._declarations(cur, event_id)

    def _declarations(self, cur: Cursor, event_id: str) -> list[StoredDeclaration]:
        self._run(
            cur,
            f"SELECT {rows.DECLARATION_COLUMNS} FROM declarations "  # noqa: S608 - constant
            "WHERE event_id = ? ORDER BY position",
            (event_id,),
        )
        return [rows.declaration(row) for row in cur.fetchall()]

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

    def declaration_ids_of_employment(self, employment_id: str) -> frozenset[int]:
        with self._tx() as cur:
            self._run(
                cur,
                "SELECT declaration_id FROM declarations "
                "WHERE employment_id = ? AND declaration_id IS NOT NULL",
                (employment_id,),
            )
            return frozenset(int(row[0]) for row in cur.fetchall())

    def _log(
        self,
        cur: Cursor,
        row_id: int,
        progress: DeclarationProgress,
        next_action_at: float | None,
        now: float,
    ) -> None:
        state, attempts, declaration_id, _period, result, answer, failure, _at = (
            rows.progress_columns(progress)
        )
        self._run(
            cur,
            "INSERT INTO declaration_log (declaration_row_id, state, attempts, declaration_id, "
            "result, answer_json, failure, next_action_at, recorded_at, retries) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row_id,
                state,
                attempts,
                declaration_id,
                result,
                answer,
                failure,
                next_action_at,
                now,
                progress.retries,
            ),
        )

    def _save_periods(self, cur: Cursor, employment_id: str, periods_json: str, now: float) -> None:
        self._run(
            cur,
            "INSERT INTO employments (employment_id, periods_json, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (employment_id) DO UPDATE SET periods_json = excluded.periods_json, "
            "updated_at = excluded.updated_at",
            (employment_id, periods_json, now),
        )

    # -- outbox ---------------------------------------------------------------------------
    def _insert_outbox(self, cur: Cursor, records: Sequence[OutboundRecord], now: float) -> None:
        for record in records:
            self._run(
                cur,
                "INSERT INTO outbox (source_partition, record_key, record_value, created_at) "
                "VALUES (?, ?, ?, ?)",
                (record.source_partition, record.key, record.value, now),
            )

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
        with self._tx() as cur:
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
        with self._tx() as cur:
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
            for row_id in row_ids:
                self._run(
                    cur,
                    "UPDATE outbox SET published_at = ? WHERE row_id = ? AND published_at IS NULL",
                    (now, row_id),
                )
