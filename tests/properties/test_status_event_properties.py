"""Status events built directly equal the model path on generated inputs (record, bytes of both
framings, decoded event), and ``stable_event_id`` is ``uuid5`` of the joined parts."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapter.core.declarations import (
    CancelDeclaration,
    DeclaredUsingEmployer,
    InDeclaration,
    OutDeclaration,
    UpdateDeclaration,
)
from adapter.core.errors import Violation
from adapter.core.events import Employer, Worker
from adapter.core.machine import DeclarationProgress, DeclarationState
from adapter.core.results import Anomaly, AnomalySeverity, DeclarationAnswer, DimonaResult
from adapter.core.status import STATUS_EVENT_NAMESPACE, stable_event_id
from tests.unit.app import status_oracle as oracle
from tests.unit.app.status_cases import assert_same_event
from tests.unit.core.core_factories import hire

PROPERTY = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
EVENT = hire()
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=2))])
INSTANTS = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=ZONES
)
TEXT = st.text(max_size=40)
MAYBE_TEXT = st.none() | TEXT
TIMES = st.none() | st.builds(time, st.integers(0, 23), st.integers(0, 59))
WORKER_TYPES = st.sampled_from(["OTH", "STU", "FLX", "EXT", "O17", "S17", "T17", "BCW"])
PERIOD_IDS = st.none() | st.integers(1, 10**12 - 1)
CODES = st.sampled_from(
    ["00000-460", "90017-510", "90017-369", "00913-355", "00913-460", "00000-001", "12345-678"]
)
ANOMALIES = st.builds(
    Anomaly,
    code=CODES,
    severity=st.none() | st.sampled_from(AnomalySeverity),
    label_fr=MAYBE_TEXT,
    label_nl=MAYBE_TEXT,
)
ANSWERS = st.none() | st.builds(
    DeclarationAnswer,
    declaration_id=st.integers(1, 10**12 - 1),
    result=st.sampled_from(DimonaResult),
    period_id=PERIOD_IDS,
    anomalies=st.lists(ANOMALIES, max_size=4).map(tuple),
)
USERS = st.none() | st.builds(
    DeclaredUsingEmployer,
    enterprise_number=st.none() | st.just("0812345603"),
    name=MAYBE_TEXT,
    joint_committee=st.none() | st.sampled_from(["302", "200"]),
)
INS = st.builds(
    InDeclaration,
    employer=st.just(Employer(enterprise_number="0412345614")),
    worker=st.just(Worker(ssin="90051512391")),
    start_date=st.dates(date(2025, 1, 1), date(2027, 12, 31)),
    start_time=TIMES,
    end_date=st.none() | st.dates(date(2025, 1, 1), date(2027, 12, 31)),
    end_time=TIMES,
    planned_hours=st.none() | st.integers(0, 2000),
    worker_type=WORKER_TYPES,
    joint_committee=st.sampled_from(["XXX", "302", "322"]),
    actual_joint_committee=st.none() | st.sampled_from(["322", "200.01"]),
    using_employer=USERS,
)
STARTS = st.dates(date(2025, 1, 1), date(2027, 12, 31))
FOLLOW_UPS = st.one_of(
    st.builds(OutDeclaration, period_id=PERIOD_IDS, period_start=STARTS, end_date=STARTS),
    st.builds(
        UpdateDeclaration,
        period_id=PERIOD_IDS,
        period_start=STARTS,
        end_time=TIMES,
        worker_type=st.none() | WORKER_TYPES,
    ),
    st.builds(CancelDeclaration, period_id=PERIOD_IDS, period_start=STARTS),
)
PROGRESS = st.builds(
    DeclarationProgress,
    state=st.sampled_from(DeclarationState),
    attempts=st.integers(0, 20),
    declaration_id=PERIOD_IDS,
    submitted_at=st.none() | INSTANTS,
    answer=ANSWERS,
    failure=MAYBE_TEXT,
)
VIOLATIONS = st.lists(
    st.builds(Violation, st.sampled_from(["E_SSIN", "E_DATE"]), TEXT, TEXT), max_size=3
).map(tuple)


@given(
    declaration=INS | FOLLOW_UPS,
    progress=PROGRESS,
    previous=st.sampled_from(DeclarationState),
    ref=TEXT,
    now=INSTANTS,
)
@PROPERTY
def test_a_state_change_is_the_models(
    declaration: InDeclaration | OutDeclaration | UpdateDeclaration | CancelDeclaration,
    progress: DeclarationProgress,
    previous: DeclarationState,
    ref: str,
    now: datetime,
) -> None:
    kwargs = {
        "declaration_ref": ref,
        "declaration": declaration,
        "previous": previous,
        "progress": progress,
        "now": now,
    }
    assert_same_event(
        lambda s: s.declaration_changed(0, EVENT, **kwargs),  # type: ignore[arg-type]
        oracle.declaration_changed(EVENT, **kwargs),  # type: ignore[arg-type]
    )


@given(
    with_event=st.booleans(),
    employment_id=TEXT,
    event_id=TEXT,
    violations=VIOLATIONS,
    reason=TEXT,
    now=INSTANTS,
)
@PROPERTY
def test_rejected_and_failed_are_the_models(
    with_event: bool,
    employment_id: str,
    event_id: str,
    violations: tuple[Violation, ...],
    reason: str,
    now: datetime,
) -> None:
    event = EVENT if with_event else None
    kwargs = {
        "employment_id": employment_id,
        "event_id": event_id,
        "violations": violations,
        "reason": reason,
        "now": now,
    }
    assert_same_event(
        lambda s: s.rejected(0, event, **kwargs),  # type: ignore[arg-type]
        oracle.rejected(event, **kwargs),  # type: ignore[arg-type]
    )
    assert_same_event(
        lambda s: s.event_failed(0, EVENT, violations, now),
        oracle.event_failed(EVENT, violations, now),
    )


@given(parts=st.lists(st.one_of(st.text(), st.integers(), st.none()), max_size=4))
@PROPERTY
def test_stable_event_id_is_uuid5_of_the_joined_parts(parts: list[object]) -> None:
    expected = uuid.uuid5(STATUS_EVENT_NAMESPACE, "|".join(str(p) for p in parts))
    assert stable_event_id(*parts) == str(expected)
