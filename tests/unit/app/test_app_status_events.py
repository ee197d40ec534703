"""Status events built directly: the record, the bytes and the decoded event of the model path.

Every state (from every previous state's status), with and without an answer, anomalies and
each flag, IN of each worker type with its declared period, OUT/UPDATE/CANCEL with and
without a period id, rejected with violations and masked reasons (generated inputs:
tests/properties/test_status_event_properties.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from adapter.core.declarations import (
    CancelDeclaration,
    Declaration,
    DeclaredUsingEmployer,
    InDeclaration,
    OutDeclaration,
    UpdateDeclaration,
)
from adapter.core.errors import Violation
from adapter.core.events import Employer, EmploymentEvent, Worker
from adapter.core.machine import DeclarationProgress, DeclarationState
from adapter.core.masking import mask_ssin
from adapter.core.results import Anomaly, AnomalySeverity, DeclarationAnswer, DimonaResult
from tests.unit.app import status_oracle as oracle
from tests.unit.app.status_cases import assert_same_event
from tests.unit.core.core_factories import IDENTIFIED_WORKER, NOSS, event_dict, hire, with_worker

NOW = datetime(2026, 3, 1, 9, 30, 12, 345678, tzinfo=UTC)
BRUSSELS = timezone(timedelta(hours=1))
EVENT = hire()
NO_SSIN = with_worker(hire(), {k: v for k, v in IDENTIFIED_WORKER.items() if k != "ssin"})
BY_NOSS = EmploymentEvent.model_validate(
    event_dict() | {"employer": {"nossRegistrationNumber": NOSS}}
)
WORKER_TYPES = ("OTH", "STU", "FLX", "EXT", "O17", "S17", "T17", "BCW", "DWD")


def in_declaration(worker_type: str = "OTH", **changes: object) -> InDeclaration:
    fields: dict[str, object] = {
        "employer": Employer(enterprise_number="0412345614"),
        "worker": Worker(ssin="90051512391"),
        "start_date": date(2026, 3, 2),
        "worker_type": worker_type,
        "joint_committee": "XXX",
    }
    return InDeclaration.model_validate(fields | changes)


def answer(result: DimonaResult, *codes: str) -> DeclarationAnswer:
    return DeclarationAnswer(
        declaration_id=656309300158,
        result=result,
        period_id=None if result is DimonaResult.REFUSED else 656309300157,
        anomalies=tuple(
            Anomaly(code=c, severity=AnomalySeverity.NON_BLOCKING, label_fr=f"fr {c}")
            for c in codes
        ),
    )


def check_changed(
    declaration: Declaration,
    progress: DeclarationProgress,
    previous: DeclarationState = DeclarationState.SUBMITTED,
    event: EmploymentEvent = EVENT,
) -> None:
    kwargs = {
        "declaration_ref": f"{event.event_id}/1",
        "declaration": declaration,
        "previous": previous,
        "progress": progress,
        "now": NOW,
    }
    assert_same_event(
        lambda s: s.declaration_changed(2, event, **kwargs),  # type: ignore[arg-type]
        oracle.declaration_changed(event, **kwargs),  # type: ignore[arg-type]
    )


def test_received_of_each_party_shape() -> None:
    for event in (EVENT, NO_SSIN, BY_NOSS):
        assert_same_event(lambda s, e=event: s.received(0, e, NOW), oracle.received(event, NOW))


@pytest.mark.parametrize("with_event", [True, False])
def test_rejected_with_violations_and_masked_reasons(with_event: bool) -> None:
    violations = (
        Violation("E_SSIN", "worker.ssin", mask_ssin("not a valid SSIN: 75030307770")),
        Violation("E_NAME", "worker.familyName", "*** is not allowed here"),
        Violation("DUPLICATE_CONFLICT", "eventId", "é, ü and 😀 are fine in a message"),
    )
    event = EVENT if with_event else None
    for chosen in ((), violations[:1], violations):
        kwargs = {
            "employment_id": "EMP-9",
            "event_id": "topic/3/1234",
            "violations": chosen,
            "reason": mask_ssin("; ".join(str(v) for v in chosen) or "invalid event 75030307770"),
            "now": NOW,
        }
        assert "75030307770" not in str(kwargs)
        assert_same_event(
            lambda s, k=kwargs: s.rejected(1, event, **k),  # type: ignore[arg-type]
            oracle.rejected(event, **kwargs),  # type: ignore[arg-type]
        )


def test_event_failed_with_violations() -> None:
    violations = (Violation("E_REFUSED", "leave", "the period was refused (900515-***-**)"),)
    assert_same_event(
        lambda s: s.event_failed(4, EVENT, violations, NOW),
        oracle.event_failed(EVENT, violations, NOW),
    )


@pytest.mark.parametrize("state", list(DeclarationState))
@pytest.mark.parametrize("with_answer", [True, False])
def test_every_state_with_and_without_an_answer(state: DeclarationState, with_answer: bool) -> None:
    result = {
        DeclarationState.ACCEPTED_WITH_WARNINGS: DimonaResult.ACCEPTED_WITH_WARNING,
        DeclarationState.REFUSED: DimonaResult.REFUSED,
        DeclarationState.WAITING_IDENTIFICATION: DimonaResult.WAITING_IDENTIFICATION,
    }.get(state, DimonaResult.ACCEPTED)
    progress = DeclarationProgress(
        state,
        attempts=2,
        declaration_id=None if state is DeclarationState.PLANNED else 656309300158,
        submitted_at=None if state is DeclarationState.PLANNED else NOW - timedelta(seconds=3),
        answer=answer(result, "00000-460") if with_answer else None,
        failure="polling exhausted" if state is DeclarationState.FAILED else None,
    )
    for previous in (DeclarationState.PLANNED, DeclarationState.SUBMITTED):
        check_changed(in_declaration("FLX"), progress, previous)
        check_changed(
            OutDeclaration(period_id=7, period_start=date(2026, 3, 2), end_date=NOW.date()),
            progress,
            previous,
        )


@pytest.mark.parametrize("worker_type", WORKER_TYPES)
@pytest.mark.parametrize(
    "codes",
    [
        (),
        ("00000-460",),
        ("90017-510",),
        ("00000-369",),
        ("00913-355",),
        ("00000-460", "90017-369", "90017-510"),
    ],
)
def test_in_of_each_worker_type_and_flag(worker_type: str, codes: tuple[str, ...]) -> None:
    progress = DeclarationProgress(
        DeclarationState.ACCEPTED_WITH_WARNINGS,
        attempts=1,
        declaration_id=656309300158,
        submitted_at=datetime(2026, 3, 1, 10, 0, 0, 999, tzinfo=BRUSSELS),
        answer=answer(DimonaResult.ACCEPTED_WITH_WARNING, *codes),
    )
    check_changed(in_declaration(worker_type), progress)


def test_declared_period_of_an_in_with_times_hours_and_user_enterprise() -> None:
    progress = DeclarationProgress(DeclarationState.SUBMITTED, attempts=1, declaration_id=1)
    for declaration in (
        in_declaration(
            "EXT", start_time=time(8, 0), end_date=date(2026, 3, 2), end_time=time(17, 30)
        ),
        in_declaration("STU", planned_hours=160, end_date=date(2026, 9, 30), joint_committee="302"),
        in_declaration(
            "OTH",
            joint_committee="322",
            actual_joint_committee="322.01",
            using_employer=DeclaredUsingEmployer(
                enterprise_number="0812345603", name="Dupont SA", joint_committee="302"
            ),
        ),
        in_declaration("OTH", using_employer=DeclaredUsingEmployer(joint_committee="200")),
    ):
        check_changed(declaration, progress, DeclarationState.PLANNED, NO_SSIN)


def test_out_update_cancel_with_and_without_a_period_id() -> None:
    start = date(2026, 3, 2)
    for period_id in (656309300157, None):
        for declaration in (
            OutDeclaration(period_id=period_id, period_start=start, end_date=date(2026, 4, 30)),
            UpdateDeclaration(
                period_id=period_id, period_start=start, end_time=time(18, 0), worker_type="FLX"
            ),
            CancelDeclaration(period_id=period_id, period_start=start),
        ):
            for progress in (
                DeclarationProgress(DeclarationState.PLANNED),
                DeclarationProgress(
                    DeclarationState.REFUSED,
                    attempts=3,
                    declaration_id=656309300159,
                    submitted_at=NOW,
                    answer=answer(DimonaResult.REFUSED, "00913-355"),
                ),
            ):
                check_changed(declaration, progress, DeclarationState.SUBMITTED, BY_NOSS)


def test_a_naive_datetime_is_refused_as_the_model_refuses_it() -> None:
    from adapter.app.status_events import StatusEvents
    from tests.unit.app.status_cases import SINGLE

    with pytest.raises(ValueError, match="aware"):
        StatusEvents(SINGLE).received(0, EVENT, datetime(2026, 3, 1, 9, 30))
    progress = DeclarationProgress(
        DeclarationState.SUBMITTED,
        attempts=1,
        submitted_at=datetime(2026, 3, 1),
    )
    with pytest.raises(ValueError, match="aware"):
        StatusEvents(SINGLE).declaration_changed(
            0,
            EVENT,
            declaration_ref="r",
            declaration=in_declaration(),
            previous=DeclarationState.PLANNED,
            progress=progress,
            now=NOW,
        )
