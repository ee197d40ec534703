"""The store in portable SQL over a DB-API connection (sqlite3 or psycopg)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol

from adapter.app.ports import (
    InboxEntry,
    OutboundRecord,
    OutboxEntry,
    PlannedDeclaration,
    StoredDeclaration,
)
from adapter.core.machine import DeclarationProgress, DeclarationState
from adapter.core.results import DeclarationAnswer
from adapter.edges.store.migrations import MIGRATIONS, Dialect, render


class Cursor(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


_DECLARATION_COLUMNS = (
    "row_id, employment_id, event_id, position, kind, declaration_json, body_json, state, "
    "attempts, declaration_id, answer_json, failure, submitted_at, next_action_at"
)


def _epoch(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def _moment(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


class SqlStore:
    """Inbox, ledger and outbox. Thread-safe: one connection behind a lock."""

    dialect: Dialect

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._lock = threading.RLock()

    # -- engine specifics, provided by subclasses ----------------------------------------
    def _transaction(self) -> AbstractContextManager[Cursor]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def _sql(self, statement: str) -> str:
        return statement if self.dialect == "sqlite" else statement.replace("?", "%s")

    @contextmanager
    def _tx(self) -> Iterator[Cursor]:
        with self._lock, self._transaction() as cursor:
            yield cursor

    def _run(self, cur: Cursor, statement: str, params: Sequence[Any] = ()) -> Any:
        return cur.execute(self._sql(statement), tuple(params))

    # -- schema ---------------------------------------------------------------------------
    def migrate(self) -> None:
        with self._tx() as cur:
            self._run(
                cur,
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
            )
            self._run(cur, "SELECT version FROM schema_migrations")
            applied = {row[0] for row in cur.fetchall()}
            for version, sql in MIGRATIONS:
                if version in applied:
                    continue
                for statement in render(sql, self.dialect):
                    cur.execute(statement)
                self._run(
                    cur,
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                    (version, datetime.now(UTC).isoformat()),
                )

    def schema_version(self) -> int:
        with self._tx() as cur:
            self._run(cur, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            return int(cur.fetchone()[0])

    # -- inbox ----------------------------------------------------------------------------
    def record_events(
        self, entries: Sequence[InboxEntry], outbox: Mapping[str, Sequence[OutboundRecord]]
    ) -> list[bool]:
        fresh: list[bool] = []
        with self._tx() as cur:
            for e in entries:
                self._run(
                    cur,
                    "INSERT INTO inbox (event_id, employment_id, event_type, topic, "
                    "kafka_partition, kafka_offset, event_json, received_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING "
                    "RETURNING seq",
                    (
                        e.event_id,
                        e.employment_id,
                        e.event_type,
                        e.topic,
                        e.partition,
                        e.offset,
                        e.event_json,
                        e.received_at,
                    ),
                )
                is_new = cur.fetchone() is not None
                fresh.append(is_new)
                if is_new:
                    self._insert_outbox(cur, outbox.get(e.event_id, ()), e.received_at)
        return fresh

    def employments_with_open_events(self, partitions: Sequence[int] | None) -> list[str]:
        with self._tx() as cur:
            if partitions is None:
                self._run(cur, "SELECT DISTINCT employment_id FROM inbox WHERE outcome IS NULL")
            elif not partitions:
                return []
            else:
                marks = ", ".join("?" for _ in partitions)
                query = "SELECT DISTINCT employment_id FROM inbox WHERE outcome IS NULL AND "
                query += f"kafka_partition IN ({marks})"  # only placeholders are interpolated
                self._run(cur, query, partitions)
            return [row[0] for row in cur.fetchall()]

    def next_open_event(self, employment_id: str) -> InboxEntry | None:
        with self._tx() as cur:
            self._run(
                cur,
                "SELECT event_id, employment_id, event_type, topic, kafka_partition, "
                "kafka_offset, event_json, received_at FROM inbox "
                "WHERE employment_id = ? AND outcome IS NULL ORDER BY seq LIMIT 1",
                (employment_id,),
            )
            row = cur.fetchone()
        return None if row is None else InboxEntry(*row)

    def finish_event(
        self, event_id: str, outcome: str, outbox: Sequence[OutboundRecord], now: float
    ) -> None:
        with self._tx() as cur:
            self._run(
                cur,
                "UPDATE inbox SET outcome = ?, finished_at = ? WHERE event_id = ?",
                (outcome, now, event_id),
            )
            self._insert_outbox(cur, outbox, now)

    # -- periods and declarations -----------------------------------------------------------
    def periods_json(self, employment_id: str) -> str | None:
        with self._tx() as cur:
            self._run(
                cur,
                "SELECT periods_json FROM employments WHERE employment_id = ?",
                (employment_id,),
            )
            row = cur.fetchone()
        return None if row is None else str(row[0])

    def plan_declarations(
        self, event_id: str, employment_id: str, planned: Sequence[PlannedDeclaration], now: float
    ) -> list[StoredDeclaration]:
        with self._tx() as cur:
            for position, p in enumerate(planned):
                self._run(
                    cur,
                    "INSERT INTO declarations (employment_id, event_id, position, kind, "
                    "declaration_json, body_json, state, created_at, updated_at, next_action_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (event_id, position) DO NOTHING",
                    (
                        employment_id,
                        event_id,
                        position,
                        p.kind,
                        p.declaration_json,
                        p.body_json,
                        DeclarationState.PLANNED.value,
                        now,
                        now,
                        now,
                    ),
                )
            return self._declarations(cur, event_id)

    def declarations_of_event(self, event_id: str) -> list[StoredDeclaration]:
        with self._tx() as cur:
            return self._declarations(cur, event_id)

    def _declarations(self, cur: Cursor, event_id: str) -> list[StoredDeclaration]:
        self._run(
            cur,
            f"SELECT {_DECLARATION_COLUMNS} FROM declarations "  # noqa: S608 - constant
            "WHERE event_id = ? ORDER BY position",
            (event_id,),
        )
        return [self._declaration(row) for row in cur.fetchall()]

    @staticmethod
    def _declaration(row: Sequence[Any]) -> StoredDeclaration:
        (row_id, employment_id, event_id, position, kind, decl_json, body_json, state) = row[:8]
        attempts, declaration_id, answer_json, failure, submitted_at, next_action_at = row[8:]
        answer = None if answer_json is None else DeclarationAnswer.model_validate_json(answer_json)
        progress = DeclarationProgress(
            state=DeclarationState(state),
            attempts=int(attempts),
            declaration_id=None if declaration_id is None else int(declaration_id),
            submitted_at=_moment(submitted_at),
            answer=answer,
            failure=failure,
        )
        return StoredDeclaration(
            int(row_id),
            employment_id,
            event_id,
            int(position),
            kind,
            decl_json,
            body_json,
            progress,
            next_action_at,
        )

    def save_progress(
        self,
        declaration: StoredDeclaration,
        progress: DeclarationProgress,
        *,
        next_action_at: float | None,
        outbox: Sequence[OutboundRecord],
        periods_json: str | None,
        now: float,
    ) -> StoredDeclaration:
        answer = progress.answer
        with self._tx() as cur:
            self._run(
                cur,
                "UPDATE declarations SET state = ?, attempts = ?, declaration_id = ?, "
                "period_id = ?, result = ?, answer_json = ?, failure = ?, submitted_at = ?, "
                "next_action_at = ?, updated_at = ? WHERE row_id = ?",
                (
                    progress.state.value,
                    progress.attempts,
                    progress.declaration_id,
                    None if answer is None else answer.period_id,
                    None if answer is None else answer.result.value,
                    None if answer is None else answer.model_dump_json(),
                    progress.failure,
                    _epoch(progress.submitted_at),
                    next_action_at,
                    now,
                    declaration.row_id,
                ),
            )
            if periods_json is not None:
                self._save_periods(cur, declaration.employment_id, periods_json, now)
            self._insert_outbox(cur, outbox, now)
        return StoredDeclaration(
            declaration.row_id,
            declaration.employment_id,
            declaration.event_id,
            declaration.position,
            declaration.kind,
            declaration.declaration_json,
            declaration.body_json,
            progress,
            next_action_at,
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

    def pending_outbox(self, partitions: Sequence[int] | None, limit: int) -> list[OutboxEntry]:
        with self._tx() as cur:
            where = "published_at IS NULL"
            params: list[Any] = []
            if partitions is not None:
                if not partitions:
                    return []
                where += f" AND source_partition IN ({', '.join('?' for _ in partitions)})"
                params.extend(partitions)
            self._run(
                cur,
                f"SELECT row_id, record_key, record_value FROM outbox WHERE {where} "  # noqa: S608
                "ORDER BY row_id LIMIT ?",
                [*params, limit],
            )
            return [OutboxEntry(int(r[0]), r[1], bytes(r[2])) for r in cur.fetchall()]

    def mark_published(self, row_ids: Sequence[int]) -> None:
        if not row_ids:
            return
        now = datetime.now(UTC).timestamp()
        with self._tx() as cur:
            for row_id in row_ids:
                self._run(cur, "UPDATE outbox SET published_at = ? WHERE row_id = ?", (now, row_id))

    # -- audit ----------------------------------------------------------------------------
    def history(self, employment_id: str) -> dict[str, Any]:
        """Everything known about one employment: events, declarations, periods."""
        with self._tx() as cur:
            self._run(
                cur,
                "SELECT event_id, event_type, topic, kafka_partition, kafka_offset, "
                "received_at, outcome, finished_at FROM inbox WHERE employment_id = ? "
                "ORDER BY seq",
                (employment_id,),
            )
            names = (
                *("eventId", "eventType", "topic", "partition", "offset"),
                *("receivedAt", "outcome", "finishedAt"),
            )
            events = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
            self._run(
                cur,
                f"SELECT {_DECLARATION_COLUMNS} FROM declarations "  # noqa: S608 - constant
                "WHERE employment_id = ? ORDER BY row_id",
                (employment_id,),
            )
            declarations = [self._declaration(row) for row in cur.fetchall()]
        periods = self.periods_json(employment_id)
        return {
            "events": events,
            "declarations": declarations,
            "periods": json.loads(periods) if periods else [],
        }
