"""Known periods kept up to date from submissions and ONSS answers."""

from __future__ import annotations

from datetime import date

from adapter.core.declarations import (
    REOPEN_END_DATE,
    CancelDeclaration,
    InDeclaration,
    OutDeclaration,
    UpdateDeclaration,
)
from adapter.core.periods import KnownPeriod, PeriodState
from adapter.core.results import Anomaly, DeclarationAnswer, DimonaResult
from adapter.core.translation import (
    apply_answer,
    apply_submission,
    resolve_period_ids,
    translate,
)
from tests.unit.core.core_factories import TODAY, hire, known, leave

PID = 656309300157


def the_in() -> InDeclaration:
    (declaration,) = translate(hire(), [], today=TODAY).declarations
    assert isinstance(declaration, InDeclaration)
    return declaration


def answer(result: DimonaResult, period_id: int | None = PID, *codes: str) -> DeclarationAnswer:
    return DeclarationAnswer(
        declaration_id=PID + 101,
        result=result,
        period_id=period_id,
        anomalies=tuple(Anomaly(code=c) for c in codes),
    )


def test_in_submitted_then_accepted() -> None:
    declaration = the_in()
    pending = apply_submission((), declaration)
    assert [(p.state, p.period_id) for p in pending] == [(PeriodState.PENDING, None)]
    assert apply_submission(pending, declaration) == pending  # idempotent
    done = apply_answer(pending, declaration, answer(DimonaResult.ACCEPTED))
    assert [(p.state, p.period_id, p.joint_committee) for p in done] == [
        (PeriodState.ACTIVE, PID, "XXX")
    ]


def test_in_refused_or_waiting() -> None:
    declaration = the_in()
    pending = apply_submission((), declaration)
    refused = apply_answer(pending, declaration, answer(DimonaResult.REFUSED, None))
    assert [p.state for p in refused] == [PeriodState.REFUSED]
    waiting = apply_answer(pending, declaration, answer(DimonaResult.WAITING_IDENTIFICATION))
    assert [(p.state, p.period_id) for p in waiting] == [(PeriodState.PENDING, PID)]


def test_out_update_cancel_applied() -> None:
    period = known("2026-03-02", period_id=PID)
    start = period.start_date
    out = OutDeclaration(period_id=PID, period_start=start, end_date=date(2026, 6, 30))
    (closed,) = apply_answer([period], out, answer(DimonaResult.ACCEPTED_WITH_WARNING))
    assert closed.end_date == date(2026, 6, 30)
    reopen = UpdateDeclaration(
        period_id=PID, period_start=start, end_date=REOPEN_END_DATE, start_date=date(2026, 3, 3)
    )
    (opened,) = apply_answer([closed], reopen, answer(DimonaResult.ACCEPTED))
    assert (opened.end_date, opened.start_date) == (None, date(2026, 3, 3))
    cancel = CancelDeclaration(period_id=PID, period_start=start)
    (gone,) = apply_answer([opened], cancel, answer(DimonaResult.ACCEPTED))
    assert gone.state is PeriodState.CANCELLED


def test_refused_follow_up_changes_nothing_except_already_cancelled() -> None:
    period = known("2026-03-02", period_id=PID)
    out = OutDeclaration(period_id=PID, period_start=period.start_date, end_date=date(2026, 6, 30))
    assert apply_answer([period], out, answer(DimonaResult.REFUSED, PID, "00913-356")) == (period,)
    cancel = CancelDeclaration(period_id=PID, period_start=period.start_date)
    (gone,) = apply_answer([period], cancel, answer(DimonaResult.REFUSED, PID, "00913-355"))
    assert gone.state is PeriodState.CANCELLED


def test_follow_up_translated_while_pending_gets_its_period_id() -> None:
    declaration = the_in()
    pending = apply_submission((), declaration)
    (out,) = translate(leave("2026-03-31"), pending, today=TODAY).declarations
    assert resolve_period_ids([out], pending) == (out,)  # still unknown: must wait
    done = apply_answer(pending, declaration, answer(DimonaResult.ACCEPTED))
    (resolved,) = resolve_period_ids([out], done)
    assert isinstance(resolved, OutDeclaration)
    assert resolved.period_id == PID
    (closed,) = apply_answer(done, resolved, answer(DimonaResult.ACCEPTED))
    assert closed.end_date == date(2026, 3, 31)


def test_answer_for_an_unknown_period_changes_nothing() -> None:
    period = known("2026-03-02", period_id=PID)
    cancel = CancelDeclaration(period_id=PID + 100, period_start=date(2025, 1, 1))
    assert apply_answer([period], cancel, answer(DimonaResult.ACCEPTED)) == (period,)


def test_declarations_and_periods_survive_a_json_round_trip() -> None:
    from pydantic import TypeAdapter

    from adapter.core.declarations import Declaration

    declarations = TypeAdapter(tuple[Declaration, ...])
    periods = TypeAdapter(tuple[KnownPeriod, ...])
    event = hire(
        workerType="EXT",
        jointCommittee="302",
        startDate="2026-03-07",
        endDate="2026-03-07",
        startTime="10:00",
        endTime="18:00",
    )
    translated = translate(event, [], today=TODAY).declarations
    follow_ups = (
        OutDeclaration(period_id=PID, period_start=date(2026, 3, 2), end_date=date(2026, 3, 9)),
        UpdateDeclaration(
            period_id=None,
            period_start=date(2026, 3, 2),
            end_date=REOPEN_END_DATE,
            worker_type="OTH",
        ),
        CancelDeclaration(period_id=PID, period_start=date(2026, 3, 2)),
    )
    everything = (*translated, *follow_ups)
    assert declarations.validate_json(declarations.dump_json(everything)) == everything
    known_periods = apply_submission((), translated[0])
    assert periods.validate_json(periods.dump_json(known_periods)) == known_periods
    camel = periods.dump_json(known_periods, by_alias=True)
    assert b"startDate" in camel
    assert periods.validate_json(camel) == known_periods
