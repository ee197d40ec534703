from __future__ import annotations

import asyncio

import httpx
import pytest

from adapter.edges.dimona_rest.client import DimonaRestClient
from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.dimona_rest.pool import HttpClientPool, RateLimiter

from .fake_onss import FakeOnss


class VirtualTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_rate_limiter_spaces_requests() -> None:
    time = VirtualTime()
    limiter = RateLimiter(4.0, clock=time.clock, sleep=time.sleep)
    stamps = []
    for _ in range(5):
        await limiter.acquire()
        stamps.append(time.now)
    assert stamps == pytest.approx([100.0, 100.25, 100.5, 100.75, 101.0])


async def test_rate_limiter_allows_a_burst_then_the_rate() -> None:
    time = VirtualTime()
    limiter = RateLimiter(2.0, burst=3, clock=time.clock, sleep=time.sleep)
    waits = [limiter.reserve() for _ in range(5)]
    assert waits == pytest.approx([0, 0, 0, 0.5, 1.0])
    time.now += 10  # idle: the burst is available again, not more
    assert [limiter.reserve() for _ in range(4)] == pytest.approx([0, 0, 0, 0.5])


async def test_concurrent_acquisitions_are_spaced() -> None:
    time = VirtualTime()
    limiter = RateLimiter(10.0, clock=time.clock, sleep=time.sleep)
    waits = [limiter.reserve() for _ in range(3)]
    assert waits == pytest.approx([0.0, 0.1, 0.2])


def test_rate_limiter_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="rate_per_s"):
        RateLimiter(0)


@pytest.mark.parametrize(
    ("transport", "max_in_flight", "per_client", "size"),
    [
        ("httpx", 200, 30, 1),
        ("httpx-pool", 200, 30, 7),
        ("httpx-pool", 30, 30, 1),
        ("aiohttp", 200, 30, 1),
    ],
)
async def test_pool_size_by_transport(
    config: DimonaRestConfig, transport: str, max_in_flight: int, per_client: int, size: int
) -> None:
    shaped = config.model_copy(
        update={
            "transport": transport,
            "max_in_flight": max_in_flight,
            "max_per_client": per_client,
        }
    )
    pool = HttpClientPool.from_config(shaped)
    try:
        assert pool.size == size
        assert pool.max_in_flight == max_in_flight
    finally:
        await pool.aclose()


async def test_least_busy_client_is_leased() -> None:
    clients = [httpx.AsyncClient() for _ in range(3)]
    pool = HttpClientPool(clients, max_in_flight=6)
    leased = []
    async with pool.lease() as a, pool.lease() as b, pool.lease() as c, pool.lease() as d:
        leased = [a, b, c, d]
        assert pool.in_flight == 4
    assert leased[:3] == clients
    assert leased[3] is clients[0]
    assert pool.in_flight == 0
    await pool.aclose()
    with pytest.raises(ValueError, match="at least one"):
        HttpClientPool([], max_in_flight=1)


async def test_client_applies_the_configured_rate_limit(
    config: DimonaRestConfig, onss: FakeOnss
) -> None:
    limited = config.model_copy(update={"rate_limit_per_s": 1000.0, "rate_limit_burst": 2})
    async with DimonaRestClient.from_config(limited, transport=onss.transport()) as dimona:
        assert dimona._rate is not None
        assert dimona._rate.interval == pytest.approx(0.001)
        results = await asyncio.gather(*(dimona.get_answer(1) for _ in range(5)))
    assert results == [None] * 5


@pytest.mark.parametrize(
    ("transport", "injected", "lean", "has_lean"),
    [
        ("aiohttp", False, True, True),
        ("aiohttp", False, False, False),
        ("aiohttp", True, True, False),  # an injected transport (tests) takes every request
        ("httpx", False, True, False),
        ("httpx-pool", False, True, False),
    ],
)
async def test_the_lean_path_only_with_the_aiohttp_transport(
    config: DimonaRestConfig,
    onss: FakeOnss,
    transport: str,
    injected: bool,
    lean: bool,
    has_lean: bool,
) -> None:
    shaped = config.model_copy(update={"transport": transport})
    pool = HttpClientPool.from_config(
        shaped, transport=onss.transport() if injected else None, lean=lean
    )
    try:
        assert (pool.lean is not None) is has_lean
        if pool.lean is not None:
            # one aiohttp session: the httpx client's transport hands out the lean one
            session = pool.lean.session()
            assert pool._clients[0]._transport.get_client() is session  # type: ignore[attr-defined]
            assert session.connector is not None
            assert session.connector.limit == shaped.max_in_flight
            assert session.timeout.sock_read == shaped.read_timeout_s
            assert session.timeout.sock_connect == shaped.connect_timeout_s
            assert session.timeout.connect == shaped.pool_timeout_s
    finally:
        await pool.aclose()
    if pool.lean is not None:
        assert pool.lean.session().closed
