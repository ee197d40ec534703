"""Run the adapter in-process against the session's broker and sandbox until statuses settle."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from adapter.app.driver import DriverConfig
from adapter.bootstrap import run_until_stopped
from adapter.demo_harness import FAST_POLLING, StatusReader, all_final, produce_events
from adapter.edges.kafka.topics import ensure_topics
from adapter.settings import Settings

TEST_DRIVER = DriverConfig(
    poll_schedule=FAST_POLLING, reconcile_window_s=30.0, reconcile_interval_s=0.5
)


def create_topics(settings: Settings) -> None:
    kafka = settings.kafka
    ensure_topics(
        kafka.client_config(),
        (kafka.input_topic, kafka.status_topic, kafka.dead_letter_topic),
        partitions=kafka.topic_partitions,
    )


async def run_pipeline(
    settings: Settings,
    events: Sequence[Mapping[str, Any] | bytes],
    *,
    expected_events: Sequence[str] | None = None,
    done: Callable[[list[dict[str, Any]]], bool] | None = None,
    time_limit_s: float = 60.0,
    driver: DriverConfig = TEST_DRIVER,
) -> list[dict[str, Any]]:
    """Produce ``events``, run the adapter until ``done`` (default: every event final)."""
    create_topics(settings)
    expected = list(
        expected_events or [str(e["eventId"]) for e in events if not isinstance(e, bytes)]
    )
    finished = done or (lambda statuses: all_final(statuses, expected))
    stopping = asyncio.Event()
    task = asyncio.create_task(run_until_stopped(settings, stopping, driver_config=driver))
    reader = StatusReader(settings)
    statuses: list[dict[str, Any]] = []
    try:
        produce_events(settings, events)
        deadline = time.monotonic() + time_limit_s
        while time.monotonic() < deadline and not task.done():
            statuses.extend(await asyncio.to_thread(reader.read, 0.3))
            if finished(statuses):
                break
    finally:
        stopping.set()
        await task
        reader.close()
    return statuses


def of(statuses: Sequence[Mapping[str, Any]], employment_id: str) -> list[Mapping[str, Any]]:
    return [s for s in statuses if s["employmentId"] == employment_id]


def trail(
    statuses: Sequence[Mapping[str, Any]], employment_id: str
) -> list[tuple[str | None, str]]:
    """(declaration kind, status) in order, for one employment."""
    return [(s.get("declarationKind"), s["status"]) for s in of(statuses, employment_id)]
