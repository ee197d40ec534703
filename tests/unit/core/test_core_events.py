from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import fastavro
import pytest
from pydantic import ValidationError

from adapter.core.events import EmploymentEvent, EventType, Gender
from tests.unit.core.core_factories import ADDRESS, IDENTIFIED_WORKER, event_dict, hire

SCHEMA = fastavro.parse_schema(
    json.loads(Path("schemas/employment_event.v1.avsc").read_text(encoding="utf-8"))
)


def avro_round_trip(event: EmploymentEvent) -> dict[str, Any]:
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, SCHEMA, event.to_avro_record())
    buffer.seek(0)
    record: dict[str, Any] = fastavro.schemaless_reader(buffer, SCHEMA)  # type: ignore[assignment]
    return record


FULL_CONTRACT: dict[str, Any] = {
    "startDate": "2026-05-04",
    "startTime": "08:00",
    "endDate": "2026-05-04",
    "endTime": "17:30",
    "workerType": "EXT",
    "jointCommittee": "322",
    "usingEmployer": {"enterpriseNumber": "0812345603", "jointCommittee": "302"},
    "constructionCards": {"firstMonth": "123456789012", "nextMonth": "123456789013"},
    "smallStatutes": {"employmentNature": "WORKER", "workerStatus": "F1"},
    "studentPlaceOfWork": {"name": "Shop", "address": ADDRESS},
    "plannedHours": 12.5,
}


def test_json_form_is_read_by_alias() -> None:
    event = hire(startTime=None)
    assert event.event_type is EventType.HIRE
    assert event.occurred_at.tzinfo is not None
    assert event.contract is not None
    assert event.contract.start_date == date(2026, 3, 2)
    assert event.employer.enterprise_number == "0412345614"


def test_snake_case_names_are_accepted_too() -> None:
    body = event_dict()
    body["event_id"] = body.pop("eventId")
    assert EmploymentEvent.model_validate(body).event_id == event_dict()["eventId"]


def test_times_and_uuid_are_normalised() -> None:
    body = event_dict(workerType="EXT", startTime="08:05", endTime="23:59")
    body["eventId"] = body["eventId"].upper()
    event = EmploymentEvent.model_validate(body)
    assert event.contract is not None
    assert event.contract.start_time == time(8, 5)
    assert event.event_id == event_dict()["eventId"]
    assert event.to_json_dict()["contract"]["startTime"] == "08:05"


@pytest.mark.parametrize(
    "worker",
    [{"ssin": "90051512391"}, IDENTIFIED_WORKER],
)
def test_avro_round_trip(worker: dict[str, Any]) -> None:
    body = event_dict(**FULL_CONTRACT)
    body["worker"] = worker
    body["employer"] = {"nossRegistrationNumber": "123456749", "enterpriseNumber": "0412345614"}
    event = EmploymentEvent.model_validate(body)
    record = avro_round_trip(event)
    assert isinstance(record["occurredAt"], datetime)
    assert record["contract"]["startTime"] == "08:00"
    assert EmploymentEvent.model_validate(record) == event


def test_avro_round_trip_of_leave_and_cancel() -> None:
    body = event_dict("LEAVE")
    body["leave"] = {"lastDay": "2026-06-30", "lastTime": "17:00"}
    for event in (
        EmploymentEvent.model_validate(body),
        EmploymentEvent.model_validate(event_dict("CANCEL")),
    ):
        assert EmploymentEvent.model_validate(avro_round_trip(event)) == event


def test_gender_is_read() -> None:
    body = event_dict()
    body["worker"] = IDENTIFIED_WORKER
    assert EmploymentEvent.model_validate(body).worker.gender is Gender.FEMALE


def _mutate(path: str, value: Any) -> dict[str, Any]:
    body = event_dict()
    target: dict[str, Any] = body
    *parents, last = path.split(".")
    for key in parents:
        target = target[key]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return body


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("eventId", "not-a-uuid"),
        ("eventType", "FIRE"),
        ("occurredAt", "2026-03-01T08:00:00"),  # naive timestamps are refused
        ("employmentId", ""),
        ("employer", {}),
        ("employer.enterpriseNumber", "04123"),
        ("worker.ssin", "9005151239X"),
        ("contract", ...),
        ("contract.startDate", "02/03/2026"),
        ("contract.startDate", "2026-03-02T00:00:00"),
        ("contract.startDate", 1767225600),
        ("contract.endDate", "2026-02-30"),
        ("contract.startTime", "8:00"),
        ("contract.startTime", "24:00"),
        ("contract.workerType", "student"),
        ("contract.jointCommittee", "20"),
        ("contract.plannedHours", -1),
        ("contract.unknownField", 1),
    ],
)
def test_structural_problems_raise(path: str, value: Any) -> None:
    with pytest.raises(ValidationError):
        EmploymentEvent.model_validate(_mutate(path, value))


@pytest.mark.parametrize(
    ("event_type", "section", "content"),
    [
        ("LEAVE", None, None),  # LEAVE without leave
        ("CANCEL", "leave", {"lastDay": "2026-03-01"}),
        ("LEAVE", "contract", {"startDate": "2026-03-01", "workerType": "OTH"}),
    ],
)
def test_sections_must_match_event_type(
    event_type: str, section: str | None, content: dict[str, Any] | None
) -> None:
    body = event_dict(event_type)
    if section:
        body[section] = content
    with pytest.raises(ValidationError):
        EmploymentEvent.model_validate(body)


def test_json_and_model_validate_json_agree() -> None:
    body = event_dict()
    assert EmploymentEvent.model_validate_json(json.dumps(body)) == EmploymentEvent.model_validate(
        body
    )


def test_avro_timestamp_is_utc() -> None:
    record = avro_round_trip(hire())
    assert record["occurredAt"] == datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
