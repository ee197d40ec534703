"""The thin end-to-end slice: a HIRE in Avro on Kafka → ONSS sandbox → ACCEPTED on Kafka."""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta

import pytest

from adapter.bootstrap import run_until_stopped
from adapter.demo_events import hire, ssin_for
from adapter.demo_harness import StatusReader, all_final, produce_events
from adapter.edges.kafka.topics import ensure_topics
from adapter.sandbox.process import SandboxProcess
from adapter.settings import Settings

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


async def _run_until_final(
    settings: Settings, events: list[dict[str, object]], timeout: float
) -> list[dict[str, object]]:
    kafka = settings.kafka
    ensure_topics(
        kafka.client_config(),
        (kafka.input_topic, kafka.status_topic, kafka.dead_letter_topic),
        partitions=kafka.topic_partitions,
    )
    stopping = asyncio.Event()
    task = asyncio.create_task(run_until_stopped(settings, stopping))
    reader = StatusReader(settings)
    statuses: list[dict[str, object]] = []
    try:
        produce_events(settings, events)
        deadline = time.monotonic() + timeout
        expected = [str(e["eventId"]) for e in events]
        while time.monotonic() < deadline and not task.done():
            statuses.extend(await asyncio.to_thread(reader.read, 0.3))
            if all_final(statuses, expected):
                break
    finally:
        stopping.set()
        await task
        reader.close()
    return statuses


async def test_hire_ends_accepted_with_declaration_and_period_ids(
    adapter_settings: Settings, sandbox: SandboxProcess
) -> None:
    start = date.today() + timedelta(days=3)
    event = hire("EMP-SLICE-1", ssin_for(7), start)

    statuses = await _run_until_final(adapter_settings, [event], timeout=60)

    mine = [s for s in statuses if s["employmentId"] == "EMP-SLICE-1"]
    assert [s["status"] for s in mine] == ["RECEIVED", "SUBMITTED", "ACCEPTED"]
    accepted = mine[-1]
    assert accepted["declarationKind"] == "IN"
    assert accepted["previousStatus"] == "SUBMITTED"
    assert accepted["resultCode"] == "A"
    declaration_id = accepted["declarationId"]
    assert isinstance(declaration_id, int)
    assert len(str(declaration_id)) == 12
    assert int(str(declaration_id)[:10]) % 97 == int(str(declaration_id)[10:]) or (
        int(str(declaration_id)[:10]) % 97 == 0 and str(declaration_id)[10:] == "97"
    )
    # For an IN the period id is taken from declarationStatus.period.id of the answer.
    assert accepted["periodId"] is not None
    assert accepted["sourceEventIds"] == [event["eventId"]]
    assert accepted["workerSsin"] == event["worker"]["ssin"]  # type: ignore[index]
    assert mine[1]["declarationId"] == declaration_id
