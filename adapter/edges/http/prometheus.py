"""The ``Metrics`` port on prometheus_client, one registry per instance (tests run many).

Names follow the Prometheus conventions: one prefix, base units, ``_total`` on counters, and
no label that could hold an employment, worker or declaration id.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

from adapter import __version__

PREFIX = "dimona_adapter"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
ONSS_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
HANDLING_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

log = logging.getLogger(__name__)


class PrometheusMetrics:
    """Implements ``adapter.app.metrics.Metrics``; ``render()`` gives the exposition text."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        # ``*_created`` series double every counter and histogram for a time stamp nobody
        # graphs (the process start time says the same); off for the whole process.
        disable_created_metrics()  # type: ignore[no-untyped-call]  # untyped in prometheus_client
        if registry is None:
            registry = CollectorRegistry(auto_describe=True)
            # Memory, CPU, open files and the collector's pauses: what the runbooks read.
            for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
                registry.register(collector)
        self.registry = registry
        r = self.registry
        self._consumed = Counter(
            f"{PREFIX}_events_consumed", "Inbound records read", ["partition"], registry=r
        )
        self._rejected = Counter(
            f"{PREFIX}_events_rejected", "Inbound records rejected", ["reason"], registry=r
        )
        self._dead_letters = Counter(
            f"{PREFIX}_dead_letters",
            "Records sent to the dead-letter topic",
            ["reason"],
            registry=r,
        )
        self._declarations = Counter(
            f"{PREFIX}_declarations",
            "Declarations that reached a final state",
            ["kind", "result"],
            registry=r,
        )
        self._transitions = Counter(
            f"{PREFIX}_declaration_transitions", "Declaration state changes", ["state"], registry=r
        )
        self._onss = Histogram(
            f"{PREFIX}_onss_request_duration_seconds",
            "HTTP exchanges with ONSS (count = requests)",
            ["endpoint", "status"],
            buckets=ONSS_BUCKETS,
            registry=r,
        )
        self._handling = Histogram(
            f"{PREFIX}_message_handling_duration_seconds",
            "Consume to durable inbox write, per message",
            buckets=HANDLING_BUCKETS,
            registry=r,
        )
        self._in_flight = Gauge(
            f"{PREFIX}_employments_in_flight", "Employments being worked on", registry=r
        )
        self._backlog = Gauge(
            f"{PREFIX}_outbox_backlog", "Status events not yet published", registry=r
        )
        self._pending = Gauge(
            f"{PREFIX}_pending_polls",
            "Declarations awaiting an ONSS answer, by age since submission",
            ["age"],
            registry=r,
        )
        self._lag = Gauge(
            f"{PREFIX}_consumer_lag", "Records behind the partition end", ["partition"], registry=r
        )
        self._assigned = Gauge(
            f"{PREFIX}_partitions_assigned", "Input partitions owned by this process", registry=r
        )
        self._children: dict[tuple[object, ...], Any] = {}
        build = Gauge(f"{PREFIX}_build_info", "Always 1", ["version"], registry=r)
        build.labels(version=__version__).set(1)

    def _child(self, metric: Any, *values: object) -> Any:
        """The labelled child, looked up once: ``labels()`` validates and locks on every call,
        several times per declaration (label values are few: states, reasons, partitions)."""
        key = (id(metric), *values)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*(str(v) for v in values))
        return child

    # -- the Metrics port ---------------------------------------------------------------------
    def event_consumed(self, partition: int) -> None:
        self._child(self._consumed, partition).inc()

    def event_rejected(self, reason: str) -> None:
        self._child(self._rejected, reason).inc()

    def dead_letter(self, reason: str) -> None:
        self._child(self._dead_letters, reason).inc()

    def declaration_result(self, kind: str, result: str) -> None:
        self._child(self._declarations, kind, result).inc()

    def transition(self, state: str) -> None:
        self._child(self._transitions, state).inc()

    def onss_request(self, endpoint: str, status: int | str, seconds: float) -> None:
        self._child(self._onss, endpoint, status).observe(seconds)

    def handled(self, seconds: float) -> None:
        self._handling.observe(seconds)

    def set_in_flight(self, employments: int) -> None:
        self._in_flight.set(employments)

    def set_outbox_backlog(self, records: int) -> None:
        self._backlog.set(records)

    def pending_polls(self, by_age: Mapping[str, int]) -> None:
        for age, count in by_age.items():
            self._pending.labels(age=age).set(count)

    def set_consumer_lag(self, partition: int, lag: int) -> None:
        self._lag.labels(partition=str(partition)).set(lag)

    def set_partitions_assigned(self, count: int) -> None:
        self._assigned.set(count)

    # -- exposition ---------------------------------------------------------------------------
    def render(self) -> bytes:
        return bytes(generate_latest(self.registry))


def lag_from_statistics(stats_json: str, topic: str) -> dict[int, int]:
    """Per-partition ``consumer_lag`` of ``topic`` from librdkafka's statistics JSON.

    librdkafka reports -1 while it does not know the lag yet, and a pseudo-partition -1
    for unassigned messages: both are skipped.
    """
    stats = json.loads(stats_json)
    partitions = stats.get("topics", {}).get(topic, {}).get("partitions", {})
    lags: dict[int, int] = {}
    for key, values in partitions.items():
        partition = int(key)
        lag = int(values.get("consumer_lag", -1))
        if partition >= 0 and lag >= 0:
            lags[partition] = lag
    return lags


def kafka_stats_callback(metrics: PrometheusMetrics, topic: str) -> Callable[[str], None]:
    """A ``stats_cb`` for the consumer config (with ``statistics.interval.ms`` set)."""

    def on_statistics(stats_json: str) -> None:
        try:
            for partition, lag in lag_from_statistics(stats_json, topic).items():
                metrics.set_consumer_lag(partition, lag)
        except (ValueError, TypeError, AttributeError):
            log.warning("unreadable librdkafka statistics", exc_info=True)

    return on_statistics
