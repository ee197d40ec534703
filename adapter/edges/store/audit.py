"""The read side of the store: what ``history``, ``consult`` and the gauges ask."""

from __future__ import annotations

import json
from typing import Any

from adapter.app.ports import StoredDeclaration
from adapter.edges.store import rows
from adapter.edges.store.engine import Cursor, SqlEngine


class AuditQueries(SqlEngine):
    """Queries that read the audit trail; each is one (read) transaction."""

    def _periods(self, cur: Cursor, employment_id: str) -> str | None:
        self._run(
            cur, "SELECT periods_json FROM employments WHERE employment_id = ?", (employment_id,)
        )
        row = cur.fetchone()
        return None if row is None else str(row[0])

    # -- audit ----------------------------------------------------------------------------
    def history(self, employment_id: str) -> dict[str, Any]:
        """Everything known about one employment: events, declarations, their transitions
        (``declaration_log``, oldest first) and the known periods."""
        with self._tx() as cur:
            self._run(
                cur,
                "SELECT event_id, event_type, topic, kafka_partition, kafka_offset, "
                "received_at, outcome, finished_at FROM inbox WHERE employment_id = ? "
                "ORDER BY seq",
                (employment_id,),
            )
            events = [dict(zip(rows.EVENT_FIELDS, row, strict=True)) for row in cur.fetchall()]
            declarations = self._declarations_where(cur, "employment_id = ?", employment_id)
            self._run(
                cur,
                "SELECT l.declaration_row_id, l.state, l.attempts, l.declaration_id, l.result, "
                "l.answer_json, l.failure, l.next_action_at, l.recorded_at "
                "FROM declaration_log l JOIN declarations d ON d.row_id = l.declaration_row_id "
                "WHERE d.employment_id = ? ORDER BY l.row_id",
                (employment_id,),
            )
            transitions = [rows.log_entry(row) for row in cur.fetchall()]
            periods = self._periods(cur, employment_id)
        return {
            "events": events,
            "declarations": declarations,
            "transitions": transitions,
            "periods": json.loads(periods) if periods else [],
        }

    def declarations_by_worker(self, ssin: str) -> list[StoredDeclaration]:
        """The declarations of every employment in which this worker was declared."""
        with self._tx() as cur:
            return self._declarations_where(
                cur,
                "employment_id IN (SELECT employment_id FROM declarations WHERE worker_ssin = ?)",
                ssin,
            )

    def _declarations_where(self, cur: Cursor, where: str, value: str) -> list[StoredDeclaration]:
        self._run(
            cur,
            f"SELECT {rows.DECLARATION_COLUMNS} FROM declarations "  # noqa: S608 - constant
            f"WHERE {where} ORDER BY row_id",
            (value,),
        )
        return [rows.declaration(row) for row in cur.fetchall()]
