"""Each translation path: event + known periods → ordered declarations."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest

from adapter.core.declarations import (
    REOPEN_END_DATE,
    CancelDeclaration,
    DeclarationKind,
    InDeclaration,
    OutDeclaration,
    UpdateDeclaration,
)
from adapter.core.events import EmploymentEvent
from adapter.core.periods import KnownPeriod, PeriodState
from adapter.core.rules import RuleCode, RuleOptions
from adapter.core.translation import Translation, TranslationOptions, translate
from adapter.core.translation.desired import split_hours
from tests.unit.core.core_factories import TODAY, cancel, change, hire, known, leave

D = date.fromisoformat


def run(event: EmploymentEvent, periods: list[KnownPeriod] | None = None) -> Translation:
    result = translate(event, periods or [], today=TODAY)
    assert result.ok, result.violations
    return result


def kinds(result: Translation) -> list[str]:
    return [d.kind.value for d in result.declarations]


def ins(result: Translation) -> list[InDeclaration]:
    return [d for d in result.declarations if isinstance(d, InDeclaration)]


# ----------------------------------------------------------------------------- HIRE


@pytest.mark.parametrize(
    ("contract", "expected"),
    [
        # (contract fields, [(start, end, planned hours, declared JC)])
        ({}, [("2026-03-02", None, None, "XXX")]),
        (
            {
                "jointCommittee": "124",
                "workerType": "BCW",
                "constructionCards": {"firstMonth": "123456789012"},
            },
            [("2026-03-02", None, None, "124")],
        ),
        ({"jointCommittee": "149.01"}, [("2026-03-02", None, None, "149")]),
        ({"jointCommittee": "302"}, [("2026-03-02", None, None, "XXX")]),
        (
            {"workerType": "STU", "endDate": "2026-03-31", "plannedHours": 40},
            [("2026-03-02", "2026-03-31", 40, "XXX")],
        ),
        (
            {"workerType": "STU", "endDate": "2026-08-31", "plannedHours": 200.5},
            [
                ("2026-03-02", "2026-03-31", 34, "XXX"),
                ("2026-04-01", "2026-06-30", 99, "XXX"),
                ("2026-07-01", "2026-08-31", 68, "XXX"),
            ],
        ),
        (
            {
                "workerType": "O17",
                "startDate": "2026-03-10",
                "endDate": "2026-04-05",
                "plannedHours": 20,
            },
            [("2026-03-10", "2026-03-31", 16, "XXX"), ("2026-04-01", "2026-04-05", 4, "XXX")],
        ),
        (
            {"workerType": "FLX", "jointCommittee": "302", "endDate": "2026-05-31"},
            [("2026-03-02", "2026-03-31", None, "XXX"), ("2026-04-01", "2026-05-31", None, "XXX")],
        ),
    ],
)
def test_hire(
    contract: dict[str, Any], expected: list[tuple[str, str | None, int | None, str]]
) -> None:
    result = run(hire(**contract))
    got = [
        (
            d.start_date.isoformat(),
            d.end_date.isoformat() if d.end_date else None,
            d.planned_hours,
            d.joint_committee,
        )
        for d in ins(result)
    ]
    assert got == expected
    assert all(
        d.actual_joint_committee == contract.get("jointCommittee", "200") for d in ins(result)
    )


def test_hire_flexi_day_contract_is_one_in_per_day() -> None:
    result = run(
        hire(
            workerType="FLX",
            jointCommittee="302",
            startDate="2026-03-07",
            endDate="2026-03-09",
            startTime="18:00",
            endTime="23:30",
        )
    )
    assert [(d.start_date, d.end_date, d.start_time, d.end_time) for d in ins(result)] == [
        (D(f"2026-03-0{n}"), D(f"2026-03-0{n}"), time(18), time(23, 30)) for n in (7, 8, 9)
    ]


def test_hire_flexi_shift_past_midnight_is_one_in() -> None:
    result = run(
        hire(
            workerType="FLX",
            jointCommittee="302",
            startDate="2026-03-07",
            endDate="2026-03-08",
            startTime="22:00",
            endTime="03:00",
        )
    )
    (declaration,) = ins(result)
    assert (declaration.start_date, declaration.end_date) == (D("2026-03-07"), D("2026-03-08"))


def test_hire_flexi_far_ahead_is_deferred() -> None:
    result = run(
        hire(workerType="FLX", jointCommittee="302", startDate="2026-06-15", endDate="2026-08-31")
    )
    assert [d.not_before for d in ins(result)] == [None, D("2026-05-31")]


def test_hire_article17_far_ahead_is_deferred() -> None:
    result = run(hire(workerType="T17", startDate="2026-04-01", endDate="2026-04-01"))
    assert ins(result)[0].not_before == D("2026-03-17")


def test_hire_occasional_worker_keeps_the_sector_committee_and_hours() -> None:
    result = run(
        hire(
            workerType="EXT",
            jointCommittee="302",
            startDate="2026-03-07",
            endDate="2026-03-07",
            startTime="10:00",
            endTime="18:00",
        )
    )
    (declaration,) = ins(result)
    assert declaration.joint_committee == "302"
    assert (declaration.start_time, declaration.end_time) == (time(10), time(18))


def test_hire_temporary_agency_declares_the_user_committee() -> None:
    result = run(
        hire(
            jointCommittee="322",
            endDate="2026-03-06",
            usingEmployer={"enterpriseNumber": "0812345603", "jointCommittee": "200"},
        )
    )
    (declaration,) = ins(result)
    assert declaration.joint_committee == "322"
    assert declaration.using_employer is not None
    assert declaration.using_employer.joint_committee == "XXX"


def test_hire_with_ssin_sends_only_the_ssin() -> None:
    from tests.unit.core.core_factories import IDENTIFIED_WORKER, with_worker

    event = with_worker(hire(), {"ssin": "90051512391"} | IDENTIFIED_WORKER)
    assert ins(run(event))[0].worker.family_name is None
    options = TranslationOptions(send_identification_with_ssin=True)
    result = translate(event, [], today=TODAY, options=options)
    assert ins(result)[0].worker.family_name == "KOWALSKA"


def test_hire_breaking_a_rule_gives_violations_only() -> None:
    result = translate(hire(workerType="STU"), [], today=TODAY)
    assert result.declarations == ()
    assert {v.code for v in result.violations} == {
        RuleCode.END_DATE_REQUIRED,
        RuleCode.PLANNED_HOURS_REQUIRED,
    }


def test_hire_again_with_the_same_contract_changes_nothing() -> None:
    assert run(hire(), [known("2026-03-02")]).declarations == ()


# ----------------------------------------------------------------------------- LEAVE


def test_leave_closes_an_open_period_with_out() -> None:
    period = known("2026-03-02")
    result = run(leave("2026-06-30"), [period])
    assert result.declarations == (
        OutDeclaration(
            period_id=period.period_id, period_start=D("2026-03-02"), end_date=D("2026-06-30")
        ),
    )


def test_leave_before_the_end_updates_the_end_date() -> None:
    period = known("2026-03-02", "2026-12-31")
    result = run(leave("2026-06-30"), [period])
    (update,) = result.declarations
    assert isinstance(update, UpdateDeclaration)
    assert (update.period_id, update.end_date, update.start_date) == (
        period.period_id,
        D("2026-06-30"),
        None,
    )


def test_leave_on_the_declared_end_needs_nothing() -> None:
    assert run(leave("2026-12-31"), [known("2026-03-02", "2026-12-31")]).declarations == ()


def test_leave_before_the_start_cancels() -> None:
    period = known("2026-03-02")
    result = run(leave("2026-03-01"), [period])
    assert result.declarations == (
        CancelDeclaration(period_id=period.period_id, period_start=D("2026-03-02")),
    )


def test_leave_of_a_student_cancels_later_quarters_and_shortens_the_current_one() -> None:
    q1 = known("2026-03-02", "2026-03-31", worker_type="STU", planned_hours=30)
    q2 = known("2026-04-01", "2026-06-30", worker_type="STU", planned_hours=100)
    q3 = known("2026-07-01", "2026-08-31", worker_type="STU", planned_hours=70)
    result = run(leave("2026-05-15"), [q3, q1, q2])
    assert kinds(result) == ["CANCEL", "UPDATE"]
    cancel_q3, update_q2 = result.declarations
    assert isinstance(cancel_q3, CancelDeclaration)
    assert cancel_q3.period_id == q3.period_id
    assert isinstance(update_q2, UpdateDeclaration)
    assert (update_q2.period_id, update_q2.end_date, update_q2.planned_hours) == (
        q2.period_id,
        D("2026-05-15"),
        100,
    )


def test_leave_of_a_pending_period_targets_it_by_start() -> None:
    pending = known("2026-03-02", period_id=None, state=PeriodState.PENDING)
    (out,) = run(leave("2026-03-31"), [pending]).declarations
    assert isinstance(out, OutDeclaration)
    assert (out.period_id, out.period_start) == (None, D("2026-03-02"))


def test_leave_with_a_time_updates_the_end_hour_of_a_timed_period() -> None:
    period = known(
        "2026-03-07",
        "2026-03-07",
        worker_type="EXT",
        joint_committee="302",
        start_time=time(10),
        end_time=time(20),
    )
    (update,) = run(leave("2026-03-07", "16:00"), [period]).declarations
    assert isinstance(update, UpdateDeclaration)
    assert (update.start_time, update.end_time, update.end_date) == (
        time(10),
        time(16),
        D("2026-03-07"),
    )


def test_leave_on_the_day_a_night_shift_starts_keeps_the_shift() -> None:
    shift = known(
        "2026-03-07", "2026-03-08", worker_type="FLX", start_time=time(22), end_time=time(3)
    )
    assert run(leave("2026-03-07"), [shift]).declarations == ()


@pytest.mark.parametrize(
    "periods",
    [
        [],
        [known("2026-03-02", state=PeriodState.CANCELLED)],
        [known("2026-03-02", state=PeriodState.REFUSED, period_id=None)],
    ],
)
def test_leave_without_a_live_period_is_a_violation(periods: list[KnownPeriod]) -> None:
    result = translate(leave("2026-03-31"), periods, today=TODAY)
    assert [v.code for v in result.violations] == [RuleCode.NO_KNOWN_PERIOD]


# ----------------------------------------------------------------------------- CHANGE


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


# ----------------------------------------------------------------------------- CANCEL


def test_cancel_cancels_every_live_period_in_order() -> None:
    a = known("2026-03-02", "2026-03-31", worker_type="STU", planned_hours=3)
    b = known("2026-04-01", "2026-04-30", worker_type="STU", planned_hours=3)
    gone = known("2026-05-01", state=PeriodState.CANCELLED)
    result = run(cancel(), [b, gone, a])
    assert result.declarations == (
        CancelDeclaration(period_id=a.period_id, period_start=a.start_date),
        CancelDeclaration(period_id=b.period_id, period_start=b.start_date),
    )


def test_cancel_without_periods_declares_nothing() -> None:
    assert run(cancel()).declarations == ()


# ----------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (10, [1], [10]),
        (3, [1, 1, 1], [1, 1, 1]),
        (201, [30, 91, 62], [34, 99, 68]),
        (2, [90, 1], [1, 1]),
    ],
)
def test_split_hours(total: int, weights: list[int], expected: list[int]) -> None:
    assert split_hours(total, weights) == expected
    assert sum(split_hours(total, weights)) == total


def test_options_reach_the_rules() -> None:
    options = TranslationOptions(rules=RuleOptions(require_joint_committee=False))
    assert translate(hire(jointCommittee=None), [], today=TODAY, options=options).ok
