"""The special-regime fallback (policy, off by default; see docs/decisions.md).

ONSS accepts a flexi-job or student IN with a warning when the worker does not qualify:
``90017-510`` (flexi-job access conditions not met) or ``90017-369`` (student quota
exceeded). The period exists, but the reduced contributions do not apply. laravel-dimona
then cancels the period and declares it again as an ordinary worker (OTH); operators may
turn the same behaviour on here.
"""

from __future__ import annotations

from adapter.core import codes
from adapter.core.declarations import CancelDeclaration, Declaration, InDeclaration
from adapter.core.results import DeclarationAnswer, DimonaResult

REGIME_LOST_ANOMALIES = frozenset({"90017-510", "90017-369"})
ORDINARY_WORKER = "OTH"


def regime_fallback(declaration: Declaration, answer: DeclarationAnswer) -> tuple[Declaration, ...]:
    """CANCEL + IN as OTH when an accepted IN lost its special regime; else nothing."""
    if not isinstance(declaration, InDeclaration):
        return ()
    if answer.result is not DimonaResult.ACCEPTED_WITH_WARNING or answer.period_id is None:
        return ()
    if declaration.worker_type == ORDINARY_WORKER:
        return ()
    if not any(answer.has_anomaly(code) for code in REGIME_LOST_ANOMALIES):
        return ()
    cancel = CancelDeclaration(
        period_id=answer.period_id,
        period_start=declaration.start_date,
        ssin=declaration.worker.ssin,
    )
    actual = declaration.actual_joint_committee
    ordinary = declaration.model_copy(
        update={
            "worker_type": ORDINARY_WORKER,
            "joint_committee": codes.declared_joint_committee(actual, ORDINARY_WORKER)
            if actual
            else declaration.joint_committee,
            # Hours and planned hours exist only for flexi-day, occasional and student work.
            "start_time": None,
            "end_time": None,
            "planned_hours": None,
            "student_place_of_work": None,
            "not_before": None,
        }
    )
    return (cancel, ordinary)
