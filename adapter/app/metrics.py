"""What the orchestration tells the outside about its work: the ``Metrics`` port.

The loop calls these methods at fixed points (docs/operations.md lists them with the
Prometheus series they feed). Labels are low-cardinality on purpose: never an employment,
worker or declaration id. ``NoMetrics`` is the do-nothing implementation for tests and tools;
``adapter.edges.http.prometheus.PrometheusMetrics`` is the real one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class Metrics(Protocol):
    """Counters, gauges and histograms of one adapter process."""

    def event_consumed(self, partition: int) -> None:
        """One inbound record was read from ``partition`` (accepted or not)."""
        ...

    def event_rejected(self, reason: str) -> None:
        """One inbound record was rejected (``reason`` is the Rejected.reason_code)."""
        ...

    def dead_letter(self, reason: str) -> None:
        """One record was written to the dead-letter topic."""
        ...

    def declaration_result(self, kind: str, result: str) -> None:
        """A declaration reached a final state (kind IN/OUT/UPDATE/CANCEL; result = the state)."""
        ...

    def transition(self, state: str) -> None:
        """A declaration entered ``state`` (every state, final or not)."""
        ...

    def onss_request(self, endpoint: str, status: int | str, seconds: float) -> None:
        """One HTTP exchange with ONSS (the DimonaRestClient ``on_request`` hook)."""
        ...

    def handled(self, seconds: float) -> None:
        """One inbound message handled (consume to durable inbox write)."""
        ...

    def set_in_flight(self, employments: int) -> None:
        """Employments with an active actor in this process."""
        ...

    def set_outbox_backlog(self, records: int) -> None:
        """Status events recorded but not yet acknowledged by the broker."""
        ...

    def pending_polls(self, by_age: Mapping[str, int]) -> None:
        """Declarations awaiting an ONSS answer, by age bucket (see ``POLL_AGE_BUCKETS``)."""
        ...

    def set_consumer_lag(self, partition: int, lag: int) -> None:
        """Records behind the end of ``partition`` (from librdkafka statistics)."""
        ...

    def set_partitions_assigned(self, count: int) -> None: ...


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


class HealthReport(Protocol):
    """What the loop tells the probes (implemented by ``adapter.edges.http.health.Health``)."""

    def heartbeat(self) -> None:
        """Once per loop iteration: ``/livez`` fails when this stops."""
        ...

    def partitions_assigned(self, assigned: bool) -> None:
        """Whether this process owns input partitions (part of ``/readyz``)."""
        ...

    def stopping(self) -> None:
        """Draining on SIGTERM: ``/readyz`` fails from now on."""
        ...

    def degraded(self, check: str, problem: str | None) -> None:
        """A dependency ``check`` (store, registry, ONSS credentials) is failing with
        ``problem``, or recovered (None): ``/readyz`` fails while any problem stands."""
        ...


class NoHealth:
    def heartbeat(self) -> None:
        pass

    def partitions_assigned(self, assigned: bool) -> None:
        pass

    def stopping(self) -> None:
        pass

    def degraded(self, check: str, problem: str | None) -> None:
        pass
