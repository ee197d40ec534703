"""Keeping the known periods of an employment up to date as declarations are sent and answered."""

from __future__ import annotations

from collections.abc import Sequence

from adapter.core.declarations import (
    REOPEN_END_DATE,
    CancelDeclaration,
    Declaration,
    FollowUp,
    InDeclaration,
    OutDeclaration,
    UpdateDeclaration,
)
from adapter.core.periods import KnownPeriod, PeriodState
from adapter.core.results import DeclarationAnswer, DimonaResult

ALREADY_CANCELLED = "00913-355"


def _sorted(periods: Sequence[KnownPeriod]) -> tuple[KnownPeriod, ...]:
    return tuple(sorted(periods, key=lambda p: (p.start_date, p.period_id or 0)))


def period_of(declaration: InDeclaration, state: PeriodState, period_id: int | None) -> KnownPeriod:
    return KnownPeriod.of(
        declaration, state=state, period_id=period_id, blocks_key=declaration.blocks_key()
    )


def _is_pending_in(period: KnownPeriod, declaration: InDeclaration) -> bool:
    return (
        period.state is PeriodState.PENDING
        and period.start_date == declaration.start_date
        and period.worker_type == declaration.worker_type
    )


def apply_submission(
    periods: Sequence[KnownPeriod], declaration: Declaration
) -> tuple[KnownPeriod, ...]:
    """After an IN is submitted its period is PENDING: later events can already target it."""
    if not isinstance(declaration, InDeclaration):
        return _sorted(periods)
    if any(_is_pending_in(p, declaration) for p in periods):
        return _sorted(periods)
    return _sorted([*periods, period_of(declaration, PeriodState.PENDING, None)])


def _target(periods: Sequence[KnownPeriod], declaration: FollowUp) -> int | None:
    for index, period in enumerate(periods):
        if declaration.period_id is not None and period.period_id == declaration.period_id:
            return index
    for index, period in enumerate(periods):
        if period.state.is_live and period.start_date == declaration.period_start:
            return index
    return None


def apply_answer(
    periods: Sequence[KnownPeriod], declaration: Declaration, answer: DeclarationAnswer
) -> tuple[KnownPeriod, ...]:
    """The known periods once ONSS has answered ``declaration`` (pure)."""
    if isinstance(declaration, InDeclaration):
        rest = [p for p in periods if not _is_pending_in(p, declaration)]
        state = {
            DimonaResult.ACCEPTED: PeriodState.ACTIVE,
            DimonaResult.ACCEPTED_WITH_WARNING: PeriodState.ACTIVE,
            DimonaResult.WAITING_IDENTIFICATION: PeriodState.PENDING,
            DimonaResult.REFUSED: PeriodState.REFUSED,
        }[answer.result]
        return _sorted([*rest, period_of(declaration, state, answer.period_id)])
    index = _target(periods, declaration)
    if index is None:
        return _sorted(periods)
    period = periods[index]
    updated = period
    if answer.result.creates_period:
        updated = _applied(period, declaration)
    elif (
        isinstance(declaration, CancelDeclaration)
        and answer.result is DimonaResult.REFUSED
        and answer.has_anomaly(ALREADY_CANCELLED)
    ):
        updated = period.model_copy(update={"state": PeriodState.CANCELLED})
    if updated.period_id is None and answer.period_id is not None:
        updated = updated.model_copy(update={"period_id": answer.period_id})
    new = list(periods)
    new[index] = updated
    return _sorted(new)


def _applied(period: KnownPeriod, declaration: FollowUp) -> KnownPeriod:
    if isinstance(declaration, CancelDeclaration):
        return period.model_copy(update={"state": PeriodState.CANCELLED})
    if isinstance(declaration, OutDeclaration):
        return period.model_copy(update={"end_date": declaration.end_date})
    assert isinstance(declaration, UpdateDeclaration)
    changes: dict[str, object] = {}
    if declaration.start_date is not None:
        changes["start_date"] = declaration.start_date
    if declaration.end_date is not None:
        changes["end_date"] = (
            None if declaration.end_date == REOPEN_END_DATE else declaration.end_date
        )
    if declaration.start_time is not None:
        changes["start_time"] = declaration.start_time
    if declaration.end_time is not None:
        changes["end_time"] = declaration.end_time
    if declaration.planned_hours is not None:
        changes["planned_hours"] = declaration.planned_hours
    return period.model_copy(update=changes)


def resolve_period_ids(
    declarations: Sequence[Declaration], periods: Sequence[KnownPeriod]
) -> tuple[Declaration, ...]:
    """Fill in the period id of follow-ups translated while their IN was pending.

    A follow-up whose period still has no id keeps ``period_id=None``: it must wait.
    """
    out: list[Declaration] = []
    for declaration in declarations:
        if isinstance(declaration, InDeclaration) or declaration.period_id is not None:
            out.append(declaration)
            continue
        index = _target(periods, declaration)
        period_id = periods[index].period_id if index is not None else None
        out.append(
            declaration.model_copy(update={"period_id": period_id}) if period_id else declaration
        )
    return tuple(out)
