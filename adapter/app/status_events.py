"""Build the outbound ``DeclarationStatusChanged`` records for each state change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from adapter.app.ports import OutboundRecord, RecordEncoder
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

_STATUS_OF_STATE: dict[DeclarationState, DeclarationStatus | None] = {
    DeclarationState.PLANNED: DeclarationStatus.RECEIVED,
    DeclarationState.SUBMITTING: DeclarationStatus.RECEIVED,
    DeclarationState.UNCERTAIN: DeclarationStatus.RECEIVED,
    DeclarationState.SUBMITTED: DeclarationStatus.SUBMITTED,
    DeclarationState.WAITING_IDENTIFICATION: DeclarationStatus.WAITING_IDENTIFICATION,
    DeclarationState.ACCEPTED: DeclarationStatus.ACCEPTED,
    DeclarationState.ACCEPTED_WITH_WARNINGS: DeclarationStatus.ACCEPTED_WITH_WARNINGS,
    DeclarationState.REFUSED: DeclarationStatus.REFUSED,
    DeclarationState.FAILED: DeclarationStatus.FAILED,
}


def status_of(state: DeclarationState) -> DeclarationStatus:
    status = _STATUS_OF_STATE[state]
    assert status is not None
    return status


class StatusEvents:
    """Encodes status events into outbox records keyed by employment."""

    def __init__(self, encoder: RecordEncoder) -> None:
        self._encoder = encoder

    def _record(self, partition: int, change: DeclarationStatusChanged) -> OutboundRecord:
        return OutboundRecord(
            partition, change.employment_id, self._encoder.encode(change.to_avro_record())
        )

    def received(self, partition: int, event: EmploymentEvent, now: datetime) -> OutboundRecord:
        return self._record(
            partition,
            _base(
                event, now, status=DeclarationStatus.RECEIVED, parts=(event.event_id, "RECEIVED")
            ),
        )

    def rejected(
        self,
        partition: int,
        event: EmploymentEvent | None,
        *,
        employment_id: str,
        event_id: str,
        violations: Sequence[Violation],
        reason: str,
        now: datetime,
    ) -> OutboundRecord:
        change = DeclarationStatusChanged(
            status_event_id=stable_event_id(event_id, "REJECTED"),
            employment_id=employment_id,
            source_event_ids=(event_id,),
            status=DeclarationStatus.REJECTED,
            violations=tuple(StatusViolation.from_violation(v) for v in violations),
            reason=reason,
            occurred_at=now,
            **(_parties(event) if event is not None else {}),
        )
        return self._record(partition, change)

    def event_failed(
        self, partition: int, event: EmploymentEvent, violations: Sequence[Violation], now: datetime
    ) -> OutboundRecord:
        """The event could not be translated given what ONSS knows (e.g. a leave of a
        period that was refused): nothing is declared, the source learns why."""
        change = _base(
            event,
            now,
            status=DeclarationStatus.FAILED,
            parts=(event.event_id, "FAILED"),
            violations=tuple(StatusViolation.from_violation(v) for v in violations),
            reason="; ".join(str(v) for v in violations),
        )
        return self._record(partition, change)

    def declaration_changed(
        self,
        partition: int,
        event: EmploymentEvent,
        *,
        declaration_ref: str,
        declaration: Declaration,
        previous: DeclarationState,
        progress: DeclarationProgress,
        now: datetime,
    ) -> OutboundRecord:
        answer = progress.answer
        status = status_of(progress.state)
        anomalies = () if answer is None else answer.anomalies
        declared = (
            DeclaredPeriod.from_in(declaration) if isinstance(declaration, InDeclaration) else None
        )
        worker_type = declared.worker_type if declared else None
        period_id = answer.period_id if answer else getattr(declaration, "period_id", None)
        change = _base(
            event,
            now,
            status=status,
            parts=(declaration_ref, status.value, progress.attempts),
            declaration_ref=declaration_ref,
            declaration_kind=declaration.kind,
            declaration_id=progress.declaration_id,
            period_id=period_id,
            previous_status=status_of(previous),
            result_code=None if answer is None else answer.result,
            anomalies=tuple(StatusAnomaly.from_anomaly(a) for a in anomalies),
            flags=flags_from_anomalies((a.code for a in anomalies), worker_type=worker_type),
            reason=progress.failure,
            declared_period=declared,
            submitted_at=progress.submitted_at,
            processed_at=now if answer is not None else None,
        )
        return self._record(partition, change)


def _parties(event: EmploymentEvent) -> dict[str, str | None]:
    return {
        "employer_noss_registration_number": event.employer.noss_registration_number,
        "employer_enterprise_number": event.employer.enterprise_number,
        "worker_ssin": event.worker.ssin,
    }


def _base(
    event: EmploymentEvent,
    now: datetime,
    *,
    status: DeclarationStatus,
    parts: tuple[object, ...],
    **fields: object,
) -> DeclarationStatusChanged:
    return DeclarationStatusChanged.model_validate(
        {
            "status_event_id": stable_event_id(*parts),
            "employment_id": event.employment_id,
            "source_event_ids": (event.event_id,),
            "status": status,
            "occurred_at": now,
            **_parties(event),
            **fields,
        }
    )
