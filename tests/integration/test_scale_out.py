"""Two adapter processes in one consumer group on PostgreSQL; one is killed mid-run:
nothing lost, nothing doubled."""

from __future__ import annotations

import time
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

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.slow]


def test_two_processes_share_the_work_and_survive_one_being_killed(
    adapter_settings: Settings, sandbox: SandboxProcess, postgres_url: str
) -> None:
    settings = adapter_settings.model_copy(
        update={"store": adapter_settings.store.model_copy(update={"url": postgres_url})}
    )
    create_topics(settings)
    workers = {f"E-SCALE-{i}": unique_ssin() for i in range(40)}
    events = [hire(e, s, START) for e, s in workers.items()]
    events += [leave(e, s, START + timedelta(days=30)) for e, s in workers.items()]
    expected = [str(e["eventId"]) for e in events]
    reader = StatusReader(settings)
    statuses: list[dict[str, object]] = []
    with AdapterProcess(settings, name="a") as first, AdapterProcess(settings, name="b") as second:
        time.sleep(5.0)  # both join the group before the work arrives
        produce_events(settings, events)
        reader.collect(statuses, time_limit_s=3.0)
        first.kill()
        reader.collect(statuses, until=lambda got: all_final(got, expected), time_limit_s=150)
        logs = first.output()[-1500:] + second.output()[-1500:]
    reader.close()

    assert all_final(statuses, expected), logs
    counts = {c["worker"]: c for c in admin_client.period_counts(sandbox.admin_url)}
    for ssin in workers.values():
        assert counts[ssin]["periods"] == 1, counts[ssin]
    for employment in workers:
        kinds = [
            s["declarationKind"]
            for s in statuses
            if s["employmentId"] == employment and s["status"] == "ACCEPTED"
        ]
        assert sorted(set(kinds)) == ["IN", "OUT"], (employment, kinds)
