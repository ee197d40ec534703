"""What the store cost, for ``/metrics``: ``store_calls_total`` and
``store_transactions_total`` (``engine.StoreCounts``), read when Prometheus scrapes.

Calls per declaration and transactions per declaration are their rates divided by the rate of
``declarations_total``; with group commit, transactions fall far below calls under load.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from adapter.edges.http.prometheus import PREFIX
from adapter.edges.store.engine import StoreCounts


class StoreCountsCollector(Collector):
    def __init__(self, counts: StoreCounts) -> None:
        self._counts = counts

    def collect(self) -> Iterator[CounterMetricFamily]:
        counts = self._counts
        yield CounterMetricFamily(
            f"{PREFIX}_store_calls",
            "Store calls served (reads, writes, calls alone)",
            value=counts.calls,
        )
        yield CounterMetricFamily(
            f"{PREFIX}_store_transactions",
            "Store transactions committed (one per group of writes)",
            value=counts.transactions,
        )


def register_store_counts(registry: CollectorRegistry, counts: StoreCounts) -> None:
    registry.register(StoreCountsCollector(counts))
