"""Every rule checked before submission: one row per rule, one row per accepted edge."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from pydantic import ValidationError

from adapter.core.declarations import (
    CancelDeclaration,
    InDeclaration,
    OutDeclaration,
    UpdateDeclaration,
)
from adapter.core.events import Employer, EmploymentEvent, Worker
from adapter.core.rules import (
    RuleCode,
    RuleOptions,
    validate_declaration,
    validate_event,
    violations_from_validation_error,
)
from tests.unit.core.core_factories import (
    ADDRESS,
    IDENTIFIED_WORKER,
    TODAY,
    event_dict,
    hire,
    leave,
    with_employer,
    with_worker,
)

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


VALID_CONTRACTS: list[dict[str, Any]] = [
    {},
    {"endDate": "2026-12-31"},
    STU,
    STU | {"endDate": "2026-09-30", "plannedHours": 300},  # spans quarters: split later
    STU | {"studentPlaceOfWork": PLACE},
    FLX_DAY,
    FLX_DAY | {"endDate": "2026-03-08", "endTime": "02:00"},  # one shift past midnight
    FLX_DAY | {"endDate": "2026-03-10"},  # one shift per day
    {"workerType": "FLX", "endDate": "2026-05-31", "jointCommittee": "302"},  # flexi period
    EXT,
    EXT | {"endDate": "2026-03-08", "endTime": "06:00"},
    EXT | TEMP | {"endDate": "2026-03-07"},
    TEMP,
    TEMP
    | {
        "usingEmployer": {"name": "Foreign Ltd", "jointCommittee": "124"},
        "constructionCards": CARDS,
    },
    {"jointCommittee": "124", "workerType": "BCW", "constructionCards": CARDS},
    {
        "jointCommittee": "322",
        "workerType": "BCW",
        "endDate": "2026-03-06",
        "usingEmployer": {"enterpriseNumber": "0812345603"},
        "constructionCards": CARDS,
    },
    {"workerType": "IVT", "endDate": "2026-06-30", "smallStatutes": STATUTES},
    {"workerType": "O17", "startDate": "2026-03-10", "endDate": "2026-03-12", "plannedHours": 10},
    {"workerType": "T17", "startDate": "2026-03-10", "endDate": "2026-03-10"},
    {"workerType": "ALT"},
    {"jointCommittee": "302.01"},
]


@pytest.mark.parametrize("contract", VALID_CONTRACTS)
def test_valid_contracts_pass(contract: dict[str, Any]) -> None:
    assert codes(hire(**contract)) == set()


C = "contract."
INVALID_CONTRACTS: list[tuple[dict[str, Any], str, str]] = [
    ({"workerType": "XYZ"}, RuleCode.WORKER_TYPE_UNKNOWN, C + "workerType"),
    ({"workerType": "TEA"}, RuleCode.WORKER_TYPE_NOT_VALID_ON_DATE, C + "workerType"),
    (
        {"workerType": "A17", "endDate": "2026-03-02"},
        RuleCode.WORKER_TYPE_NOT_VALID_ON_DATE,
        C + "workerType",
    ),
    (
        {"workerType": "QUA", "endDate": "2026-03-02"},
        RuleCode.WORKER_TYPE_NOT_VALID_ON_DATE,
        C + "workerType",
    ),
    (
        {"workerType": "STX", "endDate": "2026-03-02"},
        RuleCode.WORKER_TYPE_NOT_VALID_ON_DATE,
        C + "workerType",
    ),
    (
        {"workerType": "ALT", "startDate": "2023-08-31"},
        RuleCode.WORKER_TYPE_NOT_VALID_ON_DATE,
        C + "workerType",
    ),
    (
        {
            "workerType": "O17",
            "startDate": "2021-12-31",
            "endDate": "2021-12-31",
            "plannedHours": 3,
        },
        RuleCode.WORKER_TYPE_NOT_VALID_ON_DATE,
        C + "workerType",
    ),
    ({"jointCommittee": None}, RuleCode.JOINT_COMMITTEE_REQUIRED, C + "jointCommittee"),
    (EXT | {"jointCommittee": "200"}, RuleCode.JOINT_COMMITTEE_INCOMPATIBLE, C + "jointCommittee"),
    ({"startDate": "1919-12-31"}, RuleCode.START_DATE_OUT_OF_RANGE, C + "startDate"),
    ({"startDate": "2036-01-01"}, RuleCode.START_DATE_OUT_OF_RANGE, C + "startDate"),
    (
        {"startDate": "1998-01-01", "endDate": "1998-12-31"},
        RuleCode.END_DATE_OUT_OF_RANGE,
        C + "endDate",
    ),
    ({"endDate": "9999-12-31"}, RuleCode.END_DATE_OUT_OF_RANGE, C + "endDate"),
    ({"endDate": "2026-03-01"}, RuleCode.END_BEFORE_START, C + "endDate"),
    ({"workerType": "STU", "plannedHours": 10}, RuleCode.END_DATE_REQUIRED, C + "endDate"),
    ({"workerType": "IVT", "smallStatutes": STATUTES}, RuleCode.END_DATE_REQUIRED, C + "endDate"),
    (TEMP | {"endDate": None}, RuleCode.END_DATE_REQUIRED, C + "endDate"),
    (
        {"workerType": "T17", "startDate": "2026-03-10", "endDate": "2026-03-11"},
        RuleCode.END_DATE_MUST_EQUAL_START,
        C + "endDate",
    ),
    (
        {"workerType": "FLX", "endDate": "2026-03-02", "jointCommittee": "302"},
        RuleCode.END_DATE_MUST_FOLLOW_START,
        C + "endDate",
    ),
    (
        {"workerType": "FLX", "endDate": "2026-04-01", "jointCommittee": "302"},
        RuleCode.END_DATE_MUST_FOLLOW_START,
        C + "endDate",
    ),  # one day in the second quarter
    ({"startTime": "08:00"}, RuleCode.HOURS_FORBIDDEN, C + "startTime"),
    (STU | {"endTime": "17:00"}, RuleCode.HOURS_FORBIDDEN, C + "endTime"),
    (EXT | {"startTime": None}, RuleCode.HOURS_REQUIRED, C + "startTime"),
    (EXT | {"endTime": None}, RuleCode.HOURS_REQUIRED, C + "endTime"),
    (FLX_DAY | {"endTime": None}, RuleCode.HOURS_REQUIRED, C + "endTime"),
    (FLX_DAY | {"endTime": "17:00"}, RuleCode.END_HOUR_BEFORE_START_HOUR, C + "endTime"),
    (
        FLX_DAY | {"endDate": "2026-03-09", "endTime": "02:00"},
        RuleCode.END_HOUR_BEFORE_START_HOUR,
        C + "endTime",
    ),
    (EXT | {"endDate": "2026-03-09"}, RuleCode.OCCASIONAL_TOO_MANY_DAYS, C + "endDate"),
    (EXT | {"endDate": "2026-03-08", "endTime": "11:00"}, RuleCode.PERIOD_TOO_LONG, C + "endTime"),
    (STU | {"plannedHours": None}, RuleCode.PLANNED_HOURS_REQUIRED, C + "plannedHours"),
    (
        {"workerType": "S17", "endDate": "2026-03-03"},
        RuleCode.PLANNED_HOURS_REQUIRED,
        C + "plannedHours",
    ),
    ({"plannedHours": 8}, RuleCode.PLANNED_HOURS_FORBIDDEN, C + "plannedHours"),
    (STU | {"plannedHours": 0}, RuleCode.PLANNED_HOURS_OUT_OF_RANGE, C + "plannedHours"),
    (STU | {"plannedHours": 1000}, RuleCode.PLANNED_HOURS_OUT_OF_RANGE, C + "plannedHours"),
    (
        STU | {"endDate": "2026-06-30", "plannedHours": 1},
        RuleCode.PLANNED_HOURS_OUT_OF_RANGE,
        C + "plannedHours",
    ),  # two quarters need at least one hour each
    (TEMP | {"usingEmployer": None}, RuleCode.USING_EMPLOYER_REQUIRED, C + "usingEmployer"),
    (
        {"usingEmployer": {"enterpriseNumber": "0812345603"}},
        RuleCode.USING_EMPLOYER_FORBIDDEN,
        C + "usingEmployer",
    ),
    (
        TEMP | {"usingEmployer": {"jointCommittee": "200"}},
        RuleCode.USING_EMPLOYER_UNIDENTIFIED,
        C + "usingEmployer",
    ),
    (
        TEMP | {"usingEmployer": {"enterpriseNumber": "0812345603", "name": "X"}},
        RuleCode.USING_EMPLOYER_AMBIGUOUS,
        C + "usingEmployer",
    ),
    (
        TEMP | {"usingEmployer": {"enterpriseNumber": "0812345603", "jointCommittee": "322"}},
        RuleCode.USING_EMPLOYER_JOINT_COMMITTEE,
        C + "usingEmployer.jointCommittee",
    ),
    (
        TEMP | {"usingEmployer": {"enterpriseNumber": "0812345604"}},
        RuleCode.USING_EMPLOYER_ENTERPRISE_NUMBER_INVALID,
        C + "usingEmployer.enterpriseNumber",
    ),
    (
        {"studentPlaceOfWork": PLACE},
        RuleCode.STUDENT_PLACE_OF_WORK_FORBIDDEN,
        C + "studentPlaceOfWork",
    ),
    (
        {"jointCommittee": "124", "workerType": "BCW"},
        RuleCode.CONSTRUCTION_CARDS_REQUIRED,
        C + "constructionCards",
    ),
    (
        TEMP | {"workerType": "BCW", "usingEmployer": {"enterpriseNumber": "0812345603"}},
        RuleCode.CONSTRUCTION_CARDS_REQUIRED,
        C + "constructionCards",
    ),
    ({"constructionCards": CARDS}, RuleCode.CONSTRUCTION_CARDS_FORBIDDEN, C + "constructionCards"),
    (
        {"jointCommittee": "124", "constructionCards": CARDS | {"nextMonth": "123456789012"}},
        RuleCode.CONSTRUCTION_CARD_REPEATED,
        C + "constructionCards.nextMonth",
    ),
    (
        {"workerType": "TRI", "endDate": "2026-04-30"},
        RuleCode.SMALL_STATUTES_REQUIRED,
        C + "smallStatutes",
    ),
    ({"smallStatutes": STATUTES}, RuleCode.SMALL_STATUTES_FORBIDDEN, C + "smallStatutes"),
    (
        STU | {"studentPlaceOfWork": PLACE | {"name": "x" * 97}},
        RuleCode.TEXT_TOO_LONG,
        C + "studentPlaceOfWork.name",
    ),
    (
        STU | {"studentPlaceOfWork": PLACE | {"address": ADDRESS | {"postCode": "10000"}}},
        RuleCode.POST_CODE_INVALID,
        C + "studentPlaceOfWork.address.postCode",
    ),
]


@pytest.mark.parametrize(("contract", "code", "field"), INVALID_CONTRACTS)
def test_contract_rules(contract: dict[str, Any], code: str, field: str) -> None:
    assert (code, field) in codes(hire(**contract))


def test_sector_committee_types_are_configurable() -> None:
    flexi_302 = hire(**FLX_DAY)
    assert codes(flexi_302) == set()
    # Declared as 302 when configured: still allowed, no violation either way.
    assert codes(flexi_302, sector_committee_types=frozenset({"EXT", "FLX"})) == set()


def test_ext_end_time_can_be_optional() -> None:
    event = hire(**EXT | {"endTime": None})
    assert codes(event, ext_end_time_required=False) == set()


def test_joint_committee_can_be_optional() -> None:
    assert codes(hire(jointCommittee=None), require_joint_committee=False) == set()


# ----------------------------------------------------------------- worker and employer

WORKER_CASES: list[tuple[dict[str, Any], dict[str, Any], str | None, str | None]] = [
    ({"ssin": "90051512392"}, {}, RuleCode.WORKER_SSIN_INVALID, "worker.ssin"),
    (IDENTIFIED_WORKER, {}, None, None),
    (IDENTIFIED_WORKER, EXT, RuleCode.WORKER_SSIN_REQUIRED, "worker.ssin"),
    (
        {k: v for k, v in IDENTIFIED_WORKER.items() if k != "placeOfBirth"},
        {},
        RuleCode.WORKER_IDENTIFICATION_MISSING,
        "worker.placeOfBirth",
    ),
    (
        {k: v for k, v in IDENTIFIED_WORKER.items() if k != "gender"},
        {},
        RuleCode.WORKER_IDENTIFICATION_MISSING,
        "worker.gender",
    ),
    (
        {k: v for k, v in IDENTIFIED_WORKER.items() if k != "address"},
        {},
        RuleCode.WORKER_IDENTIFICATION_MISSING,
        "worker.address",
    ),
    (
        IDENTIFIED_WORKER | {"birthDate": "1900-01-01"},
        {},
        RuleCode.WORKER_BIRTH_DATE_OUT_OF_RANGE,
        "worker.birthDate",
    ),
    (IDENTIFIED_WORKER | {"familyName": "X" * 49}, {}, RuleCode.TEXT_TOO_LONG, "worker.familyName"),
    (IDENTIFIED_WORKER | {"givenName": "X" * 25}, {}, RuleCode.TEXT_TOO_LONG, "worker.givenName"),
    (
        IDENTIFIED_WORKER | {"address": ADDRESS | {"street": "S" * 36}},
        {},
        RuleCode.TEXT_TOO_LONG,
        "worker.address.street",
    ),
    (
        IDENTIFIED_WORKER | {"address": ADDRESS | {"postCode": "B-1000"}},
        {},
        RuleCode.POST_CODE_INVALID,
        "worker.address.postCode",
    ),
    (
        IDENTIFIED_WORKER | {"address": ADDRESS | {"postCode": "75001", "country": 111}},
        {},
        None,
        None,
    ),
]


@pytest.mark.parametrize(("worker", "contract", "code", "field"), WORKER_CASES)
def test_worker_rules(
    worker: dict[str, Any], contract: dict[str, Any], code: str | None, field: str | None
) -> None:
    found = codes(with_worker(hire(**contract), worker))
    if code is None:
        assert found == set()
    else:
        assert (code, field) in found


def test_identification_is_not_needed_to_leave() -> None:
    event = with_worker(leave("2026-03-31"), {"familyName": "X"})
    assert codes(event) == set()


@pytest.mark.parametrize(
    ("employer", "code", "field"),
    [
        ({"nossRegistrationNumber": "123456749"}, None, None),
        ({"nossRegistrationNumber": "5123456773"}, None, None),
        (
            {"nossRegistrationNumber": "123456748"},
            RuleCode.EMPLOYER_NOSS_INVALID,
            "employer.nossRegistrationNumber",
        ),
        (
            {"nossRegistrationNumber": "099999"},
            RuleCode.EMPLOYER_NOSS_INVALID,
            "employer.nossRegistrationNumber",
        ),
        (
            {"enterpriseNumber": "0412345615"},
            RuleCode.EMPLOYER_ENTERPRISE_NUMBER_INVALID,
            "employer.enterpriseNumber",
        ),
    ],
)
def test_employer_rules(employer: dict[str, Any], code: str | None, field: str | None) -> None:
    found = codes(with_employer(hire(), employer))
    assert found == (set() if code is None else {(code, field)})


def test_leave_day_range() -> None:
    assert (RuleCode.END_DATE_OUT_OF_RANGE, "leave.lastDay") in codes(leave("1990-01-01"))


# ----------------------------------------------------------------- declarations

EMPLOYER = Employer(enterprise_number="0412345614")
WORKER = Worker(ssin="90051512391")


def an_in(**fields: Any) -> InDeclaration:
    base: dict[str, Any] = {
        "employer": EMPLOYER,
        "worker": WORKER,
        "start_date": date(2026, 3, 2),
        "worker_type": "OTH",
        "joint_committee": "XXX",
    }
    return InDeclaration(**(base | fields))


DECLARATION_CASES: list[tuple[Any, str | None]] = [
    (an_in(), None),
    (
        an_in(worker_type="STU", end_date=date(2026, 4, 2), planned_hours=10),
        RuleCode.NOT_SAME_QUARTER,
    ),
    (
        an_in(worker_type="STU", end_date=date(2026, 3, 31), planned_hours=1000),
        RuleCode.PLANNED_HOURS_OUT_OF_RANGE,
    ),
    (
        an_in(
            worker_type="FLX",
            joint_committee="XXX",
            start_date=date(2026, 7, 1),
            end_date=date(2026, 7, 10),
        ),
        RuleCode.DECLARED_TOO_EARLY,
    ),
    (
        an_in(
            worker_type="FLX",
            joint_committee="XXX",
            start_date=date(2026, 7, 1),
            end_date=date(2026, 7, 10),
            not_before=date(2026, 5, 31),
        ),
        None,
    ),
    (
        an_in(
            worker_type="O17",
            start_date=date(2026, 3, 20),
            end_date=date(2026, 3, 20),
            planned_hours=4,
        ),
        RuleCode.DECLARED_TOO_EARLY,
    ),
    (
        an_in(
            worker_type="FLX",
            start_date=date(2026, 3, 7),
            end_date=date(2026, 3, 7),
            start_time=time(18, 0),
        ),
        RuleCode.HOURS_REQUIRED,
    ),
    (
        an_in(
            worker_type="FLX",
            start_date=date(2026, 3, 7),
            end_date=date(2026, 3, 9),
            start_time=time(18, 0),
            end_time=time(23, 0),
        ),
        RuleCode.PERIOD_TOO_LONG,
    ),
    (
        OutDeclaration(
            period_id=656309300157, period_start=date(2026, 3, 2), end_date=date(2026, 3, 31)
        ),
        None,
    ),
    (
        OutDeclaration(
            period_id=656309300158, period_start=date(2026, 3, 2), end_date=date(2026, 3, 31)
        ),
        RuleCode.PERIOD_ID_INVALID,
    ),
    (CancelDeclaration(period_id=None, period_start=date(2026, 3, 2)), None),
    (
        UpdateDeclaration(period_id=656309300157, period_start=date(2026, 3, 2)),
        RuleCode.UPDATE_WITHOUT_DATES,
    ),
    (
        UpdateDeclaration(
            period_id=656309300157,
            period_start=date(2026, 3, 2),
            start_date=date(2026, 3, 3),
            worker_type="STU",
            planned_hours=3,
        ),
        RuleCode.UPDATE_START_DATE_FORBIDDEN,
    ),
    (
        UpdateDeclaration(
            period_id=656309300157, period_start=date(2026, 3, 2), end_date=date(9999, 12, 31)
        ),
        None,
    ),
    (
        UpdateDeclaration(
            period_id=656309300157,
            period_start=date(2026, 3, 2),
            start_date=date(2026, 3, 5),
            end_date=date(2026, 3, 4),
        ),
        RuleCode.END_BEFORE_START,
    ),
]


UPDATE_FIELD_CASES: list[tuple[dict[str, Any], str | None]] = [
    ({"worker_type": "STU", "planned_hours": 20}, None),
    ({"worker_type": "STU"}, RuleCode.PLANNED_HOURS_REQUIRED),
    ({"worker_type": "OTH", "planned_hours": 20}, RuleCode.PLANNED_HOURS_FORBIDDEN),
    ({"worker_type": "O17", "planned_hours": 1000}, RuleCode.PLANNED_HOURS_OUT_OF_RANGE),
    ({"worker_type": "OTH", "end_time": time(17)}, RuleCode.HOURS_FORBIDDEN),
    (
        {"worker_type": "EXT", "start_time": time(17), "end_time": time(16)},
        RuleCode.END_HOUR_BEFORE_START_HOUR,
    ),
    ({"worker_type": "EXT", "start_time": time(17), "end_time": time(18)}, None),
]


@pytest.mark.parametrize(("fields", "code"), UPDATE_FIELD_CASES)
def test_update_fields_follow_the_worker_type(fields: dict[str, Any], code: str | None) -> None:
    update = UpdateDeclaration(
        period_id=656309300157, period_start=date(2026, 3, 2), end_date=date(2026, 3, 2), **fields
    )
    found = {v.code for v in validate_declaration(update, today=TODAY)}
    assert found == (set() if code is None else {code})


@pytest.mark.parametrize(("declaration", "code"), DECLARATION_CASES)
def test_declaration_rules(declaration: Any, code: str | None) -> None:
    found = {v.code for v in validate_declaration(declaration, today=TODAY)}
    assert found == (set() if code is None else {code})


def test_period_id_check_digits_can_be_ignored() -> None:
    out = OutDeclaration(
        period_id=656309300158, period_start=date(2026, 3, 2), end_date=date(2026, 3, 31)
    )
    options = RuleOptions(verify_dimona_id_check_digits=False)
    assert validate_declaration(out, today=TODAY, options=options) == ()


# ----------------------------------------------------------------- structural errors


def test_validation_error_becomes_violations() -> None:
    body = event_dict(startDate="2026-13-01")
    body["employer"] = {}
    with pytest.raises(ValidationError) as info:
        EmploymentEvent.model_validate(body)
    found = {(v.code, v.field) for v in violations_from_validation_error(info.value)}
    assert ("SCHEMA", "contract.startDate") in found
    assert ("SCHEMA", "employer") in found
    assert all(v.message for v in violations_from_validation_error(info.value))


def test_missing_section_message() -> None:
    with pytest.raises(ValidationError) as info:
        EmploymentEvent.model_validate(event_dict("LEAVE"))
    (violation,) = violations_from_validation_error(info.value)
    assert violation.field == "event"
    assert "needs a leave section" in violation.message
