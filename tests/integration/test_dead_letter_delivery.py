"""A record at the broker's size limit, or over the producer's, is dead-lettered and the
partition moves on: the valid records around it complete and the consumer keeps running.

Issue 11, point 1: a 1,048,576-byte value (under Kafka's default limit of 1,048,588) made the
dead-letter producer raise MSG_SIZE_TOO_LARGE at every start. One partition, so the order is
fixed: valid, ~1 MB, valid, small garbage, ~1.2 MB, valid.
"""

from __future__ import annotations

import os
import time
from typing import Any

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from adapter.bootstrap import EVENT_SCHEMA
from adapter.core.events import EmploymentEvent
from adapter.demo_events import hire
from adapter.demo_harness import StatusReader
from adapter.edges.avro.codec import SingleObjectCodec
from adapter.settings import Settings
from tests.integration.harness import create_topics, run_pipeline, trail
from tests.integration.test_pipeline_outcomes import START, unique_ssin

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

AT_THE_LIMIT = 1_048_576
OVER_THE_PRODUCER = 1_200_000
"""Over ``max_record_bytes`` (1,048,588) plus the 64 KiB of header room."""
TRACE_ID = b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
TRACE: tuple[str, str | bytes | None] = ("traceparent", TRACE_ID)


def create_input_topic_for_large_records(settings: Settings) -> None:
    """A real Kafka would refuse 1.2 MB on a topic with the default limit (Tansu has none)."""
    admin = AdminClient(settings.kafka.client_config())
    topic = NewTopic(
        settings.kafka.input_topic,
        num_partitions=1,
        replication_factor=1,
        config={"max.message.bytes": "2000000"},
    )
    for future in admin.create_topics([topic], operation_timeout=10).values():
        future.result(timeout=15)


def encoded(codec: SingleObjectCodec, event: dict[str, Any]) -> bytes:
    return codec.encode(EmploymentEvent.model_validate(event).to_avro_record())


def headers_of(message: Any) -> list[tuple[str, bytes | None]]:
    return list(message.headers() or [])


def header(message: Any, name: str) -> bytes | None:
    values = [v for n, v in headers_of(message) if n == name]
    assert len(values) == 1, (name, headers_of(message))
    return values[0]


async def test_records_too_large_to_forward_are_dead_lettered_and_the_rest_completes(
    adapter_settings: Settings,
) -> None:
    kafka = adapter_settings.kafka.model_copy(update={"topic_partitions": 1})
    settings = adapter_settings.model_copy(update={"kafka": kafka})
    create_input_topic_for_large_records(settings)
    create_topics(settings)
    events = [hire(f"E-SIZE-{i}", unique_ssin(), START) for i in range(3)]
    codec = SingleObjectCodec(EVENT_SCHEMA)
    valid: list[tuple[bytes, bytes, list[tuple[str, str | bytes | None]]]] = [
        (e["employmentId"].encode(), encoded(codec, e), []) for e in events
    ]
    near_limit = (b"E-SIZE-X", os.urandom(AT_THE_LIMIT), [TRACE])
    garbage = (b"E-SIZE-Y", b"not avro", [TRACE, ("dlq.reason.code", b"STALE")])
    too_large = (b"E-SIZE-Z", os.urandom(OVER_THE_PRODUCER), [TRACE])
    records = [valid[0], near_limit, valid[1], garbage, too_large, valid[2]]
    producer = Producer({**kafka.client_config(), "message.max.bytes": 3_000_000})
    for key, value, headers in records:
        producer.produce(kafka.input_topic, key=key, value=value, headers=headers, partition=0)
    assert producer.flush(30) == 0

    statuses = await run_pipeline(settings, [], expected_events=[e["eventId"] for e in events])

    for event in events:
        assert trail(statuses, event["employmentId"])[-1] == ("IN", "ACCEPTED")
    letters = read_dead_letters(settings, expected=3)
    by_offset = {int(header(m, "dlq.source.offset") or b""): m for m in letters}
    assert sorted(by_offset) == [1, 3, 4]
    for message in letters:
        assert header(message, "dlq.reason.code") == b"UNDECODABLE"
        assert header(message, "dlq.source.topic") == kafka.input_topic.encode()
        assert header(message, "dlq.source.partition") == b"0"

    whole = by_offset[3]  # the original headers first, the stale dlq.reason.code dropped
    assert whole.value() == b"not avro"
    assert headers_of(whole)[0] == TRACE
    reference = by_offset[4]
    assert reference.value() is None
    assert header(reference, "dlq.truncated") == b"true"
    size = len(b"E-SIZE-Z") + OVER_THE_PRODUCER + len("traceparent") + len(TRACE_ID)
    assert header(reference, "dlq.original.size") == str(size).encode()
    assert reference.key() == b"E-SIZE-Z"
    near = by_offset[1]  # whole where the dead-letter topic takes it (Tansu), else a reference
    if near.value() is None:
        assert header(near, "dlq.truncated") == b"true"
    else:
        assert near.value() == near_limit[1]
        assert headers_of(near)[0] == TRACE


def read_dead_letters(settings: Settings, *, expected: int) -> list[Any]:
    reader = StatusReader(settings, settings.kafka.dead_letter_topic)
    letters: list[Any] = []
    try:
        deadline = time.monotonic() + 30.0
        while len(letters) < expected and time.monotonic() < deadline:
            letters += reader.raw(0.5)
    finally:
        reader.close()
    return letters
