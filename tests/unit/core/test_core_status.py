from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import fastavro
import pytest

from adapter.core.declarations import DeclarationKind, DeclaredUsingEmployer, InDeclaration
from adapter.core.errors import Violation
from adapter.core.events import Employer, Worker
from adapter.core.results import Anomaly, AnomalySeverity, DimonaResult
from adapter.core.status import (
    DeadLetterHeader,
    DeclarationStatus,
    DeclarationStatusChanged,
    DeclaredPeriod,
    StatusAnomaly,
    StatusViolation,
    flags_from_anomalies,
    stable_event_id,
    status_for_result,
)

SCHEMA = fastavro.parse_schema(
    json.loads(Path("schemas/declaration_status_changed.v1.avsc").read_text(encoding="utf-8"))
)
NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def round_trip(event: DeclarationStatusChanged) -> dict[str, Any]:
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, SCHEMA, event.to_avro_record())
    buffer.seek(0)
    record: dict[str, Any] = fastavro.schemaless_reader(buffer, SCHEMA)  # type: ignore[assignment]
    return record


IN = InDeclaration(
    employer=Employer(enterprise_number="0412345614"),
    worker=Worker(ssin="90051512391"),
    start_date=date(2026, 5, 4),
    start_time=time(8, 0),
    end_date=date(2026, 5, 4),
    end_time=time(17, 0),
    worker_type="EXT",
    joint_committee="322",
    actual_joint_committee="322",
    using_employer=DeclaredUsingEmployer(enterprise_number="0812345603", joint_committee="302"),
)


def full_event() -> DeclarationStatusChanged:
    anomaly = Anomaly(
        code="90017-510",
        severity=AnomalySeverity.NON_BLOCKING,
        label_fr="conditions flexi",
        label_nl="flexi-voorwaarden",
    )
    return DeclarationStatusChanged(
        status_event_id=stable_event_id("EMP-1", "ref-1", "ACCEPTED_WITH_WARNINGS"),
        employment_id="EMP-1",
        source_event_ids=("6f0c2b1e-3a4d-4c55-9d1e-2b7f8e9a0c11",),
        declaration_ref="ref-1",
        declaration_kind=DeclarationKind.IN,
        declaration_id=656309300157,
        period_id=656309300157,
        status=DeclarationStatus.ACCEPTED_WITH_WARNINGS,
        previous_status=DeclarationStatus.SUBMITTED,
        result_code=DimonaResult.ACCEPTED_WITH_WARNING,
        anomalies=(StatusAnomaly.from_anomaly(anomaly),),
        declared_period=DeclaredPeriod.from_in(IN),
        flags=flags_from_anomalies(["90017-510"], worker_type="FLX"),
        employer_enterprise_number="0412345614",
        worker_ssin="90051512391",
        occurred_at=NOW,
        submitted_at=NOW,
        processed_at=NOW,
    )


def test_full_event_round_trips_through_avro() -> None:
    event = full_event()
    record = round_trip(event)
    assert record["declaredPeriod"]["startTime"] == "08:00"
    assert DeclarationStatusChanged.model_validate(record) == event


def test_minimal_rejected_event_round_trips() -> None:
    event = DeclarationStatusChanged(
        status_event_id=stable_event_id("EMP-1", "event", "REJECTED"),
        employment_id="EMP-1",
        source_event_ids=("e1",),
        status=DeclarationStatus.REJECTED,
        violations=(
            StatusViolation.from_violation(Violation("END_DATE_REQUIRED", "contract.endDate", "x")),
        ),
        occurred_at=NOW,
    )
    assert DeclarationStatusChanged.model_validate(round_trip(event)) == event
    assert event.to_json_dict()["flags"]["specialRegimeLost"] is False


def test_stable_event_id_is_deterministic() -> None:
    assert stable_event_id("a", 1) == stable_event_id("a", 1)
    assert stable_event_id("a", 1) != stable_event_id("a", 2)


@pytest.mark.parametrize(
    ("codes", "worker_type", "late", "flexi", "quota", "lost", "cancelled"),
    [
        ([], None, False, False, False, False, False),
        (["90373-460"], "STU", True, False, False, True, False),
        (["90378-460"], "OTH", True, False, False, False, False),
        (["90017-510"], "FLX", False, True, False, True, False),
        (["90017-369"], "STU", False, False, True, True, False),
        (["90256-369"], "STU", False, False, True, True, False),
        (["00913-355"], None, False, False, False, False, True),
    ],
)
def test_flags(
    codes: list[str],
    worker_type: str | None,
    late: bool,
    flexi: bool,
    quota: bool,
    lost: bool,
    cancelled: bool,
) -> None:
    flags = flags_from_anomalies(codes, worker_type=worker_type)
    assert (
        flags.late_declaration,
        flags.flexi_conditions_not_met,
        flags.quota_exceeded,
        flags.special_regime_lost,
        flags.already_cancelled,
    ) == (late, flexi, quota, lost, cancelled)


@pytest.mark.parametrize(
    ("result", "status"),
    [
        (DimonaResult.ACCEPTED, DeclarationStatus.ACCEPTED),
        (DimonaResult.ACCEPTED_WITH_WARNING, DeclarationStatus.ACCEPTED_WITH_WARNINGS),
        (DimonaResult.REFUSED, DeclarationStatus.REFUSED),
        (DimonaResult.WAITING_IDENTIFICATION, DeclarationStatus.WAITING_IDENTIFICATION),
    ],
)
def test_status_for_result(result: DimonaResult, status: DeclarationStatus) -> None:
    assert status_for_result(result) is status


def test_final_statuses() -> None:
    assert not DeclarationStatus.SUBMITTED.is_final
    assert not DeclarationStatus.WAITING_IDENTIFICATION.is_final
    assert DeclarationStatus.REFUSED.is_final


def test_schema_enum_matches_model() -> None:
    raw = json.loads(Path("schemas/declaration_status_changed.v1.avsc").read_text(encoding="utf-8"))
    status = next(f for f in raw["fields"] if f["name"] == "status")
    assert status["type"]["symbols"] == [s.value for s in DeclarationStatus]


def test_dead_letter_headers_are_unique() -> None:
    values = [h.value for h in DeadLetterHeader]
    assert len(values) == len(set(values))


def test_declared_period_from_a_known_period() -> None:
    from adapter.core.periods import KnownPeriod

    period = KnownPeriod(
        start_date=date(2026, 3, 2),
        end_date=date(2026, 3, 31),
        worker_type="STU",
        joint_committee="XXX",
        planned_hours=30,
    )
    declared = DeclaredPeriod.from_known(period, actual_joint_committee="201")
    assert (
        declared.declared_joint_committee,
        declared.actual_joint_committee,
        declared.planned_hours,
    ) == ("XXX", "201", 30)
