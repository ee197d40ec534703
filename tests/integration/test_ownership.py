"""Two replicas never drive one employment (issue 11, point 2), through the real broker, the
sandbox and two adapter processes on one PostgreSQL database.

* A LEAVE keyed by something other than its employment id is dead-lettered (KEY_MISMATCH)
  with a REJECTED status event; the IN is declared once.
* A LEAVE keyed right but produced to another partition than its HIRE (a producer that
  overrides the partitioner): the replica that receives it may not drive the employment (the
  store fences it out); the owner of the HIRE's partition finds it and declares the OUT.
Either way, ONSS sees one period per worker and no refusal.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from confluent_kafka import Producer

from adapter.core.events import EmploymentEvent
from adapter.demo_events import hire, leave
from adapter.demo_harness import StatusReader, all_final
from adapter.edges.avro.codec import SingleObjectCodec
from adapter.processes import AdapterProcess
from adapter.sandbox import admin_client
from adapter.sandbox.process import SandboxProcess
from adapter.settings import Settings
from tests.integration.harness import create_topics
from tests.integration.test_pipeline_outcomes import START, unique_ssin

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.slow]

EMPLOYMENTS = 8


def produce_to(
    settings: Settings, events: list[tuple[dict[str, object], bytes | None, int]]
) -> None:
    """Each event with this key, to this partition (overriding the partitioner)."""
    codec = SingleObjectCodec("employment_event")
    producer = Producer({**settings.kafka.client_config(), "enable.idempotence": True})
    for event, key, partition in events:
        value = codec.encode(EmploymentEvent.model_validate(event).to_avro_record())
        producer.produce(settings.kafka.input_topic, key=key, value=value, partition=partition)
    producer.flush(30)


def test_two_replicas_never_drive_one_employment(
    adapter_settings: Settings, sandbox: SandboxProcess, postgres_url: str
) -> None:
    settings = adapter_settings.model_copy(
        update={
            "store": adapter_settings.store.model_copy(update={"url": postgres_url}),
            "pipeline": adapter_settings.pipeline.model_copy(update={"rescan_interval_s": 1.0}),
        }
    )
    create_topics(settings)
    partitions = settings.kafka.topic_partitions
    workers = {f"E-OWN-{i}": unique_ssin() for i in range(EMPLOYMENTS)}
    hires = [hire(e, s, START) for e, s in workers.items()]
    misrouted = list(workers.items())[: EMPLOYMENTS // 2]
    miskeyed = list(workers.items())[EMPLOYMENTS // 2 :]
    # Hire on partition i % n; its leave, with the right key, on the next partition.
    routed_leaves = [
        (leave(e, s, START + timedelta(days=30)), e.encode(), (i + 1) % partitions)
        for i, (e, s) in enumerate(misrouted)
    ]
    wrong_key_leaves = [leave(e, s, START + timedelta(days=30)) for e, s in miskeyed]
    reader = StatusReader(settings)
    dead = StatusReader(settings, settings.kafka.dead_letter_topic)
    statuses: list[dict[str, object]] = []
    with AdapterProcess(settings, name="a") as first, AdapterProcess(settings, name="b") as second:
        time.sleep(5.0)  # both join the group before the work arrives
        produce_to(settings, [(h, str(h["employmentId"]).encode(), i % partitions)
                              for i, h in enumerate(hires)])  # fmt: skip
        hired = [str(h["eventId"]) for h in hires]
        # Recorded (RECEIVED), not yet final: the leaves arrive while the INs are in flight.
        reader.collect(
            statuses,
            until=lambda got: {str(s["sourceEventIds"][0]) for s in got} >= set(hired),
            time_limit_s=60,
        )
        produce_to(settings, routed_leaves)
        produce_to(settings, [(e, b"not-the-employment", 0) for e in wrong_key_leaves])
        expected = [*hired, *(str(e["eventId"]) for e, _, _ in routed_leaves)]
        reader.collect(statuses, until=lambda got: all_final(got, expected), time_limit_s=90)
        rejected = [str(e["eventId"]) for e in wrong_key_leaves]
        reader.collect(
            statuses,
            until=lambda got: (
                {s["sourceEventIds"][0] for s in got if s["status"] == "REJECTED"} >= set(rejected)
            ),
            time_limit_s=30,
        )
        logs = first.output()[-1500:] + second.output()[-1500:]
    reasons = [dict(m.headers() or []).get("dlq.reason.code") for m in dead.raw(5.0)]
    reader.close()
    dead.close()

    assert all_final(statuses, expected), logs
    counts = {c["worker"]: c for c in admin_client.period_counts(sandbox.admin_url)}
    for ssin in workers.values():
        assert counts[ssin]["periods"] == 1, counts[ssin]
    assert not [s for s in statuses if s["status"] in ("REFUSED", "FAILED")], logs
    for employment, _ in misrouted:
        accepted = sorted(
            str(s["declarationKind"])
            for s in statuses
            if s["employmentId"] == employment and s["status"] == "ACCEPTED"
        )
        assert accepted == ["IN", "OUT"], (employment, accepted, logs)
    for employment, _ in miskeyed:
        accepted = [
            s["declarationKind"]
            for s in statuses
            if s["employmentId"] == employment and s["status"] == "ACCEPTED"
        ]
        assert accepted == ["IN"], (employment, accepted)
    rejected_events = {str(s["sourceEventIds"][0]) for s in statuses if s["status"] == "REJECTED"}
    assert rejected_events == set(rejected)
    assert reasons == [b"KEY_MISMATCH"] * len(rejected), reasons
