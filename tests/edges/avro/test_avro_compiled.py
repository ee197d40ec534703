"""The compiled writer writes fastavro's bytes: on records generated from every schema file, in
both framings, and it leaves to fastavro what it does not compile."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import fastavro
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapter.edges.avro import codec as codec_module
from adapter.edges.avro.codec import SINGLE_OBJECT_MAGIC, SingleObjectCodec, framed_writer
from adapter.edges.avro.compiled import compile_writer
from adapter.edges.avro.schemas import schema_directory

SCHEMA_FILES = sorted(schema_directory().glob("*.avsc"))
PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-9, minutes=-30))]
)


def parsed(path: Path) -> Any:
    return fastavro.parse_schema(json.loads(path.read_text(encoding="utf-8")))


def fastavro_body(schema: Any, record: Any) -> bytes:
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, schema, record)
    return buffer.getvalue()


def values(schema: Any, named: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values of an Avro schema node, as a producer of the adapter would give them."""
    if isinstance(schema, str):
        primitive = {
            "null": st.none(),
            "boolean": st.booleans(),
            "int": st.integers(-(2**31), 2**31 - 1),
            "long": st.integers(-(2**63), 2**63 - 1),
            "string": st.text(max_size=80),
            "float": st.floats(width=32, allow_nan=False),
            "double": st.one_of(st.floats(allow_nan=False), st.integers(-(2**53), 2**53)),
        }
        return primitive[schema] if schema in primitive else values(named[schema], named)
    if isinstance(schema, list):
        return st.one_of(*(values(branch, named) for branch in schema))
    kind, logical = schema["type"], schema.get("logicalType")
    if logical == "uuid":
        return st.uuids().flatmap(lambda u: st.sampled_from([u, str(u)]))
    if logical == "date":
        return st.one_of(st.dates(), st.integers(-(2**20), 2**20))
    if logical == "timestamp-millis":
        return st.datetimes(
            min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=ZONES
        )
    if kind == "enum":
        return st.sampled_from(schema["symbols"])
    if kind == "array":
        return st.lists(values(schema["items"], named), max_size=3)
    if kind == "map":
        return st.dictionaries(st.text(max_size=5), values(schema["values"], named), max_size=3)
    if kind == "record":
        return records(schema, named)
    return values(kind, named)


def records(schema: dict[str, Any], named: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A record; fields with a default are sometimes left out (written as their default)."""
    required = {f["name"]: values(f["type"], named) for f in schema["fields"] if "default" not in f}
    optional = {f["name"]: values(f["type"], named) for f in schema["fields"] if "default" in f}
    return st.fixed_dictionaries(required, optional=optional)


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_every_schema_file_is_compiled(path: Path) -> None:
    assert compile_writer(parsed(path)) is not None


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
@given(data=st.data())
@PROPERTY
def test_the_compiled_writer_writes_fastavros_bytes(path: Path, data: st.DataObject) -> None:
    schema = parsed(path)
    record = data.draw(records(schema, schema["__named_schemas"]))
    write = compile_writer(schema)
    assert write is not None
    buffer = bytearray()
    write(buffer, record)
    assert bytes(buffer) == fastavro_body(schema, record)
    header = SINGLE_OBJECT_MAGIC + b"\x01" * 8
    assert framed_writer(schema)(header, record) == header + fastavro_body(schema, record)


def test_edge_values_and_naive_datetimes_are_written_as_fastavro_writes_them() -> None:
    schema = fastavro.parse_schema(
        {
            "type": "record",
            "name": "Edges",
            "fields": [
                {"name": "i", "type": "int"},
                {"name": "l", "type": "long"},
                {"name": "s", "type": "string"},
                {"name": "t", "type": {"type": "long", "logicalType": "timestamp-millis"}},
                {"name": "u", "type": ["string", "null"]},
                {"name": "d", "type": "double"},
            ],
        }
    )
    write = compile_writer(schema)
    assert write is not None
    for i, l_, s in [
        (-(2**31), -(2**63), ""),
        (2**31 - 1, 2**63 - 1, "é" * 64),
        (63, 64, "x" * 63),
    ]:
        for t in (
            datetime(2026, 3, 1, 9, 30, 0, 999),
            datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        ):
            record = {"i": i, "l": l_, "s": s, "t": t, "u": s or None, "d": i}
            buffer = bytearray()
            write(buffer, record)
            assert bytes(buffer) == fastavro_body(schema, record)


def test_wrong_values_raise_instead_of_being_written() -> None:
    schema = parsed(schema_directory() / "declaration_status_changed.v1.avsc")
    write = compile_writer(schema)
    assert write is not None
    with pytest.raises(ValueError, match="no value and no default for statusEventId"):
        write(bytearray(), {})
    for field, value in [("status", "LOST"), ("declarationId", 2**63), ("employmentId", 7)]:
        record = {
            "statusEventId": str(uuid.uuid4()),
            "employmentId": "E",
            "sourceEventIds": [],
            "status": "RECEIVED",
            "flags": {},
            "occurredAt": datetime(2026, 1, 1, tzinfo=UTC),
            field: value,
        }
        with pytest.raises((ValueError, AttributeError)):
            write(bytearray(), record)


@pytest.mark.parametrize(
    "node",
    [
        "bytes",
        {"type": "fixed", "name": "F", "size": 2},
        ["null", "string", "long"],
        ["string", "long"],
        {"type": "int", "logicalType": "time-millis"},
    ],
    ids=str,
)
def test_what_is_not_compiled_is_left_to_fastavro(node: Any) -> None:
    schema = fastavro.parse_schema(
        {"type": "record", "name": "Other", "fields": [{"name": "x", "type": node}]}
    )
    assert compile_writer(schema) is None
    record = {"x": fastavro_value(node)}
    assert framed_writer(schema)(b"H", record) == b"H" + fastavro_body(schema, record)


def fastavro_value(node: Any) -> Any:
    if node == "bytes":
        return b"ab"
    if isinstance(node, dict) and node["type"] == "fixed":
        return b"ab"
    if isinstance(node, dict):
        return 1000
    return "text"


def test_the_codec_falls_back_to_fastavro_for_a_schema_it_does_not_compile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = {"type": "record", "name": "Score", "fields": [{"name": "value", "type": "bytes"}]}
    (tmp_path / "score.v1.avsc").write_text(json.dumps(schema), encoding="utf-8")
    calls: list[object] = []
    real = codec_module.schemaless_writer
    monkeypatch.setattr(codec_module, "schemaless_writer", lambda *a: calls.append(a) or real(*a))
    codec = SingleObjectCodec("score", directory=tmp_path)
    payload = codec.encode({"value": b"\x00\xff"})
    assert len(calls) == 1
    assert codec.decode(payload) == {"value": b"\x00\xff"}
    assert payload[10:] == fastavro_body(fastavro.parse_schema(schema), {"value": b"\x00\xff"})


def test_dates_before_the_epoch_and_uuid_objects() -> None:
    schema = parsed(schema_directory() / "declaration_status_changed.v1.avsc")
    write = compile_writer(schema)
    assert write is not None
    record = {
        "statusEventId": uuid.UUID(int=7),
        "employmentId": "E",
        "sourceEventIds": ["a", "b"],
        "status": "ACCEPTED",
        "declaredPeriod": {"startDate": date(1969, 7, 21), "workerType": "OTH"},
        "flags": {"lateDeclaration": True},
        "occurredAt": datetime(2026, 1, 1, tzinfo=UTC),
    }
    buffer = bytearray()
    write(buffer, record)
    assert bytes(buffer) == fastavro_body(schema, record)
