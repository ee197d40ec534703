"""The status events as the pydantic model path built them (``status_events.py`` before the direct
records): ``DeclarationStatusChanged`` from the same inputs as each ``StatusEvents`` method.

The oracle of the equivalence tests: the direct record must equal ``to_avro_record()`` of
these models, and the wire bytes must equal fastavro's encoding of that record.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from fastavro import schemaless_writer

from adapter.app.status_events import status_of
from adapter.core.declarations import Declaration, InDeclaration
from adapter.core.errors import Violation
from adapter.core.events import EmploymentEvent
from adapter.core.machine import DeclarationProgress, DeclarationState
from adapter.core.status import (
    DeclarationStatus,
    DeclarationStatusChanged,
    DeclaredPeriod,
    StatusAnomaly,
    StatusViolation,
    flags_from_anomalies,
    stable_event_id,
)


def _parties(event: EmploymentEvent | None) -> dict[str, Any]:
    if event is None:
        return {}
    return {
        "employer_noss_registration_number": event.employer.noss_registration_number,
        "employer_enterprise_number": event.employer.enterprise_number,
        "worker_ssin": event.worker.ssin,
    }


def received(event: EmploymentEvent, now: datetime) -> DeclarationStatusChanged:
    return DeclarationStatusChanged(
        status_event_id=stable_event_id(event.event_id, "RECEIVED"),
        employment_id=event.employment_id,
        source_event_ids=(event.event_id,),
        status=DeclarationStatus.RECEIVED,
        occurred_at=now,
        **_parties(event),
    )


def rejected(
    event: EmploymentEvent | None,
    *,
    employment_id: str,
    event_id: str,
    violations: Sequence[Violation],
    reason: str,
    now: datetime,
) -> DeclarationStatusChanged:
    return DeclarationStatusChanged(
        status_event_id=stable_event_id(event_id, "REJECTED"),
        employment_id=employment_id,
        source_event_ids=(event_id,),
        status=DeclarationStatus.REJECTED,
        violations=tuple(StatusViolation.from_violation(v) for v in violations),
        reason=reason,
        occurred_at=now,
        **_parties(event),
    )


def event_failed(
    event: EmploymentEvent, violations: Sequence[Violation], now: datetime
) -> DeclarationStatusChanged:
    return DeclarationStatusChanged(
        status_event_id=stable_event_id(event.event_id, "FAILED"),
        employment_id=event.employment_id,
        source_event_ids=(event.event_id,),
        status=DeclarationStatus.FAILED,
        violations=tuple(StatusViolation.from_violation(v) for v in violations),
        reason="; ".join(str(v) for v in violations),
        occurred_at=now,
        **_parties(event),
    )


def declaration_changed(
    event: EmploymentEvent,
    *,
    declaration_ref: str,
    declaration: Declaration,
    previous: DeclarationState,
    progress: DeclarationProgress,
    now: datetime,
) -> DeclarationStatusChanged:
    answer = progress.answer
    status = status_of(progress.state)
    anomalies = () if answer is None else answer.anomalies
    declared = (
        DeclaredPeriod.from_in(declaration) if isinstance(declaration, InDeclaration) else None
    )
    worker_type = declared.worker_type if declared else None
    return DeclarationStatusChanged.model_validate(
        {
            "status_event_id": stable_event_id(declaration_ref, status.value, progress.attempts),
            "employment_id": event.employment_id,
            "source_event_ids": (event.event_id,),
            "status": status,
            "occurred_at": now,
            **_parties(event),
            "declaration_ref": declaration_ref,
            "declaration_kind": declaration.kind,
            "declaration_id": progress.declaration_id,
            "period_id": answer.period_id if answer else getattr(declaration, "period_id", None),
            "previous_status": status_of(previous),
            "result_code": None if answer is None else answer.result,
            "anomalies": tuple(StatusAnomaly.from_anomaly(a) for a in anomalies),
            "flags": flags_from_anomalies((a.code for a in anomalies), worker_type=worker_type),
            "reason": progress.failure,
            "declared_period": declared,
            "submitted_at": progress.submitted_at,
            "processed_at": now if answer is not None else None,
        }
    )


def fastavro_bytes(header: bytes, parsed: Any, record: dict[str, Any]) -> bytes:
    """How the codecs wrote a record before the compiled writer."""
    buffer = io.BytesIO()
    buffer.write(header)
    schemaless_writer(buffer, parsed, dict(record))
    return buffer.getvalue()


class Capturing:
    """A ``RecordEncoder`` that keeps the records it is given (then encodes with ``codec``)."""

    def __init__(self, codec: Any) -> None:
        self.codec = codec
        self.records: list[dict[str, Any]] = []

    def encode(self, record: Any) -> bytes:
        self.records.append(record)
        payload: bytes = self.codec.encode(record)
        return payload
