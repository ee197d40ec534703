"""Translation of a CHANGE: UPDATE, OUT, or CANCEL + IN of the known periods, by what changed."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from adapter.core.declarations import (
    REOPEN_END_DATE,
    CancelDeclaration,
    DeclarationKind,
    InDeclaration,
    UpdateDeclaration,
)
from adapter.core.periods import KnownPeriod, PeriodState
from tests.unit.core.core_factories import change, hire, known
from tests.unit.core.translation_cases import D, ins, kinds, run


@pytest.mark.parametrize(
    ("period", "contract", "expected"),
    [
        # closed period, new end date → UPDATE of the end
        (
            known("2026-03-02", "2026-06-30"),
            {"endDate": "2026-09-30"},
            [("UPDATE", {"end_date": D("2026-09-30"), "start_date": None})],
        ),
        # open period gets an end date → OUT (never UPDATE, 00913-359)
        (known("2026-03-02"), {"endDate": "2026-09-30"}, [("OUT", {"end_date": D("2026-09-30")})]),
        # closed period re-opened → UPDATE with 9999-12-31
        (known("2026-03-02", "2026-06-30"), {}, [("UPDATE", {"end_date": REOPEN_END_DATE})]),
        # new start of an ordinary open period → UPDATE of the start
        (
            known("2026-03-02"),
            {"startDate": "2026-03-09"},
            [("UPDATE", {"start_date": D("2026-03-09"), "end_date": None})],
        ),
        # new start and a new end on an open period → UPDATE of the start, then OUT
        (
            known("2026-03-02"),
            {"startDate": "2026-03-09", "endDate": "2026-04-30"},
            [("UPDATE", {"start_date": D("2026-03-09")}), ("OUT", {"end_date": D("2026-04-30")})],
        ),
        # other worker type → CANCEL + IN
        (known("2026-03-02"), {"workerType": "DWD"}, [("CANCEL", {}), ("IN", {})]),
        # other declared joint committee → CANCEL + IN
        (known("2026-03-02"), {"jointCommittee": "140"}, [("CANCEL", {}), ("IN", {})]),
        # same state → nothing
        (known("2026-03-02", "2026-06-30"), {"endDate": "2026-06-30"}, []),
    ],
)
def test_change_of_one_period(
    period: KnownPeriod, contract: dict[str, Any], expected: list[tuple[str, dict[str, Any]]]
) -> None:
    result = run(change(**contract), [period])
    assert kinds(result) == [k for k, _ in expected]
    for declaration, (_, fields) in zip(result.declarations, expected, strict=True):
        for name, value in fields.items():
            assert getattr(declaration, name) == value
        if declaration.kind is not DeclarationKind.IN:
            assert declaration.period_id == period.period_id


STU_Q1 = {"workerType": "STU", "endDate": "2026-03-31", "plannedHours": 30}


def test_change_of_a_student_start_cancels_and_declares_again() -> None:
    period = known("2026-03-02", "2026-03-31", worker_type="STU", planned_hours=30)
    result = run(change(**STU_Q1 | {"startDate": "2026-03-09"}), [period])
    assert kinds(result) == ["CANCEL", "IN"]
    assert ins(result)[0].start_date == D("2026-03-09")


def test_change_of_student_hours_updates_hours_with_the_end_date() -> None:
    period = known("2026-03-02", "2026-03-31", worker_type="STU", planned_hours=30)
    (update,) = run(change(**STU_Q1 | {"plannedHours": 45}), [period]).declarations
    assert isinstance(update, UpdateDeclaration)
    assert (update.start_date, update.end_date, update.planned_hours) == (None, D("2026-03-31"), 45)


def test_change_shortening_a_student_contract_cancels_the_later_quarters() -> None:
    q1 = known("2026-03-02", "2026-03-31", worker_type="STU", planned_hours=30)
    q2 = known("2026-04-01", "2026-06-30", worker_type="STU", planned_hours=90)
    result = run(change(**STU_Q1), [q1, q2])
    assert kinds(result) == ["CANCEL"]
    assert result.declarations[0] == CancelDeclaration(
        period_id=q2.period_id, period_start=q2.start_date
    )


def test_change_pushing_back_a_flexi_end_replaces_the_period() -> None:
    period = known("2026-03-02", "2026-03-20", worker_type="FLX")
    result = run(change(workerType="FLX", jointCommittee="302", endDate="2026-03-27"), [period])
    assert kinds(result) == ["CANCEL", "IN"]


def test_change_bringing_forward_a_flexi_end_updates() -> None:
    period = known("2026-03-02", "2026-03-20", worker_type="FLX")
    result = run(change(workerType="FLX", jointCommittee="302", endDate="2026-03-13"), [period])
    assert kinds(result) == ["UPDATE"]


def test_change_of_flexi_days_cancels_dropped_days_and_declares_new_ones() -> None:
    timed = {"start_time": time(18), "end_time": time(23)}
    days = [known(f"2026-03-0{n}", f"2026-03-0{n}", worker_type="FLX", **timed) for n in (7, 8)]
    result = run(
        change(
            workerType="FLX",
            jointCommittee="302",
            startDate="2026-03-08",
            endDate="2026-03-09",
            startTime="18:00",
            endTime="23:00",
        ),
        days,
    )
    assert kinds(result) == ["CANCEL", "IN"]
    assert result.declarations[0].period_start == D("2026-03-07")  # type: ignore[union-attr]
    assert ins(result)[0].start_date == D("2026-03-09")


def test_change_of_the_user_enterprise_replaces_the_period() -> None:
    temp = {
        "jointCommittee": "322",
        "endDate": "2026-03-06",
        "usingEmployer": {"enterpriseNumber": "0812345603", "jointCommittee": "200"},
    }
    (declaration,) = run(hire(**temp)).declarations
    assert isinstance(declaration, InDeclaration)
    period = known(
        "2026-03-02", "2026-03-06", joint_committee="322", blocks_key=declaration.blocks_key()
    )
    assert run(change(**temp), [period]).declarations == ()
    other = temp | {"usingEmployer": {"name": "Foreign Ltd", "jointCommittee": "200"}}
    assert kinds(run(change(**other), [period])) == ["CANCEL", "IN"]


def test_change_without_a_live_period_declares_in() -> None:
    refused = known("2026-03-02", state=PeriodState.REFUSED, period_id=None)
    assert kinds(run(change(), [refused])) == ["IN"]
