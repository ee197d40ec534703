"""The running adapter process serves its probes and metrics, and logs one line per step."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from adapter.demo_events import hire
from adapter.demo_harness import StatusReader, all_final, produce_events
from adapter.edges.kafka.embedded import free_loopback_port
from adapter.processes import AdapterProcess
from adapter.settings import Settings
from tests.integration.harness import create_topics
from tests.integration.test_pipeline_outcomes import START, unique_ssin

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def test_probes_metrics_and_canonical_lines(adapter_settings: Settings) -> None:
    port = free_loopback_port()
    settings = adapter_settings.model_copy(
        update={"http": adapter_settings.http.model_copy(update={"port": port})}
    )
    create_topics(settings)
    ssin = unique_ssin()
    event = hire("E-OPS", ssin, START)
    reader = StatusReader(settings)
    statuses: list[dict[str, object]] = []
    with AdapterProcess(settings, http_port=port) as process:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        ready = None
        while time.monotonic() < deadline:
            try:
                ready = httpx.get(f"{base}/readyz", timeout=2)
            except httpx.TransportError:
                time.sleep(0.3)
                continue
            if ready.status_code == 200:
                break
            time.sleep(0.3)
        assert ready is not None
        assert ready.status_code == 200, ready.text
        assert httpx.get(f"{base}/livez", timeout=2).status_code == 200
        produce_events(settings, [event])
        reader.collect(
            statuses, until=lambda got: all_final(got, [event["eventId"]]), time_limit_s=60
        )
        metrics = httpx.get(f"{base}/metrics", timeout=2).text
        output = process.output()
    reader.close()

    assert all_final(statuses, [event["eventId"]])
    assert "dimona_adapter_" in metrics
    consumed = [
        line for line in metrics.splitlines() if line.startswith("dimona_adapter_events_consumed")
    ]
    assert consumed, metrics[:2000]
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    handled = [line for line in lines if line.get("event") == "message handled"]
    assert any(line.get("transition") == "SUBMITTED->ACCEPTED" for line in handled), handled
    assert ssin not in output  # personal data never in clear


def test_dead_letter_flood_stops_the_consumer_with_exit_code_5(adapter_settings: Settings) -> None:
    pipeline = adapter_settings.pipeline.model_copy(
        update={"dead_letter_window": 10, "dead_letter_ratio_limit": 0.5}
    )
    settings = adapter_settings.model_copy(update={"pipeline": pipeline})
    create_topics(settings)
    produce_events(settings, [b"not an event %d" % i for i in range(20)])
    with AdapterProcess(settings) as process:
        deadline = time.monotonic() + 60
        while process.alive and time.monotonic() < deadline:
            time.sleep(0.3)
        code = process.stop()
        output = process.output()
    assert code == 5, output[-2000:]
    assert "dead-lettered" in output
