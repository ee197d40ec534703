"""HIRE and CHANGE: bring the known periods to the state the contract asks for.

Each wanted IN is paired with the known period that has the same key (the same day for
flexi day contracts, the same quarter for quarter-split types, otherwise the first
period). A pair becomes nothing, an UPDATE, an OUT (closing an open period), or a
CANCEL + IN where ONSS forbids the update (other worker type or joint committee, a
student's start date, a flexi end date pushed back, a block only an IN carries).
Unpaired known periods are cancelled, unpaired wanted INs declared.
"""

from __future__ import annotations

from adapter.core import codes
from adapter.core.declarations import (
    REOPEN_END_DATE,
    CancelDeclaration,
    Declaration,
    InDeclaration,
    OutDeclaration,
    UpdateDeclaration,
)
from adapter.core.periods import KnownPeriod
from adapter.core.translation.desired import period_key


def cancel_of(period: KnownPeriod) -> CancelDeclaration:
    return CancelDeclaration(period_id=period.period_id, period_start=period.start_date)


def reconcile(
    wanted: tuple[InDeclaration, ...], live: tuple[KnownPeriod, ...], shape: str
) -> tuple[Declaration, ...]:
    by_key: dict[object, InDeclaration] = {period_key(shape, w.start_date): w for w in wanted}
    paired: dict[object, KnownPeriod] = {}
    cancels: list[CancelDeclaration] = []
    for period in live:
        key = period_key(shape, period.start_date)
        if key in by_key and key not in paired:
            paired[key] = period
        else:
            cancels.append(cancel_of(period))
    changes: list[Declaration] = []
    ins: list[InDeclaration] = []
    for key, want in by_key.items():
        known = paired.get(key)
        if known is None:
            ins.append(want)
        elif _must_replace(known, want):
            cancels.append(cancel_of(known))
            ins.append(want)
        else:
            changes.extend(_changes(known, want))
    cancels.sort(key=lambda d: d.period_start)
    ins.sort(key=lambda d: d.start_date)
    return (*cancels, *changes, *ins)


def _must_replace(known: KnownPeriod, want: InDeclaration) -> bool:
    if known.worker_type != want.worker_type or known.joint_committee != want.joint_committee:
        return True
    if want.worker_type == "STU" and known.start_date != want.start_date:
        return True
    # An UPDATE without hours leaves the declared hours as they are: it cannot remove them.
    known_timed = known.start_time is not None or known.end_time is not None
    if known_timed and want.start_time is None and want.end_time is None:
        return True
    # The user enterprise, place of work, cards and small statutes only travel in an IN.
    if known.blocks_key is not None and known.blocks_key != want.blocks_key():
        return True
    # A flexi end date cannot be pushed back (reference §6.5).
    return (
        want.worker_type == "FLX"
        and known.end_date is not None
        and (want.end_date is None or want.end_date > known.end_date)
    )


def _changes(known: KnownPeriod, want: InDeclaration) -> list[Declaration]:
    start_changed = known.start_date != want.start_date
    end_changed = known.end_date != want.end_date
    times_changed = (known.start_time, known.end_time) != (want.start_time, want.end_time)
    planned = want.worker_type in codes.PLANNED_HOURS_TYPES
    planned_changed = planned and known.planned_hours != want.planned_hours
    closing = known.end_date is None and want.end_date is not None
    out: list[Declaration] = []
    if start_changed or (end_changed and not closing) or times_changed or planned_changed:
        end = None
        if end_changed and not closing:
            end = want.end_date or REOPEN_END_DATE
        elif not start_changed and want.end_date is not None and not closing:
            end = want.end_date  # an UPDATE needs a start or an end date (90378-360)
        timed = want.start_time is not None or want.end_time is not None
        out.append(
            UpdateDeclaration(
                period_id=known.period_id,
                period_start=known.start_date,
                start_date=want.start_date if start_changed else None,
                start_time=want.start_time if timed else None,
                end_date=end,
                end_time=want.end_time if timed else None,
                planned_hours=want.planned_hours if planned else None,
                worker_type=want.worker_type,
            )
        )
    if closing:
        assert want.end_date is not None
        out.append(
            OutDeclaration(
                period_id=known.period_id, period_start=known.start_date, end_date=want.end_date
            )
        )
    return out
