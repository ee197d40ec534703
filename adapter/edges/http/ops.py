"""One call for the composition root: metrics, health, the ops server and the store sampler.

async with operations(host=..., port=..., store=store,
                      partitions=lambda: source.assigned_partitions) as ops:
    ... Runner(..., metrics=ops.metrics, health=ops.health) ...
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from adapter.app.ports import StoreView
from adapter.edges.http.health import Health
from adapter.edges.http.prometheus import PrometheusMetrics
from adapter.edges.http.sampler import StoreSampler, store_check
from adapter.edges.http.server import OpsServer


@dataclass(frozen=True, slots=True)
class Operations:
    metrics: PrometheusMetrics
    health: Health
    server: OpsServer


@asynccontextmanager
async def operations(
    *,
    host: str,
    port: int,
    store: StoreView | None,
    partitions: Callable[[], frozenset[int]],
    liveness_window_s: float = 60.0,
    sample_interval_s: float = 15.0,
    idle_timeout_s: float = 5.0,
    max_connections: int = 100,
    readiness_cache_s: float = 1.0,
    metrics: PrometheusMetrics | None = None,
) -> AsyncIterator[Operations]:
    """Serve ``/livez``, ``/readyz``, ``/metrics`` and sample the store gauges until exit.

    Pass ``metrics`` when it must exist earlier (the Kafka ``stats_cb`` is set when the
    consumer is built); ``partitions`` is called only once the server runs.
    """
    metrics = metrics or PrometheusMetrics()
    health = Health(
        liveness_window_s=liveness_window_s,
        store_check=None if store is None else store_check(store),
        readiness_cache_s=readiness_cache_s,
    )
    stopping = asyncio.Event()
    sampler_task: asyncio.Task[None] | None = None
    if store is not None:
        sampler = StoreSampler(store, metrics, partitions, interval_s=sample_interval_s)
        sampler_task = asyncio.create_task(sampler.run(stopping), name="store-gauges")
    try:
        limits = {"idle_timeout_s": idle_timeout_s, "max_connections": max_connections}
        async with _serving(health, metrics, host, port, limits) as served:
            yield served
    finally:
        stopping.set()
        if sampler_task is not None:
            await sampler_task


@asynccontextmanager
async def start_up_probes(
    *,
    host: str,
    port: int,
    liveness_window_s: float = 60.0,
    idle_timeout_s: float = 5.0,
    max_connections: int = 100,
) -> AsyncIterator[Operations]:
    """While the adapter cannot start yet (its store unreachable): ``/livez`` answers as long as
    the start-up loop ticks (``health.heartbeat()``), ``/readyz`` says why it is not ready.
    Closed before the real ops server binds the same port."""
    health = Health(liveness_window_s=liveness_window_s)
    limits = {"idle_timeout_s": idle_timeout_s, "max_connections": max_connections}
    async with _serving(health, PrometheusMetrics(), host, port, limits) as served:
        yield served


@asynccontextmanager
async def _serving(
    health: Health, metrics: PrometheusMetrics, host: str, port: int, limits: dict[str, Any]
) -> AsyncIterator[Operations]:
    async with OpsServer(health, metrics, host=host, port=port, **limits) as server:
        yield Operations(metrics, health, server)
