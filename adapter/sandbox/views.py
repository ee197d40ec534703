"""The REST v2 JSON shapes of declarations, periods and relations (reference §5)."""

from __future__ import annotations

from typing import Any

from adapter.sandbox.models import BLOCK_OF_KIND, PENDING, Declaration, Period


def declaration_view(
    declaration: Declaration, base_url: str, period: Period | None
) -> dict[str, Any]:
    """What ``GET /declarations/{id}`` answers once the declaration is processed."""
    body = declaration.body
    view: dict[str, Any] = {"href": f"{base_url}/declarations/{declaration.id}"}
    employer = body.get("employer") or (period.employer if period else None)
    worker = body.get("worker") or (period.worker if period else None)
    if employer:
        view["employer"] = employer
    if worker:
        view["worker"] = worker
    block = BLOCK_OF_KIND[declaration.kind]
    view[block] = body[block]
    status: dict[str, Any] = {"declarationId": declaration.id, "result": declaration.result}
    if declaration.period_id is not None:
        status["period"] = {
            "id": declaration.period_id,
            "href": f"{base_url}/periods/{declaration.period_id}",
        }
    if declaration.anomalies:
        status["anomalies"] = [a.to_wire() for a in declaration.anomalies]
    view["declarationStatus"] = status
    return view


def period_view(period: Period, base_url: str) -> dict[str, Any]:
    """Our shape for ``GET /periods/{id}`` (not documented publicly, reference §5.4)."""
    view: dict[str, Any] = {
        "periodId": period.id,
        "href": f"{base_url}/periods/{period.id}",
        "employer": period.employer,
        "worker": period.worker,
        "startDate": period.start_date,
    }
    optional = {
        "startHour": period.start_hour,
        "endDate": period.end_date,
        "endHour": period.end_hour,
        "plannedHoursNumber": period.planned_hours,
        "studentPlaceOfWork": period.student_place_of_work,
    }
    view.update({k: v for k, v in optional.items() if v is not None})
    features: dict[str, Any] = {
        "jointCommissionNumber": period.joint_committee,
        "workerType": period.worker_type,
    }
    if period.using_employer is not None:
        features["usingEmployer"] = period.using_employer
    view["features"] = features
    view["cancelled"] = period.status == "cancelled"
    view["locked"] = period.locked
    if period.status == PENDING:
        view["identificationPending"] = True
    view["declarations"] = [
        {"declarationId": d, "href": f"{base_url}/declarations/{d}"} for d in period.declaration_ids
    ]
    return view


def relation_view(periods: list[Period]) -> dict[str, Any]:
    """One employer-worker relation: the span of its periods."""
    first = periods[0]
    ends = [p.end_date for p in periods]
    view: dict[str, Any] = {
        "employer": first.employer,
        "worker": first.worker,
        "startDate": min(p.start_date for p in periods),
    }
    if None not in ends:
        view["endDate"] = max(e for e in ends if e is not None)
    return view
