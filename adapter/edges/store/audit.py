"""The read side of the store: what ``history``, ``consult`` and the gauges ask."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from adapter.app.ports import (
    DeclarationWithEvent,
    EmploymentHistory,
    StatusRecord,
    StoredDeclaration,
)
from adapter.core.events import EmploymentEvent
from adapter.core.machine import DeclarationState
from adapter.edges.store import rows
from adapter.edges.store.engine import Cursor, SqlEngine

AWAITING_ANSWER: Final = (
    DeclarationState.SUBMITTED.value,
    DeclarationState.WAITING_IDENTIFICATION.value,
)


def marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def _names_worker(ssin: str) -> str:
    """A LIKE pattern for the event JSON naming this worker (compact JSON, digits only)."""
    return f'%"ssin":"{ssin}"%'


class AuditQueries(SqlEngine):
    """Queries that read the audit trail; each is one (read) transaction."""

    def _periods(self, cur: Cursor, employment_id: str) -> str | None:
        self._run(
            cur, "SELECT periods_json FROM employments WHERE employment_id = ?", (employment_id,)
        )
        row = cur.fetchone()
        return None if row is None else str(row[0])

    def history(self, employment_id: str) -> EmploymentHistory:
        """Everything known about one employment: events, declarations, their transitions
        (``declaration_log``, oldest first), the known periods and the status events."""
        with self._read() as cur:
            self._run(
                cur,
                f"SELECT {rows.EVENT_COLUMNS} FROM inbox "  # noqa: S608 - constant
                "WHERE employment_id = ? ORDER BY seq",
                (employment_id,),
            )
            events = tuple(rows.recorded_event(row) for row in cur.fetchall())
            declarations = self._declarations_where(cur, "employment_id = ?", employment_id)
            self._run(
                cur,
                f"SELECT {rows.LOG_COLUMNS} "  # noqa: S608 - constant
                "FROM declaration_log l JOIN declarations d ON d.row_id = l.declaration_row_id "
                "WHERE d.employment_id = ? ORDER BY l.row_id",
                (employment_id,),
            )
            transitions = tuple(rows.transition(row) for row in cur.fetchall())
            periods = rows.periods(self._periods(cur, employment_id))
            self._run(
                cur,
                "SELECT row_id, record_key, record_value, created_at, published_at FROM outbox "
                "WHERE record_key = ? ORDER BY row_id",
                (employment_id,),
            )
            statuses = tuple(
                StatusRecord(
                    int(r[0]), r[1], bytes(r[2]), float(r[3]), None if r[4] is None else float(r[4])
                )
                for r in cur.fetchall()
            )
        return EmploymentHistory(
            employment_id, events, tuple(declarations), transitions, periods, statuses
        )

    def declarations_by_worker(self, ssin: str) -> list[StoredDeclaration]:
        """The declarations of every employment in which this worker was declared."""
        with self._read() as cur:
            return self._declarations_where(
                cur,
                "employment_id IN (SELECT employment_id FROM declarations WHERE worker_ssin = ?)",
                ssin,
            )

    def employments_of_worker(self, ssin: str) -> list[str]:
        """Employments declared for this SSIN, then those whose inbound events name it."""
        with self._read() as cur:
            declared = [
                d.employment_id
                for d in self._declarations_where(
                    cur,
                    "employment_id IN "
                    "(SELECT employment_id FROM declarations WHERE worker_ssin = ?)",
                    ssin,
                )
            ]
            self._run(
                cur,
                "SELECT employment_id, MIN(seq) FROM inbox WHERE event_json LIKE ? "
                "GROUP BY employment_id ORDER BY MIN(seq)",
                (_names_worker(ssin),),
            )
            named = [str(row[0]) for row in cur.fetchall()]
        return list(dict.fromkeys([*declared, *named]))

    def find_declarations(
        self, *, declaration_id: int | None = None, ssin: str | None = None
    ) -> list[DeclarationWithEvent]:
        """Declarations with their event: by ONSS id, else by the worker their event names."""
        where = ""
        params: tuple[Any, ...] = ()
        if declaration_id is not None:
            where, params = "WHERE d.declaration_id = ?", (declaration_id,)
        elif ssin:
            where, params = "WHERE i.event_json LIKE ?", (_names_worker(ssin),)
        columns = ", ".join(f"d.{c.strip()}" for c in rows.DECLARATION_COLUMNS.split(","))
        with self._read() as cur:
            self._run(
                cur,
                f"SELECT {columns}, i.event_json FROM declarations d "  # noqa: S608 - constant
                f"JOIN inbox i ON i.event_id = d.event_id {where} ORDER BY d.row_id",
                params,
            )
            found = cur.fetchall()
        return [
            DeclarationWithEvent(
                rows.declaration(row[:-1]), EmploymentEvent.model_validate_json(row[-1])
            )
            for row in found
        ]

    def pending_poll_count(self) -> int:
        """Declarations submitted and still waiting for ONSS's final answer."""
        with self._read() as cur:
            self._run(
                cur,
                f"SELECT COUNT(*) FROM declarations WHERE state IN ({marks(AWAITING_ANSWER)})",  # noqa: S608
                AWAITING_ANSWER,
            )
            return int(cur.fetchone()[0])

    def awaiting_answer_since(self, partitions: Sequence[int]) -> list[float]:
        """When each declaration still waiting for its answer was submitted, for the
        declarations of events read from these partitions."""
        if not partitions:
            return []
        with self._read() as cur:
            self._run(
                cur,
                "SELECT d.submitted_at FROM declarations d "  # noqa: S608 - placeholders only
                "JOIN inbox i ON i.event_id = d.event_id "
                f"WHERE d.state IN ({marks(AWAITING_ANSWER)}) AND d.submitted_at IS NOT NULL "
                f"AND i.kafka_partition IN ({marks(partitions)})",
                [*AWAITING_ANSWER, *partitions],
            )
            return [float(row[0]) for row in cur.fetchall()]

    def _declarations_where(self, cur: Cursor, where: str, value: str) -> list[StoredDeclaration]:
        self._run(
            cur,
            f"SELECT {rows.DECLARATION_COLUMNS} FROM declarations "  # noqa: S608 - constant
            f"WHERE {where} ORDER BY row_id",
            (value,),
        )
        return [rows.declaration(row) for row in cur.fetchall()]
