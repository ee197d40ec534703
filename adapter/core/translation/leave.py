"""LEAVE and CANCEL events: close, shorten or cancel the known periods."""

from __future__ import annotations

from datetime import date, timedelta

from adapter.core.declarations import Declaration, OutDeclaration, UpdateDeclaration
from adapter.core.events import Leave
from adapter.core.periods import KnownPeriod
from adapter.core.translation.reconcile import cancel_of


def leave_declarations(leave: Leave, live: tuple[KnownPeriod, ...]) -> tuple[Declaration, ...]:
    """OUT for an open period, UPDATE for one whose end changes, CANCEL if never started.

    Periods that ended before the last day are left alone: a LEAVE never lengthens a
    period (a CHANGE does).
    """
    last = leave.last_day
    cancels: list[Declaration] = []
    changes: list[Declaration] = []
    for period in live:
        if period.start_date > last:
            cancels.append(cancel_of(period))
        elif period.end_date is None:
            changes.append(
                OutDeclaration(
                    period_id=period.period_id, period_start=period.start_date, end_date=last
                )
            )
        elif _night_shift_starting_on(period, last):
            continue  # it began on the last day and ends the next morning: keep it
        elif period.end_date >= last:
            end_time = period.end_time
            if end_time is not None and leave.last_time is not None:
                end_time = leave.last_time
            if period.end_date > last or end_time != period.end_time:
                timed = period.start_time is not None or period.end_time is not None
                changes.append(
                    UpdateDeclaration(
                        period_id=period.period_id,
                        period_start=period.start_date,
                        end_date=last,
                        start_time=period.start_time if timed else None,
                        end_time=end_time if timed else None,
                        planned_hours=period.planned_hours,
                        worker_type=period.worker_type,
                    )
                )
    return (*cancels, *changes)


def _night_shift_starting_on(period: KnownPeriod, last: date) -> bool:
    return (
        period.start_date == last
        and period.end_date == last + timedelta(days=1)
        and period.start_time is not None
        and period.end_time is not None
        and period.end_time <= period.start_time
    )


def cancel_declarations(live: tuple[KnownPeriod, ...]) -> tuple[Declaration, ...]:
    return tuple(cancel_of(p) for p in live)
