"""Translation of a CANCEL: every live period cancelled, in order."""

from __future__ import annotations

from adapter.core.declarations import CancelDeclaration
from adapter.core.periods import PeriodState
from tests.unit.core.core_factories import cancel, known
from tests.unit.core.translation_cases import run


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
