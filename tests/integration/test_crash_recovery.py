"""SIGKILL the adapter at random moments, restart it: every event gets its final status and the
sandbox's own records show no period declared twice."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from adapter.demo_events import hire, leave
from adapter.demo_harness import StatusReader, all_final, produce_events
from adapter.processes import AdapterProcess
from adapter.sandbox import admin_client
from adapter.sandbox.process import SandboxProcess
from adapter.settings import Settings
from tests.integration.harness import create_topics
from tests.integration.test_pipeline_outcomes import START, unique_ssin

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def test_killed_and_restarted_adapter_loses_nothing_and_declares_nothing_twice(
    adapter_settings: Settings, sandbox: SandboxProcess
) -> None:
    rng = random.Random(20261128)
    create_topics(adapter_settings)
    workers = {f"E-KILL-{i}": unique_ssin() for i in range(30)}
    events = [hire(e, s, START) for e, s in workers.items()]
    events += [leave(e, s, START + timedelta(days=30)) for e, s in list(workers.items())[:15]]
    expected = [str(e["eventId"]) for e in events]
    produce_events(adapter_settings, events)
    reader = StatusReader(adapter_settings)
    statuses: list[dict[str, object]] = []
    output = ""
    try:
        for _ in range(3):
            process = AdapterProcess(adapter_settings).start()
            reader.collect(statuses, time_limit_s=rng.uniform(4.0, 8.0))
            process.kill()
            output += process.output()
        with AdapterProcess(adapter_settings) as process:
            reader.collect(statuses, until=lambda got: all_final(got, expected), time_limit_s=120)
            output += process.output()
    finally:
        reader.close()

    assert all_final(statuses, expected), output[-3000:]
    final = {
        e: [
            s
            for s in statuses
            if s["employmentId"] == e and s["status"] in {"ACCEPTED", "REFUSED", "FAILED"}
        ]
        for e in workers
    }
    assert all(final[e] for e in workers)
    counts = {c["worker"]: c for c in admin_client.period_counts(sandbox.admin_url)}
    for ssin in workers.values():
        assert counts[ssin]["periods"] == 1, counts[ssin]


def test_sigterm_drains_and_exits_cleanly_then_work_resumes(
    adapter_settings: Settings, sandbox: SandboxProcess
) -> None:
    settings = adapter_settings.model_copy(update={"drain_budget_s": 5.0})
    create_topics(settings)
    workers = {f"E-TERM-{i}": unique_ssin() for i in range(10)}
    events = [hire(e, s, START) for e, s in workers.items()]
    expected = [str(e["eventId"]) for e in events]
    # Slow answers so that SIGTERM arrives with declarations still in flight.
    for ssin in workers.values():
        admin_client.add_scenario(sandbox.admin_url, "A", ssin=ssin, processing_delay_seconds=6.0)
    produce_events(settings, events)
    reader = StatusReader(settings)
    statuses: list[dict[str, object]] = []
    try:
        process = AdapterProcess(settings).start()
        reader.collect(
            statuses,
            until=lambda got: any(s["status"] == "SUBMITTED" for s in got),
            time_limit_s=30,
        )
        exit_code = process.stop(timeout_s=20)
        assert exit_code == 0, process.output()[-2000:]
        assert not all_final(statuses, expected)
        with AdapterProcess(settings):
            reader.collect(statuses, until=lambda got: all_final(got, expected), time_limit_s=60)
    finally:
        reader.close()
    assert all_final(statuses, expected)
