"""The ops server's bounds, on a real loopback server: idle connections and floods of probes.

Time is driven by small configured timeouts; the tests wait for what the server does (a
close, a 503, one store query) and never measure how long it took.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from adapter.edges.http.health import Health
from adapter.edges.http.prometheus import PrometheusMetrics
from adapter.edges.http.server import OpsServer

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingStore:
    """A store check that counts its queries."""

    def __init__(self, *, up: bool = True) -> None:
        self.queries = 0
        self.up = up

    async def __call__(self) -> bool:
        self.queries += 1
        await asyncio.sleep(0)  # let concurrent probes pile up behind the query
        if not self.up:
            raise OSError("connection refused")
        return True


@asynccontextmanager
async def server(
    health: Health | None = None, *, idle_timeout_s: float, max_connections: int = 100
) -> AsyncIterator[OpsServer]:
    async with OpsServer(
        health or Health(),
        PrometheusMetrics(),
        host="127.0.0.1",
        port=0,
        idle_timeout_s=idle_timeout_s,
        max_connections=max_connections,
    ) as ops:
        yield ops


async def _open(ops: OpsServer, count: int) -> list[Connection]:
    return [await asyncio.open_connection("127.0.0.1", ops.port) for _ in range(count)]


async def _until_served(ops: OpsServer, count: int) -> None:
    """Wait until the server has taken up (or let go of) connections; the test timeout bounds it."""
    while ops.open_connections != count:  # noqa: ASYNC110 - the server's count has no event
        await asyncio.sleep(0.01)


async def _close(connections: list[Connection]) -> None:
    for _, writer in connections:
        writer.close()
        await writer.wait_closed()


async def test_idle_connections_are_closed_after_the_idle_timeout() -> None:
    async with server(idle_timeout_s=0.2) as ops:
        idle = await _open(ops, 30)
        # a slow client: the start of a request head, never its end
        idle[0][1].write(b"GET /livez HTTP/1.1\r\nHost: probe\r\n")
        await idle[0][1].drain()
        await _until_served(ops, 30)
        for reader, _ in idle:
            assert await reader.read() == b""  # closed by the server, without an answer
        assert ops.open_connections == 0
        await _close(idle)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ops.port}") as http:
            assert (await http.get("/livez")).status_code == 200


async def test_connections_beyond_the_bound_are_refused_at_once() -> None:
    # an idle timeout far beyond the test: only the bound can close the extra connections
    async with server(idle_timeout_s=600, max_connections=5) as ops:
        held = await _open(ops, 5)
        await _until_served(ops, 5)
        extra = await _open(ops, 20)
        for reader, _ in extra:
            answer = await reader.read()
            assert answer.startswith(b"HTTP/1.1 503 ")
            assert answer.endswith(b"too many connections\n")
        assert ops.open_connections == 5
        await _close(extra)
        await _close(held[:1])  # one slot frees up: the server takes requests again
        await _until_served(ops, 4)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ops.port}") as http:
            assert (await http.get("/livez")).status_code == 200
        await _close(held[1:])


async def test_a_flood_of_readiness_probes_costs_one_store_query_per_window() -> None:
    store, clock = CountingStore(), ManualClock()
    health = Health(store_check=store, readiness_cache_s=1.0, clock=clock)
    health.partitions_assigned(True)
    verdicts = await asyncio.gather(*(health.ready() for _ in range(50)))
    assert all(v.ok for v in verdicts)
    assert store.queries == 1  # concurrent probes wait for the query under way
    clock.now += 0.9
    assert (await health.ready()).ok
    assert store.queries == 1
    clock.now += 0.1
    store.up = False
    down = await asyncio.gather(*(health.ready() for _ in range(10)))
    assert store.queries == 2
    assert [v.checks["store"] for v in down] == ["unreachable"] * 10  # failures are reused too


async def test_readyz_over_http_queries_the_store_once_per_window() -> None:
    store, clock = CountingStore(), ManualClock()
    health = Health(store_check=store, readiness_cache_s=2.0, clock=clock)
    health.partitions_assigned(True)
    async with server(health, idle_timeout_s=5) as ops, httpx.AsyncClient() as http:
        url = f"http://127.0.0.1:{ops.port}/readyz"
        answers = await asyncio.gather(*(http.get(url) for _ in range(20)))
        assert [a.status_code for a in answers] == [200] * 20
        assert store.queries == 1
        clock.now += 2.0
        assert (await http.get(url)).status_code == 200
        assert store.queries == 2


async def test_no_cache_means_one_query_per_probe() -> None:
    store = CountingStore()
    health = Health(store_check=store, readiness_cache_s=0)
    for _ in range(3):
        await health.ready()
    assert store.queries == 3
