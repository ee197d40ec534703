"""Helpers around the ``Metrics`` port (``adapter.app.ports.telemetry``): the poll age
buckets, and ``NoMetrics`` / ``NoHealth``, the do-nothing implementations for tests and tools;
``adapter.edges.http.prometheus.PrometheusMetrics`` is the real one.
"""

from __future__ import annotations

from collections.abc import Mapping

POLL_AGE_BUCKETS: tuple[tuple[str, float], ...] = (
    ("lt_1m", 60.0),
    ("lt_20m", 20 * 60.0),
    ("lt_6h", 6 * 3600.0),
    ("lt_1d", 24 * 3600.0),
    ("lt_7d", 7 * 24 * 3600.0),
)
"""Age buckets of pending polls, upper bounds in seconds; older ones go to ``ge_7d``."""
OLDEST_BUCKET = "ge_7d"


def poll_age_bucket(age_s: float) -> str:
    """The bucket label of a declaration submitted ``age_s`` seconds ago."""
    for label, bound in POLL_AGE_BUCKETS:
        if age_s < bound:
            return label
    return OLDEST_BUCKET


def count_by_age(ages_s: list[float]) -> dict[str, int]:
    """Count ages into every bucket (zeros included, so a drained bucket drops to 0)."""
    counts = {label: 0 for label, _ in POLL_AGE_BUCKETS} | {OLDEST_BUCKET: 0}
    for age in ages_s:
        counts[poll_age_bucket(age)] += 1
    return counts


class NoMetrics:
    """Discards everything."""

    def event_consumed(self, partition: int) -> None:
        pass

    def event_rejected(self, reason: str) -> None:
        pass

    def dead_letter(self, reason: str) -> None:
        pass

    def declaration_result(self, kind: str, result: str) -> None:
        pass

    def transition(self, state: str) -> None:
        pass

    def onss_request(self, endpoint: str, status: int | str, seconds: float) -> None:
        pass

    def handled(self, seconds: float) -> None:
        pass

    def set_in_flight(self, employments: int) -> None:
        pass

    def set_outbox_backlog(self, records: int) -> None:
        pass

    def pending_polls(self, by_age: Mapping[str, int]) -> None:
        pass

    def set_consumer_lag(self, partition: int, lag: int) -> None:
        pass

    def set_partitions_assigned(self, count: int) -> None:
        pass


class NoHealth:
    def heartbeat(self) -> None:
        pass

    def partitions_assigned(self, assigned: bool) -> None:
        pass

    def stopping(self) -> None:
        pass

    def degraded(self, check: str, problem: str | None) -> None:
        pass
