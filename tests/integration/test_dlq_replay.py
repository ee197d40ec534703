"""Dead letters are re-driven after a fix, once, and only those selected."""

from __future__ import annotations

import pytest
from confluent_kafka import Producer

from adapter.bootstrap import EVENT_SCHEMA
from adapter.commands.dlq import replay
from adapter.core.events import EmploymentEvent
from adapter.demo_events import hire
from adapter.demo_harness import StatusReader
from adapter.edges.avro.codec import SingleObjectCodec
from adapter.settings import Settings
from tests.integration.harness import create_topics, of, run_pipeline
from tests.integration.test_pipeline_outcomes import START, unique_ssin

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


async def test_replay_redrives_selected_dead_letters_once(adapter_settings: Settings) -> None:
    create_topics(adapter_settings)
    kafka = adapter_settings.kafka
    fixed = hire("E-REPLAY", unique_ssin(), START)  # valid now; rejected by an older release
    other = hire("E-OTHER", unique_ssin(), START)
    codec = SingleObjectCodec(EVENT_SCHEMA)
    producer = Producer(kafka.client_config())
    for event, reason in ((fixed, "RULE_VIOLATION"), (other, "SCHEMA_MISMATCH")):
        value = codec.encode(EmploymentEvent.model_validate(event).to_avro_record())
        headers = [
            ("dlq.reason.code", reason.encode()),
            ("dlq.event.id", event["eventId"].encode()),
        ]
        producer.produce(
            kafka.dead_letter_topic,
            key=event["employmentId"].encode(),
            value=value,
            headers=headers,
        )
    producer.flush(10)

    first = replay(adapter_settings, reasons=["RULE_VIOLATION"])
    second = replay(adapter_settings, reasons=["RULE_VIOLATION"])

    assert (first.examined, first.replayed, first.skipped) == (2, 1, 1)
    assert second.examined == 0  # the position of the first replay is kept
    reader = StatusReader(adapter_settings, kafka.input_topic)
    try:
        replayed = reader.raw(2.0)
    finally:
        reader.close()
    assert len(replayed) == 1
    assert (
        dict(replayed[0].headers())["dlq.replayed.from.topic"] == kafka.dead_letter_topic.encode()
    )
    statuses = await run_pipeline(adapter_settings, [], expected_events=[fixed["eventId"]])
    assert of(statuses, "E-REPLAY")[-1]["status"] == "ACCEPTED"
    assert not of(statuses, "E-OTHER")
