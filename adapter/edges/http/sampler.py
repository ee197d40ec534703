"""Gauges read from the store: pending polls by age and the outbox backlog.

They are facts of the shared database, so each process samples only the rows of the input
partitions it owns (no double counting across replicas). Also the readiness check of the
store. Read-only; the ages of pending polls are read with one query of our own (the store
offers only their total).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from adapter.app.metrics import count_by_age
from adapter.app.ports import Metrics
from adapter.edges.store.sql import SqlStore

log = logging.getLogger(__name__)

AWAITING_ANSWER = ("SUBMITTED", "WAITING_IDENTIFICATION")


class StoreSampler:
    """``await sampler.run(stopping)`` refreshes the gauges every ``interval_s`` seconds."""

    def __init__(
        self,
        store: SqlStore,
        metrics: Metrics,
        partitions: Callable[[], frozenset[int]],
        *,
        interval_s: float = 15.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._metrics = metrics
        self._partitions = partitions
        self._interval = interval_s
        self._clock = clock

    def _rows(self, sql: str, params: list[Any]) -> list[Any]:
        store = self._store
        with store._tx() as cur:
            store._run(cur, sql, params)
            return list(cur.fetchall())

    def sample(self) -> None:
        """One synchronous refresh (call it from a worker thread)."""
        owned = sorted(self._partitions())
        self._metrics.set_partitions_assigned(len(owned))
        if not owned:
            self._metrics.pending_polls(count_by_age([]))
            self._metrics.set_outbox_backlog(0)
            return
        marks = ", ".join("?" for _ in owned)
        states = ", ".join("?" for _ in AWAITING_ANSWER)
        # only placeholders are interpolated
        query = (
            "SELECT d.submitted_at FROM declarations d "  # noqa: S608
            "JOIN inbox i ON i.event_id = d.event_id "
            f"WHERE d.state IN ({states}) AND d.submitted_at IS NOT NULL "
            f"AND i.kafka_partition IN ({marks})"
        )
        submitted = self._rows(query, [*AWAITING_ANSWER, *owned])
        now = self._clock()
        self._metrics.pending_polls(count_by_age([now - float(row[0]) for row in submitted]))
        self._metrics.set_outbox_backlog(self._store.outbox_backlog(owned).pending)

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                await asyncio.to_thread(self.sample)
            except Exception:  # a failed sample must never stop the adapter
                log.warning("sampling store gauges failed", exc_info=True)
            try:
                await asyncio.wait_for(stopping.wait(), self._interval)
            except TimeoutError:
                continue


def store_check(store: SqlStore) -> Callable[[], Any]:
    """For ``Health(store_check=...)``: the store answers a trivial read."""

    async def check() -> bool:
        await asyncio.to_thread(store.schema_version)
        return True

    return check
