"""Core declarations to REST v2 bodies, checked against the reference examples (§9)."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest

from adapter.core.declarations import (
    REOPEN_END_DATE,
    CancelDeclaration,
    InDeclaration,
    OutDeclaration,
    UnresolvedPeriod,
    UpdateDeclaration,
)
from adapter.core.events import EmploymentEvent, Gender
from adapter.core.translation import translate
from adapter.edges.dimona_rest.wire import declaration_to_body, prune
from tests.unit.core.core_factories import (
    ADDRESS,
    IDENTIFIED_WORKER,
    TODAY,
    hire,
    with_employer,
    with_worker,
)


def bodies(event: EmploymentEvent) -> list[dict[str, Any]]:
    result = translate(event, [], today=TODAY)
    assert result.ok, result.violations
    return [declaration_to_body(d) for d in result.declarations]


def test_ordinary_employee_by_noss_number() -> None:  # reference §9.2
    event = with_employer(hire(), {"nossRegistrationNumber": "123456749"})
    assert bodies(event) == [
        {
            "employer": {"employerId": 123456749},
            "worker": {"ssin": "90051512391"},
            "dimonaIn": {
                "startDate": "2026-03-02",
                "features": {"jointCommissionNumber": "XXX", "workerType": "OTH"},
            },
        }
    ]


def test_flexi_day_by_enterprise_number() -> None:  # reference §9.3
    event = hire(
        workerType="FLX",
        jointCommittee="302",
        startDate="2026-03-07",
        endDate="2026-03-07",
        startTime="18:00",
        endTime="23:30",
    )
    assert bodies(event) == [
        {
            "employer": {"enterpriseNumber": "0412345614"},
            "worker": {"ssin": "90051512391"},
            "dimonaIn": {
                "startDate": "2026-03-07",
                "startHour": "1800",
                "endDate": "2026-03-07",
                "endHour": "2330",
                "features": {"jointCommissionNumber": "XXX", "workerType": "FLX"},
            },
        }
    ]


def test_student_with_place_of_work() -> None:  # reference §9.4
    place = {
        "name": "Shop Ghent Korenmarkt",
        "address": {
            "street": "Korenmarkt",
            "houseNumber": "12",
            "postCode": "9000",
            "municipality": "Gent",
            "municipalityCode": 44021,
            "country": 150,
        },
    }
    event = with_worker(
        hire(
            workerType="STU",
            startDate="2026-07-01",
            endDate="2026-08-31",
            plannedHours=160,
            studentPlaceOfWork=place,
        ),
        {"ssin": "04022924678"},
    )
    assert bodies(event) == [
        {
            "employer": {"enterpriseNumber": "0412345614"},
            "worker": {"ssin": "04022924678"},
            "dimonaIn": {
                "startDate": "2026-07-01",
                "endDate": "2026-08-31",
                "plannedHoursNumber": 160,
                "features": {"jointCommissionNumber": "XXX", "workerType": "STU"},
                "studentPlaceOfWork": {
                    "name": "Shop Ghent Korenmarkt",
                    "address": {
                        "street": "Korenmarkt",
                        "houseNumber": "12",
                        "postCode": "9000",
                        "municipality": {"code": 44021, "name": "Gent"},
                        "country": 150,
                    },
                },
            },
        }
    ]


def test_worker_without_ssin() -> None:  # reference §9.5
    event = with_employer(
        with_worker(hire(startDate="2026-04-01"), IDENTIFIED_WORKER),
        {"nossRegistrationNumber": "123456749"},
    )
    assert bodies(event)[0]["worker"] == {
        "familyName": "KOWALSKA",
        "givenName": "Anna",
        "birthDate": "1995-11-03",
        "placeOfBirth": "KRAKOW",
        "countryOfBirth": 122,
        "nationality": 122,
        "gender": 2,
        "address": {
            "street": "Rue Haute",
            "houseNumber": "45",
            "postCode": "1000",
            "municipality": {"code": 21004, "name": "Bruxelles"},
            "country": 150,
        },
    }


def test_gender_codes_are_configurable() -> None:
    event = with_worker(hire(), IDENTIFIED_WORKER)
    (declaration,) = translate(event, [], today=TODAY).declarations
    body = declaration_to_body(declaration, gender_codes={Gender.MALE: 0, Gender.FEMALE: 1})
    assert body["worker"]["gender"] == 1


def test_temporary_agency_worker() -> None:  # reference §9.6
    event = with_employer(
        hire(
            jointCommittee="322",
            startDate="2026-05-04",
            endDate="2026-05-08",
            usingEmployer={"enterpriseNumber": "0812345603", "jointCommittee": "200"},
        ),
        {"nossRegistrationNumber": "100000015"},
    )
    assert bodies(event) == [
        {
            "employer": {"employerId": 100000015},
            "worker": {"ssin": "90051512391"},
            "dimonaIn": {
                "startDate": "2026-05-04",
                "endDate": "2026-05-08",
                "features": {
                    "jointCommissionNumber": "322",
                    "workerType": "OTH",
                    "usingEmployer": {
                        "jointCommissionNumber": "XXX",
                        "enterpriseNumber": "0812345603",
                    },
                },
            },
        }
    ]


def test_construction_and_small_statute_blocks() -> None:
    event = hire(
        workerType="IVT",
        jointCommittee="124",
        endDate="2026-06-30",
        constructionCards={"firstMonth": "123456789012", "nextMonth": "123456789013"},
        smallStatutes={
            "employmentNature": "WORKER",
            "workerStatus": "F2",
            "activityWithRisk": "012",
        },
    )
    dimona_in = bodies(event)[0]["dimonaIn"]
    assert dimona_in["constructionControlCards"] == {
        "firstMonthC32ANumber": "123456789012",
        "nextMonthC32ANumber": "123456789013",
    }
    assert dimona_in["smallStatutesInformation"] == {
        "employmentNature": "WORKER",
        "activityWithRisk": "012",
        "workerStatus": "F2",
    }


@pytest.mark.parametrize(
    ("declaration", "body"),
    [  # reference §9.7
        (
            OutDeclaration(
                period_id=656309300157, period_start=date(2026, 3, 2), end_date=date(2026, 6, 30)
            ),
            {"dimonaOut": {"periodId": 656309300157, "endDate": "2026-06-30"}},
        ),
        (
            UpdateDeclaration(
                period_id=656309300258,
                period_start=date(2026, 3, 7),
                start_date=date(2026, 3, 7),
                start_time=time(17),
                end_date=date(2026, 3, 7),
                end_time=time(23),
            ),
            {
                "dimonaUpdate": {
                    "periodId": 656309300258,
                    "startDate": "2026-03-07",
                    "startHour": "1700",
                    "endDate": "2026-03-07",
                    "endHour": "2300",
                }
            },
        ),
        (
            UpdateDeclaration(
                period_id=656309300157, period_start=date(2026, 3, 2), end_date=REOPEN_END_DATE
            ),
            {"dimonaUpdate": {"periodId": 656309300157, "endDate": "9999-12-31"}},
        ),
        (
            CancelDeclaration(period_id=656309300359, period_start=date(2026, 3, 2)),
            {"dimonaCancel": {"periodId": 656309300359}},
        ),
    ],
)
def test_follow_up_bodies(declaration: Any, body: dict[str, Any]) -> None:
    assert declaration_to_body(declaration) == body


def test_unresolved_period_cannot_be_sent() -> None:
    with pytest.raises(UnresolvedPeriod):
        declaration_to_body(CancelDeclaration(period_id=None, period_start=date(2026, 3, 2)))


def test_empty_values_are_pruned() -> None:
    assert prune({"a": None, "b": "", "c": {}, "d": {"e": None}, "f": 0, "g": [1]}) == {
        "f": 0,
        "g": [1],
    }


def test_box_number_and_missing_municipality_code() -> None:
    worker = IDENTIFIED_WORKER | {
        "address": ADDRESS | {"boxNumber": "3B", "municipalityCode": None}
    }
    event = with_worker(hire(), dict(worker))
    address = bodies(event)[0]["worker"]["address"]
    assert address["boxNumber"] == "3B"
    assert address["municipality"] == {"name": "Bruxelles"}


def test_in_declaration_body_never_contains_core_only_fields() -> None:
    declaration = InDeclaration.model_validate(
        {
            "employer": {"enterprise_number": "0412345614"},
            "worker": {"ssin": "90051512391"},
            "start_date": date(2026, 3, 2),
            "worker_type": "OTH",
            "joint_committee": "XXX",
            "actual_joint_committee": "200",
            "not_before": date(2026, 3, 1),
        }
    )
    text = str(declaration_to_body(declaration))
    assert "200" not in text
    assert "notBefore" not in text
