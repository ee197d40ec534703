"""Checks and inputs shared by the status event equivalence tests (table and properties)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

from adapter.app.ports import OutboundRecord
from adapter.app.status_events import StatusEvents
from adapter.core.status import DeclarationStatusChanged
from adapter.edges.avro.codec import SINGLE_OBJECT_MAGIC, SingleObjectCodec
from adapter.edges.avro.registry import SchemaRegistryCodec
from tests.unit.app.status_oracle import Capturing, fastavro_bytes

FAMILY = "declaration_status_changed"
SCHEMA_ID = 41
SINGLE = SingleObjectCodec(FAMILY)
PARSED = SINGLE.writer.parsed
SINGLE_HEADER = SINGLE_OBJECT_MAGIC + SINGLE.writer.fingerprint
CONFLUENT_HEADER = b"\x00" + SCHEMA_ID.to_bytes(4, "big")


def _confluent() -> SchemaRegistryCodec:
    transport = httpx.MockTransport(lambda _r: httpx.Response(200, json={"id": SCHEMA_ID}))
    codec = SchemaRegistryCodec(
        FAMILY, registry_url="http://registry.test", subject="status-value", transport=transport
    )
    asyncio.run(codec.register_writer())
    return codec


CONFLUENT = _confluent()


def _to_millis(model: DeclarationStatusChanged) -> DeclarationStatusChanged:
    """The event as timestamp-millis carries it (microseconds dropped)."""
    times = ("occurred_at", "submitted_at", "processed_at")
    return model.model_copy(
        update={
            name: value.replace(microsecond=value.microsecond // 1000 * 1000)
            for name in times
            if (value := getattr(model, name)) is not None
        }
    )


def assert_same_event(
    direct: Callable[[StatusEvents], OutboundRecord], model: DeclarationStatusChanged
) -> None:
    """The direct path gives the model's record, fastavro's bytes in both framings, and bytes
    the consumer-side model reads back as the same event."""
    expected = model.to_avro_record()
    single, confluent = Capturing(SINGLE), Capturing(CONFLUENT)
    out = direct(StatusEvents(single))
    out_confluent = direct(StatusEvents(confluent))
    assert single.records == [expected]
    assert confluent.records == [expected]
    assert out.key == model.employment_id
    assert out.value == fastavro_bytes(SINGLE_HEADER, PARSED, expected)
    assert out_confluent.value == fastavro_bytes(CONFLUENT_HEADER, PARSED, expected)
    decoded: dict[str, Any] = SINGLE.decode(out.value)
    assert DeclarationStatusChanged.model_validate(decoded) == _to_millis(model)
    assert CONFLUENT.decode(out_confluent.value) == decoded
