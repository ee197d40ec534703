"""Translation of a LEAVE: OUT, UPDATE or CANCEL of the known periods it ends."""

from __future__ import annotations

from datetime import time

import pytest

from adapter.core.declarations import CancelDeclaration, OutDeclaration, UpdateDeclaration
from adapter.core.periods import KnownPeriod, PeriodState
from adapter.core.rules import RuleCode
from adapter.core.translation import translate
from tests.unit.core.core_factories import TODAY, known, leave
from tests.unit.core.translation_cases import D, kinds, run


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
