from __future__ import annotations

from datetime import date, time

from adapter.core.declarations import CancelDeclaration, InDeclaration
from adapter.core.events import Employer, Worker
from adapter.core.results import Anomaly, DeclarationAnswer, DimonaResult
from adapter.core.rules import validate_declaration
from adapter.core.translation.fallback import regime_fallback

FLEXI = InDeclaration(
    employer=Employer(noss_registration_number="123456749"),
    worker=Worker(ssin="90051512391"),
    start_date=date(2026, 12, 5),
    start_time=time(18, 0),
    end_date=date(2026, 12, 5),
    end_time=time(23, 0),
    worker_type="FLX",
    joint_committee="XXX",
    actual_joint_committee="302",
)


def answer(result: DimonaResult, *codes: str) -> DeclarationAnswer:
    anomalies = tuple(Anomaly(code=c) for c in codes)
    return DeclarationAnswer(
        declaration_id=656310000072, result=result, period_id=656310000072, anomalies=anomalies
    )


def test_flexi_conditions_not_met_gives_cancel_then_ordinary_in() -> None:
    cancel, ordinary = regime_fallback(
        FLEXI, answer(DimonaResult.ACCEPTED_WITH_WARNING, "90017-510")
    )
    assert isinstance(cancel, CancelDeclaration)
    assert (cancel.period_id, cancel.period_start) == (656310000072, FLEXI.start_date)
    assert isinstance(ordinary, InDeclaration)
    assert ordinary.worker_type == "OTH"
    assert (ordinary.start_time, ordinary.end_time, ordinary.planned_hours) == (None, None, None)
    assert ordinary.joint_committee == "XXX"
    assert validate_declaration(ordinary, today=date(2026, 12, 1)) == ()


def test_other_answers_need_no_fallback() -> None:
    assert regime_fallback(FLEXI, answer(DimonaResult.ACCEPTED)) == ()
    assert regime_fallback(FLEXI, answer(DimonaResult.ACCEPTED_WITH_WARNING, "90373-460")) == ()
    assert regime_fallback(FLEXI, answer(DimonaResult.REFUSED, "90017-510")) == ()
    ordinary = FLEXI.model_copy(update={"worker_type": "OTH", "start_time": None, "end_time": None})
    assert regime_fallback(ordinary, answer(DimonaResult.ACCEPTED_WITH_WARNING, "90017-510")) == ()
