"""The Avro record of a ``DeclarationStatusChanged``, built straight from the core objects.

The record is the plain dict fastavro writes with ``declaration_status_changed.v1.avsc``
(camelCase keys, enum values as strings, lists, ``date`` and aware ``datetime`` objects, times
of day as ``HH:MM``). It equals ``DeclarationStatusChanged(...).to_avro_record()`` for the
same inputs (``tests/unit/core/test_core_status_records.py`` checks it case by case and on
generated inputs), without the pydantic round trip: the declaration, the answer and the
progress are already parsed, so nothing is validated twice. The pydantic model of
``adapter.core.status`` stays the reading model of consumers and tests.

Texts are written as given: reasons and violation messages are concealed where they are
made (``adapter.core.masking``, used by the rules), as for every other published text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time
from typing import Any

from adapter.core.declarations import Declaration, InDeclaration
from adapter.core.errors import Violation
from adapter.core.events import EmploymentEvent
from adapter.core.progress import DeclarationProgress
from adapter.core.results import Anomaly
from adapter.core.status import DeclarationStatus, derive_flags

Record = dict[str, Any]


def status_record(
    *,
    status_event_id: str,
    employment_id: str,
    source_event_id: str,
    status: DeclarationStatus,
    occurred_at: datetime,
    event: EmploymentEvent | None = None,
    violations: Sequence[Violation] = (),
    reason: str | None = None,
) -> Record:
    """A status event without a declaration: RECEIVED, REJECTED, or FAILED before any."""
    record = _record(status_event_id, employment_id, source_event_id, status, occurred_at, event)
    if violations:
        record["violations"] = [violation_record(v) for v in violations]
    record["reason"] = reason
    return record


def declaration_record(
    *,
    status_event_id: str,
    event: EmploymentEvent,
    declaration_ref: str,
    declaration: Declaration,
    status: DeclarationStatus,
    previous_status: DeclarationStatus,
    progress: DeclarationProgress,
    occurred_at: datetime,
) -> Record:
    """The state change of one declaration, with ONSS's answer once it has one."""
    answer = progress.answer
    submitted_at = progress.submitted_at
    record = _record(
        status_event_id, event.employment_id, event.event_id, status, occurred_at, event
    )
    record["declarationRef"] = declaration_ref
    record["declarationKind"] = declaration.kind.value
    record["declarationId"] = progress.declaration_id
    record["previousStatus"] = previous_status.value
    record["reason"] = progress.failure
    worker_type = None
    if isinstance(declaration, InDeclaration):
        worker_type = declaration.worker_type
        record["declaredPeriod"] = declared_period_record(declaration)
    if submitted_at is not None:
        _check_aware(submitted_at, "submitted_at")
        record["submittedAt"] = submitted_at
    if answer is None:  # no anomalies: the record's all-false flags stand
        record["periodId"] = getattr(declaration, "period_id", None)
        return record
    record["periodId"] = answer.period_id
    record["resultCode"] = answer.result.value
    record["processedAt"] = occurred_at
    if answer.anomalies:
        record["anomalies"] = [anomaly_record(a) for a in answer.anomalies]
        record["flags"] = flags_record((a.code for a in answer.anomalies), worker_type)
    return record


def anomaly_record(anomaly: Anomaly) -> Record:
    severity = anomaly.severity
    return {
        "code": anomaly.code,
        "severity": None if severity is None else severity.value,
        "labelFr": anomaly.label_fr,
        "labelNl": anomaly.label_nl,
    }


def violation_record(violation: Violation) -> Record:
    return {"code": violation.code, "field": violation.field, "message": violation.message}


def declared_period_record(declaration: InDeclaration) -> Record:
    """The period as declared to ONSS, as :meth:`adapter.core.status.DeclaredPeriod.from_in`."""
    user = declaration.using_employer
    return {
        "startDate": declaration.start_date,
        "startTime": _hhmm(declaration.start_time),
        "endDate": declaration.end_date,
        "endTime": _hhmm(declaration.end_time),
        "workerType": declaration.worker_type,
        "declaredJointCommittee": declaration.joint_committee,
        "actualJointCommittee": declaration.actual_joint_committee,
        "plannedHours": declaration.planned_hours,
        "usingEmployerEnterpriseNumber": None if user is None else user.enterprise_number,
        "usingEmployerName": None if user is None else user.name,
        "usingEmployerJointCommittee": None if user is None else user.joint_committee,
    }


def flags_record(codes: Iterable[str], worker_type: str | None) -> Record:
    late, flexi, quota, lost, cancelled = derive_flags(codes, worker_type=worker_type)
    return {
        "lateDeclaration": late,
        "flexiConditionsNotMet": flexi,
        "quotaExceeded": quota,
        "specialRegimeLost": lost,
        "alreadyCancelled": cancelled,
    }


def _record(
    status_event_id: str,
    employment_id: str,
    source_event_id: str,
    status: DeclarationStatus,
    occurred_at: datetime,
    event: EmploymentEvent | None,
) -> Record:
    _check_aware(occurred_at, "occurred_at")
    if event is None:
        noss = enterprise = ssin = None
    else:
        noss = event.employer.noss_registration_number
        enterprise = event.employer.enterprise_number
        ssin = event.worker.ssin
    return {
        "statusEventId": status_event_id,
        "employmentId": employment_id,
        "sourceEventIds": [source_event_id],
        "declarationRef": None,
        "declarationKind": None,
        "declarationId": None,
        "periodId": None,
        "status": status.value,
        "previousStatus": None,
        "resultCode": None,
        "anomalies": [],
        "violations": [],
        "reason": None,
        "declaredPeriod": None,
        "flags": {
            "lateDeclaration": False,
            "flexiConditionsNotMet": False,
            "quotaExceeded": False,
            "specialRegimeLost": False,
            "alreadyCancelled": False,
        },
        "employerNossRegistrationNumber": noss,
        "employerEnterpriseNumber": enterprise,
        "workerSsin": ssin,
        "occurredAt": occurred_at,
        "submittedAt": None,
        "processedAt": None,
    }


def _hhmm(value: time | None) -> str | None:
    # format_hhmm's output (strftime("%H:%M")) without strftime's cost
    return None if value is None else f"{value.hour:02d}:{value.minute:02d}"


def _check_aware(value: datetime, name: str) -> None:
    # The model takes only aware datetimes, and fastavro would read a naive one as local time.
    if value.utcoffset() is None:
        msg = f"{name} must be an aware datetime"
        raise ValueError(msg)
