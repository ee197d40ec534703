"""What the loop tells the outside: the ``Metrics`` and ``HealthReport`` ports.

The loop calls these methods at fixed points (docs/operations.md lists them with the
Prometheus series they feed). Labels are low-cardinality on purpose: never an employment,
worker or declaration id. ``adapter.app.metrics`` has the do-nothing implementations;
``adapter.edges.http`` the real ones.
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
