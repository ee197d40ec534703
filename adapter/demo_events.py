"""Sample employment events for the demo and the benchmark (synthetic, check-digit valid)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from adapter.core.identifiers import make_ssin

EMPLOYER_NOSS = "123456749"
EMPLOYER_CBE = "0412345614"


def ssin_for(index: int, *, born: date = date(1990, 5, 15)) -> str:
    """A valid SSIN for a synthetic male worker born on ``born`` (sequence from ``index``)."""
    sequence = 1 + 2 * (index % 499)  # odd: male
    return make_ssin(born, sequence)


def _event(kind: str, employment_id: str, worker: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {
        "eventId": str(uuid.uuid4()),
        "eventType": kind,
        "occurredAt": now.isoformat(),
        "source": "demo-hr",
        "employmentId": employment_id,
        "employer": {"nossRegistrationNumber": EMPLOYER_NOSS},
        "worker": worker,
    }


def hire(
    employment_id: str,
    ssin: str,
    start: date,
    *,
    worker_type: str = "OTH",
    joint_committee: str = "200",
    end: date | None = None,
    now: datetime | None = None,
    **contract: Any,
) -> dict[str, Any]:
    event = _event("HIRE", employment_id, {"ssin": ssin}, now or datetime.now(UTC))
    event["contract"] = {
        "startDate": start.isoformat(),
        "workerType": worker_type,
        "jointCommittee": joint_committee,
        **({"endDate": end.isoformat()} if end else {}),
        **contract,
    }
    return event


def leave(
    employment_id: str, ssin: str, last_day: date, *, now: datetime | None = None
) -> dict[str, Any]:
    event = _event("LEAVE", employment_id, {"ssin": ssin}, now or datetime.now(UTC))
    event["leave"] = {"lastDay": last_day.isoformat()}
    return event


UNIDENTIFIED_WORKER = {
    "familyName": "KOWALSKA",
    "givenName": "Anna",
    "birthDate": "1995-11-03",
    "placeOfBirth": "KRAKOW",
    "countryOfBirth": 122,
    "nationality": 122,
    "gender": "FEMALE",
    "address": {
        "street": "Rue Haute",
        "houseNumber": "45",
        "postCode": "1000",
        "municipality": "Bruxelles",
        "municipalityCode": 21004,
        "country": 150,
    },
}
"""A worker without SSIN: ONSS answers S until SIGeDIS has identified her."""

FLEXI_WITHOUT_RIGHTS = 6
"""Index of the demo worker for whom the sandbox is told to answer W 90017-510."""


def demo_script(today: date) -> list[dict[str, Any]]:
    """Hires (ordinary, student, flexi, one without SSIN), a leave, and one invalid event."""
    start = today + timedelta(days=1)
    bad = hire("EMP-DEMO-5", "90051512300", start)  # wrong check digits
    unidentified = hire("EMP-DEMO-7", "", start)
    unidentified["worker"] = UNIDENTIFIED_WORKER
    return [
        hire("EMP-DEMO-1", ssin_for(1), start),
        hire(
            "EMP-DEMO-2",
            ssin_for(2, born=date(2004, 2, 29)),
            start,
            worker_type="STU",
            joint_committee="302",
            end=start + timedelta(days=20),
            plannedHours=60,
        ),
        hire(
            "EMP-DEMO-3",
            ssin_for(3),
            start,
            worker_type="FLX",
            joint_committee="302",
            end=start,
            startTime="18:00",
            endTime="23:30",
        ),
        hire("EMP-DEMO-4", ssin_for(4), start),
        bad,
        leave("EMP-DEMO-1", ssin_for(1), start + timedelta(days=30)),
        hire(
            "EMP-DEMO-6",
            ssin_for(FLEXI_WITHOUT_RIGHTS),
            start,
            worker_type="FLX",
            joint_committee="302",
            end=start,
            startTime="11:00",
            endTime="15:00",
        ),
        unidentified,
    ]
