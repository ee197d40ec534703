"""The ledger's queries: plans, progress, the transition log, the known periods."""

from __future__ import annotations

from collections.abc import Sequence

from adapter.app.ports import OutboundRecord, PlannedDeclaration, StoredDeclaration
from adapter.core.machine import DeclarationProgress, DeclarationState
from adapter.core.periods import KnownPeriod
from adapter.edges.store import rows
from adapter.edges.store.audit import AuditQueries
from adapter.edges.store.engine import Cursor
from adapter.edges.store.ownership import PartitionClaims


class LedgerQueries(AuditQueries):
    """The helpers of the ledger and its reads (``sql.SqlStore`` adds the plans and saves)."""

    claims: PartitionClaims

    # -- periods and declarations -----------------------------------------------------------
    def known_periods(self, employment_id: str) -> tuple[KnownPeriod, ...]:
        with self._read() as cur:
            return rows.periods(self._periods(cur, employment_id))

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
            plan, _inserted = self._insert_planned(
                cur, event_id, employment_id, planned, existing, first_position, now
            )
            return plan

    def _insert_planned(
        self,
        cur: Cursor,
        event_id: str,
        employment_id: str,
        planned: Sequence[PlannedDeclaration],
        existing: Sequence[StoredDeclaration],
        first_position: int,
        now: float,
    ) -> tuple[list[StoredDeclaration], set[int]]:
        """Insert the positions not taken yet; the new rows are built from what was given
        (nothing to parse back), the rows already there are kept as they are. The whole plan,
        and the positions inserted here."""
        by_position = {d.position: d for d in existing}
        inserted: set[int] = set()
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
            row = cur.fetchone()
            if row is None:  # taken meanwhile by another writer: theirs stands
                raced = True
                continue
            stored = StoredDeclaration(
                int(row[0]),
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
            inserted.add(position)
        if raced:
            return self._declarations(cur, event_id), inserted
        return [by_position[position] for position in sorted(by_position)], inserted

    def declarations_of_event(self, event_id: str) -> list[StoredDeclaration]:
        with self._read() as cur:
            return self._declarations(cur, event_id)

    def _declarations(self, cur: Cursor, event_id: str) -> list[StoredDeclaration]:
        self._run(
            cur,
            f"SELECT {rows.DECLARATION_COLUMNS} FROM declarations "  # noqa: S608 - constant
            "WHERE event_id = ? ORDER BY position",
            (event_id,),
        )
        return [rows.declaration(row) for row in cur.fetchall()]

    def declaration_ids_of_employment(self, employment_id: str) -> frozenset[int]:
        with self._read() as cur:
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

    def _insert_outbox(self, cur: Cursor, records: Sequence[OutboundRecord], now: float) -> None:
        for record in records:
            self._run(
                cur,
                "INSERT INTO outbox (source_partition, record_key, record_value, created_at) "
                "VALUES (?, ?, ?, ?)",
                (record.source_partition, record.key, record.value, now),
            )
