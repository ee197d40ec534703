"""Contract fragments and ``codes``, shared by the ``test_core_rules*.py`` modules."""

from __future__ import annotations

from typing import Any

from adapter.core.events import EmploymentEvent
from adapter.core.rules import RuleOptions, validate_event
from tests.unit.core.core_factories import ADDRESS, TODAY

STU = {"workerType": "STU", "endDate": "2026-03-31", "plannedHours": 40}
FLX_DAY = {
    "workerType": "FLX",
    "startDate": "2026-03-07",
    "endDate": "2026-03-07",
    "startTime": "18:00",
    "endTime": "23:30",
    "jointCommittee": "302",
}
EXT = {
    "workerType": "EXT",
    "startDate": "2026-03-07",
    "endDate": "2026-03-07",
    "startTime": "10:00",
    "endTime": "20:00",
    "jointCommittee": "302",
}
TEMP = {
    "jointCommittee": "322",
    "endDate": "2026-03-06",
    "usingEmployer": {"enterpriseNumber": "0812345603", "jointCommittee": "200"},
}
CARDS = {"firstMonth": "123456789012", "nextMonth": "123456789013"}
STATUTES = {"employmentNature": "EMPLOYEE", "workerStatus": "F1"}
PLACE = {"name": "Shop", "address": ADDRESS | {"street": "Korenmarkt"}}


def codes(event: EmploymentEvent, **options: Any) -> set[tuple[str, str]]:
    found = validate_event(event, today=TODAY, options=RuleOptions(**options))
    return {(v.code, v.field) for v in found}
