"""Every contract rule checked before submission: one row per rule, one row per accepted edge.

The rules on the worker and the employer, on declarations and on the event's structure are in
the ``test_core_rules_*.py`` modules beside this one.
"""

from __future__ import annotations

from typing import Any

import pytest

from adapter.core.rules import RuleCode
from tests.unit.core.core_factories import ADDRESS, hire
from tests.unit.core.rules_cases import CARDS, EXT, FLX_DAY, PLACE, STATUTES, STU, TEMP, codes

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
