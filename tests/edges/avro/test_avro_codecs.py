"""Single-object encoding: round trip and refusals (the registry framing: test_avro_registry.py,
the fingerprint against the spec: test_avro_fingerprint.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from adapter.core.errors import UndecodableMessage
from adapter.core.events import EmploymentEvent
from adapter.demo_events import hire, ssin_for
from adapter.edges.avro.codec import SingleObjectCodec


def record() -> dict[str, Any]:
    return EmploymentEvent.model_validate(
        hire("E-1", ssin_for(1), date(2026, 12, 1))
    ).to_avro_record()


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


async def test_single_object_prepare_needs_nothing() -> None:
    codec = SingleObjectCodec("employment_event")
    payload = codec.encode(record())
    await codec.prepare([payload, None, b"junk"])  # every schema is local: no I/O, no error
    assert codec.decode(payload)["employmentId"] == "E-1"
    await codec.aclose()
