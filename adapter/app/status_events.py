"""Build the outbound ``DeclarationStatusChanged`` records for each state change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from adapter.app.ports import OutboundRecord, RecordEncoder
from adapter.core.declarations import Declaration
from adapter.core.errors import Violation
from adapter.core.events import EmploymentEvent
from adapter.core.machine import DeclarationProgress, DeclarationState
from adapter.core.status import DeclarationStatus, stable_event_id
from adapter.core.status_records import declaration_record, status_record

_STATUS_OF_STATE: dict[DeclarationState, DeclarationStatus] = {
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
    return _STATUS_OF_STATE[state]


class StatusEvents:
    """Encodes status events into outbox records keyed by employment.

    The records are built straight from the core objects (``adapter.core.status_records``):
    the same bytes as ``DeclarationStatusChanged(...).to_avro_record()`` would give.
    """

    def __init__(self, encoder: RecordEncoder) -> None:
        self._encode = encoder.encode

    def _record(self, partition: int, record: dict[str, Any]) -> OutboundRecord:
        return OutboundRecord(partition, record["employmentId"], self._encode(record))

    def received(self, partition: int, event: EmploymentEvent, now: datetime) -> OutboundRecord:
        return self._record(
            partition,
            status_record(
                status_event_id=stable_event_id(event.event_id, "RECEIVED"),
                employment_id=event.employment_id,
                source_event_id=event.event_id,
                status=DeclarationStatus.RECEIVED,
                occurred_at=now,
                event=event,
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
        return self._record(
            partition,
            status_record(
                status_event_id=stable_event_id(event_id, "REJECTED"),
                employment_id=employment_id,
                source_event_id=event_id,
                status=DeclarationStatus.REJECTED,
                occurred_at=now,
                event=event,
                violations=violations,
                reason=reason,
            ),
        )

    def event_failed(
        self, partition: int, event: EmploymentEvent, violations: Sequence[Violation], now: datetime
    ) -> OutboundRecord:
        """The event could not be translated given what ONSS knows (e.g. a leave of a
        period that was refused): nothing is declared, the source learns why."""
        return self._record(
            partition,
            status_record(
                status_event_id=stable_event_id(event.event_id, "FAILED"),
                employment_id=event.employment_id,
                source_event_id=event.event_id,
                status=DeclarationStatus.FAILED,
                occurred_at=now,
                event=event,
                violations=violations,
                reason="; ".join(str(v) for v in violations),
            ),
        )

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
        status = _STATUS_OF_STATE[progress.state]
        return self._record(
            partition,
            declaration_record(
                status_event_id=stable_event_id(declaration_ref, status.value, progress.attempts),
                event=event,
                declaration_ref=declaration_ref,
                declaration=declaration,
                status=status,
                previous_status=_STATUS_OF_STATE[previous],
                progress=progress,
                occurred_at=now,
            ),
        )
