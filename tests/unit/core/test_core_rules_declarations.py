"""The rules on declarations (IN, OUT, CANCEL, UPDATE), as ``validate_declaration`` checks them."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest

from adapter.core.declarations import (
    CancelDeclaration,
    InDeclaration,
    OutDeclaration,
    UpdateDeclaration,
)
from adapter.core.events import Employer, Worker
from adapter.core.rules import RuleCode, RuleOptions, validate_declaration
from tests.unit.core.core_factories import TODAY

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
