"""Builders of events and known periods for the core tests (JSON form, as HR sends it)."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from adapter.core.events import EmploymentEvent
from adapter.core.identifiers import make_dimona_id
from adapter.core.periods import KnownPeriod, PeriodState

TODAY = date(2026, 3, 1)
SSIN = "90051512391"
ENTERPRISE = "0412345614"
NOSS = "123456749"
USER_ENTERPRISE = "0812345603"
EVENT_ID = "6f0c2b1e-3a4d-4c55-9d1e-2b7f8e9a0c11"

ADDRESS = {
    "street": "Rue Haute",
    "houseNumber": "45",
    "postCode": "1000",
    "municipality": "Bruxelles",
    "municipalityCode": 21004,
    "country": 150,
}
IDENTIFIED_WORKER = {
    "familyName": "KOWALSKA",
    "givenName": "Anna",
    "birthDate": "1995-11-03",
    "placeOfBirth": "KRAKOW",
    "countryOfBirth": 122,
    "nationality": 122,
    "gender": "FEMALE",
    "address": ADDRESS,
}

_ids = itertools.count(6563093001)


def event_dict(event_type: str = "HIRE", **contract: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "eventId": EVENT_ID,
        "eventType": event_type,
        "occurredAt": "2026-03-01T08:00:00+01:00",
        "source": "hr-test",
        "employmentId": "EMP-1",
        "employer": {"enterpriseNumber": ENTERPRISE},
        "worker": {"ssin": SSIN},
    }
    if event_type in ("HIRE", "CHANGE"):
        body["contract"] = {"startDate": "2026-03-02", "workerType": "OTH", "jointCommittee": "200"}
        body["contract"].update(contract)
        body["contract"] = {k: v for k, v in body["contract"].items() if v is not None}
    return body


def hire(**contract: Any) -> EmploymentEvent:
    return EmploymentEvent.model_validate(event_dict("HIRE", **contract))


def change(**contract: Any) -> EmploymentEvent:
    return EmploymentEvent.model_validate(event_dict("CHANGE", **contract))


def leave(last_day: str, last_time: str | None = None) -> EmploymentEvent:
    body = event_dict("LEAVE")
    body["leave"] = {"lastDay": last_day} | ({"lastTime": last_time} if last_time else {})
    return EmploymentEvent.model_validate(body)


def cancel() -> EmploymentEvent:
    return EmploymentEvent.model_validate(event_dict("CANCEL"))


def with_worker(event: EmploymentEvent, worker: dict[str, Any]) -> EmploymentEvent:
    body = event.to_json_dict()
    body["worker"] = worker
    return EmploymentEvent.model_validate(body)


def with_employer(event: EmploymentEvent, employer: dict[str, Any]) -> EmploymentEvent:
    body = event.to_json_dict()
    body["employer"] = employer
    return EmploymentEvent.model_validate(body)


def known(
    start: str,
    end: str | None = None,
    *,
    worker_type: str = "OTH",
    joint_committee: str = "XXX",
    period_id: int | str | None = "auto",
    state: PeriodState = PeriodState.ACTIVE,
    **extra: Any,
) -> KnownPeriod:
    pid = make_dimona_id(next(_ids)) if isinstance(period_id, str) else period_id
    return KnownPeriod(
        period_id=pid,
        start_date=date.fromisoformat(start),
        end_date=date.fromisoformat(end) if end else None,
        worker_type=worker_type,
        joint_committee=joint_committee,
        state=state,
        **extra,
    )
