"""Gauges read from the store: pending polls by age and the outbox backlog.

They are facts of the shared database, so each process samples only the rows of the input
partitions it owns (no double counting across replicas). Also the readiness check of the
store. Read-only, through the store's read side (``StoreView``), whose calls go ahead of the
pipeline's queued writes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from adapter.app.metrics import count_by_age
from adapter.app.ports import Metrics, StoreView

log = logging.getLogger(__name__)


class StoreSampler:
    """``await sampler.run(stopping)`` refreshes the gauges every ``interval_s`` seconds."""

    def __init__(
        self,
        store: StoreView,
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

    async def sample(self) -> None:
        """One refresh."""
        owned = sorted(self._partitions())
        self._metrics.set_partitions_assigned(len(owned))
        if not owned:
            self._metrics.pending_polls(count_by_age([]))
            self._metrics.set_outbox_backlog(0)
            return
        submitted = await self._store.awaiting_answer_since(owned)
        now = self._clock()
        self._metrics.pending_polls(count_by_age([now - at for at in submitted]))
        self._metrics.set_outbox_backlog((await self._store.outbox_backlog(owned)).pending)

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                await self.sample()
            except Exception:  # a failed sample must never stop the adapter
                log.warning("sampling store gauges failed", exc_info=True)
            try:
                await asyncio.wait_for(stopping.wait(), self._interval)
            except TimeoutError:
                continue


def store_check(store: StoreView) -> Callable[[], Any]:
    """For ``Health(store_check=...)``: the store answers a trivial read."""

    async def check() -> bool:
        await store.schema_version()
        return True

    return check
