"""Both framings: single-object encoding, and the Confluent registry format against an HTTP fake
of the Schema Registry API (confluent-kafka's mock:// client cannot serve subject lookups)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx
import pytest

from adapter.core.errors import UndecodableMessage
from adapter.core.events import EmploymentEvent
from adapter.demo_events import hire, ssin_for
from adapter.edges.avro.codec import SingleObjectCodec
from adapter.edges.avro.registry import SchemaRegistryCodec


def record() -> dict[str, Any]:
    return EmploymentEvent.model_validate(
        hire("E-1", ssin_for(1), date(2026, 12, 1))
    ).to_avro_record()


class FakeRegistry:
    """The two endpoints of the Schema Registry REST API the codec uses, over MockTransport."""

    def __init__(self) -> None:
        self.schemas: dict[int, str] = {}
        self.subjects: dict[str, list[int]] = {}
        self.requests: list[str] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url.path}")
        parts = request.url.path.strip("/").split("/")
        if request.method == "POST" and parts[0] == "subjects" and parts[2] == "versions":
            schema = json.loads(request.content)["schema"]
            existing = next((i for i, s in self.schemas.items() if s == schema), None)
            schema_id = existing or len(self.schemas) + 1
            self.schemas[schema_id] = schema
            self.subjects.setdefault(parts[1], []).append(schema_id)
            return httpx.Response(200, json={"id": schema_id})
        if request.method == "GET" and parts[:2] == ["schemas", "ids"]:
            schema = self.schemas.get(int(parts[2]))
            if schema is None:
                return httpx.Response(
                    404, json={"error_code": 40403, "message": "Schema not found"}
                )
            return httpx.Response(200, json={"schema": schema})
        return httpx.Response(404)


def test_single_object_round_trip_and_refusals() -> None:
    codec = SingleObjectCodec("employment_event")
    payload = codec.encode(record())
    assert payload[:2] == b"\xc3\x01"
    assert codec.decode(payload)["employmentId"] == "E-1"
    with pytest.raises(UndecodableMessage, match="C3 01"):
        codec.decode(b"\x00\x00\x00\x00\x01abc")
    with pytest.raises(UndecodableMessage, match="unknown employment_event schema"):
        codec.decode(b"\xc3\x01" + b"\x00" * 8 + payload[10:])
    with pytest.raises(UndecodableMessage):
        codec.decode(payload[:14])


def test_registry_round_trip_registers_once_and_caches() -> None:
    registry = FakeRegistry()
    transport = httpx.MockTransport(registry.handle)
    writer = SchemaRegistryCodec(
        "employment_event",
        registry_url="http://registry",
        subject="hr.employment.events-value",
        transport=transport,
    )
    reader = SchemaRegistryCodec(
        "employment_event",
        registry_url="http://registry",
        subject="hr.employment.events-value",
        transport=transport,
    )
    first, second = writer.encode(record()), writer.encode(record())
    assert first[0] == 0
    assert int.from_bytes(first[1:5], "big") == 1
    assert reader.decode(first)["employmentId"] == "E-1"
    assert reader.decode(second)["employmentId"] == "E-1"
    assert registry.requests == [
        "POST /subjects/hr.employment.events-value/versions",
        "GET /schemas/ids/1",
    ]


def test_registry_unknown_id_and_foreign_bytes_are_undecodable() -> None:
    registry = FakeRegistry()
    codec = SchemaRegistryCodec(
        "employment_event",
        registry_url="http://registry",
        subject="s",
        transport=httpx.MockTransport(registry.handle),
    )
    with pytest.raises(UndecodableMessage, match="does not know"):
        codec.decode(b"\x00\x00\x00\x00\x07body")
    with pytest.raises(UndecodableMessage, match="magic byte"):
        codec.decode(b"\xc3\x01whatever")
