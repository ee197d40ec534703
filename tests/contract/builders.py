"""Small builders of the records that cross the Store port."""

from __future__ import annotations

import json
from typing import Any

from adapter.app.ports import InboxEntry, OutboundRecord, PlannedDeclaration
from adapter.core.results import Anomaly, AnomalySeverity, DeclarationAnswer, DimonaResult
from adapter.edges.store.sql import SqlStore

T0 = 1_780_000_000.0
"""A fixed epoch (2026-05-28): the store never reads the clock for what it is given."""

SSIN = "85073003328"

ANSWER = DeclarationAnswer(
    declaration_id=9_876_543_210_123,
    result=DimonaResult.ACCEPTED_WITH_WARNING,
    period_id=5_000_000_000_001,
    anomalies=(
        Anomaly(
            code="90017-510",
            severity=AnomalySeverity.NON_BLOCKING,
            label_fr="Régime spécial perdu",
            label_nl="Bijzonder stelsel verloren",
        ),
        Anomaly(code="00913-371"),
    ),
)
"""An answer with every field set, large ids and anomalies with accented labels."""


def entry(event_id: str, employment_id: str = "emp-1", *, partition: int = 0) -> InboxEntry:
    return InboxEntry(
        event_id=event_id,
        employment_id=employment_id,
        event_type="HIRE",
        topic="hr.employment.events",
        partition=partition,
        offset=int(T0) % 1000 + len(event_id),
        event_json=json.dumps({"eventId": event_id, "employmentId": employment_id}),
        received_at=T0,
    )


def record(key: str, value: bytes = b"v", *, partition: int = 0) -> OutboundRecord:
    return OutboundRecord(source_partition=partition, key=key, value=value)


def broken_record() -> OutboundRecord:
    """A record the outbox refuses (NOT NULL value): makes the transaction fail at its end."""
    return OutboundRecord(source_partition=0, key="broken", value=None)  # type: ignore[arg-type]


def planned(kind: str = "IN", *, ssin: str | None = SSIN, n: int = 0) -> PlannedDeclaration:
    declaration: dict[str, Any] = {"kind": kind, "n": n}
    if kind == "IN":
        declaration["worker"] = {"ssin": ssin}
    else:
        declaration["ssin"] = ssin
    body = json.dumps({"dimonaIn" if kind == "IN" else f"dimona{kind.title()}": {"n": n}})
    return PlannedDeclaration(kind, json.dumps(declaration), body)


def scalar(store: SqlStore, query: str, *params: Any) -> Any:
    """One value read straight from the tables (portable ``?`` placeholders)."""
    with store._tx() as cur:
        store._run(cur, query, params)
        return cur.fetchone()[0]


def outbox_keys(store: SqlStore, partitions: list[int] | None = None) -> list[str]:
    return [e.key for e in store.pending_outbox(partitions, 1000)]
