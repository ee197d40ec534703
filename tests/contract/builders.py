"""Small builders of the records that cross the store ports."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from adapter.app.ports import InboxEntry, OutboundRecord, PlannedDeclaration
from adapter.core.declarations import (
    CancelDeclaration,
    Declaration,
    InDeclaration,
    OutDeclaration,
    UpdateDeclaration,
)
from adapter.core.events import Employer, EmploymentEvent, Worker
from adapter.core.results import Anomaly, AnomalySeverity, DeclarationAnswer, DimonaResult
from adapter.demo_events import hire
from adapter.edges.store.sql import SqlStore

T0 = 1_780_000_000.0
"""A fixed epoch (2026-05-28): the store never reads the clock for what it is given."""

SSIN = "85073003328"
START = date(2026, 6, 1)

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


def eid(name: str) -> str:
    """The event id (a UUID, as the contract wants) a test calls ``name``."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:test-event:{name}"))


def event(
    name: str, employment_id: str = "emp-1", *, ssin: str = SSIN, **changes: object
) -> EmploymentEvent:
    raw = hire(employment_id, ssin, START, now=datetime.fromtimestamp(T0, UTC))
    raw["eventId"] = eid(name)
    raw.update(changes)
    return EmploymentEvent.model_validate(raw)


def entry(
    name: str, employment_id: str = "emp-1", *, partition: int = 0, ssin: str = SSIN
) -> InboxEntry:
    return InboxEntry(
        event=event(name, employment_id, ssin=ssin),
        topic="hr.employment.events",
        partition=partition,
        offset=int(T0) % 1000 + len(name),
        received_at=T0,
    )


def changed(original: InboxEntry, **changes: object) -> InboxEntry:
    """The same event id with other content."""
    raw = original.event.model_dump(by_alias=True)
    raw.update(changes)
    return replace(original, event=EmploymentEvent.model_validate(raw))


def record(key: str, value: bytes = b"v", *, partition: int = 0) -> OutboundRecord:
    return OutboundRecord(source_partition=partition, key=key, value=value)


def broken_record() -> OutboundRecord:
    """A record the outbox refuses (NOT NULL value): makes the transaction fail at its end."""
    return OutboundRecord(source_partition=0, key="broken", value=None)  # type: ignore[arg-type]


def declaration(kind: str = "IN", *, ssin: str | None = SSIN, n: int = 0) -> Declaration:
    start = START + timedelta(days=n)
    if kind == "IN":
        return InDeclaration(
            employer=Employer(noss_registration_number="123456749"),
            worker=Worker(ssin=ssin),
            start_date=start,
            worker_type="OTH",
            joint_committee="XXX",
        )
    period = 5_000_000_000_000 + n
    if kind == "OUT":
        return OutDeclaration(period_id=period, period_start=start, end_date=start, ssin=ssin)
    if kind == "UPDATE":
        return UpdateDeclaration(period_id=period, period_start=start, ssin=ssin, end_date=start)
    return CancelDeclaration(period_id=None, period_start=start, ssin=ssin)


def planned(
    kind: str = "IN", *, ssin: str | None = SSIN, n: int = 0, body: bool = True
) -> PlannedDeclaration:
    block = "dimonaIn" if kind == "IN" else f"dimona{kind.title()}"
    return PlannedDeclaration(
        declaration(kind, ssin=ssin, n=n), {block: {"n": n, "ids": [n, n + 1]}} if body else None
    )


def scalar(store: SqlStore, query: str, *params: Any) -> Any:
    """One value read straight from the tables of a SQL engine (portable ``?`` placeholders)."""
    with store._tx() as cur:
        store._run(cur, query, params)
        return cur.fetchone()[0]


def outbox_keys(store: SqlStore, partitions: list[int] | None = None) -> list[str]:
    return [e.key for e in store.pending_outbox(partitions, 1000)]
