"""Connections to ONSS: a pool of httpx clients, a cap on requests in flight, a rate limit.

httpx 0.28's ``AsyncClient`` collapses beyond ~35 concurrent requests on one client
(encode/httpx#3215). Three transports keep the httpx API (docs/performance.md has the numbers):

* ``httpx``: one ``AsyncClient`` (fine up to ~30 in flight);
* ``httpx-pool``: ``ceil(max_in_flight / max_per_client)`` clients, each request going to the
  least busy one, so no client carries more than ``max_per_client``;
* ``aiohttp``: one ``AsyncClient`` over the ``httpx-aiohttp`` transport, whose aiohttp session
  (``lean.AiohttpSession``) also carries the hot path (submit, get_answer) without httpx;
* ``raw``: the same ``AsyncClient`` for everything else, the hot path on ``raw.RawHttp``.

Every request, whichever path it takes, holds one of the ``max_in_flight`` slots.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

import httpx

from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.dimona_rest.lean import AiohttpSession, HotPath
from adapter.edges.dimona_rest.raw import RawHttp


class RateLimiter:
    """At most ``rate_per_s`` acquisitions per second on average, bursts of ``burst``.

    A virtual-scheduling token bucket: each acquisition books the next free slot and sleeps
    until it; nothing runs in the background. Clock and sleep are injectable for tests.
    """

    def __init__(
        self,
        rate_per_s: float,
        *,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("rate_per_s must be > 0 and burst >= 1")
        self.interval = 1.0 / rate_per_s
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._next_slot = -math.inf

    def reserve(self) -> float:
        """Book a slot and return how long to wait for it (0 when free now)."""
        now = self._clock()
        earliest = now - (self.burst - 1) * self.interval
        slot = max(self._next_slot, earliest)
        self._next_slot = slot + self.interval
        return max(0.0, slot - now)

    async def acquire(self) -> None:
        wait = self.reserve()
        if wait > 0:
            await self._sleep(wait)


class _Slot:
    """``async with pool.slot``: one of the in-flight slots, for the lean path."""

    __slots__ = ("_pool",)

    def __init__(self, pool: HttpClientPool) -> None:
        self._pool = pool

    async def __aenter__(self) -> None:
        await self._pool._slots.acquire()
        self._pool._lean_busy += 1

    async def __aexit__(self, *exc_info: object) -> None:
        self._pool._lean_busy -= 1
        self._pool._slots.release()


class HttpClientPool:
    """Several ``httpx.AsyncClient`` behind one semaphore; a lease picks the least busy one.

    ``lean`` is the hot path when there is one (``aiohttp`` or ``raw`` transport, nothing
    injected); its requests take a ``slot`` of the same semaphore. ``session`` is the aiohttp
    session under the httpx client, closed with the pool.
    """

    def __init__(
        self,
        clients: Sequence[httpx.AsyncClient],
        *,
        max_in_flight: int,
        lean: HotPath | None = None,
        session: AiohttpSession | None = None,
    ) -> None:
        if not clients:
            raise ValueError("at least one client")
        self._clients = list(clients)
        self._busy = [0] * len(self._clients)
        self._lean_busy = 0
        self._slots = asyncio.Semaphore(max_in_flight)
        self.max_in_flight = max_in_flight
        self.lean = lean
        self._session = session
        self.slot = _Slot(self)

    @classmethod
    def from_config(
        cls,
        config: DimonaRestConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        lean: bool = True,
    ) -> HttpClientPool:
        """The clients for ``config.transport``; an injected ``transport`` replaces it.

        With the ``aiohttp`` or ``raw`` transport and nothing injected, the pool also offers the
        hot path (``self.lean``) unless ``lean=False`` (the client benchmark's comparison row).
        """
        timeout = httpx.Timeout(
            connect=config.connect_timeout_s,
            read=config.read_timeout_s,
            write=config.write_timeout_s,
            pool=config.pool_timeout_s,
        )
        headers = {"Accept": "application/json", "User-Agent": config.user_agent}
        if config.transport == "httpx-pool":
            count = math.ceil(config.max_in_flight / config.max_per_client)
            per_client = min(config.max_per_client, config.max_in_flight)
        else:
            count, per_client = 1, config.max_in_flight
        limits = httpx.Limits(max_connections=per_client, max_keepalive_connections=per_client)
        session = None
        hot: HotPath | None = None
        if transport is None and config.transport in ("aiohttp", "raw"):
            from httpx_aiohttp import AiohttpTransport

            aiohttp_transport = AiohttpTransport(limits=limits)
            session = AiohttpSession.from_config(
                config, limit=per_client, ssl=aiohttp_transport.ssl_context
            )
            aiohttp_transport.client = session.session  # one aiohttp session for both paths
            transport = aiohttp_transport
            hot = session
            if config.transport == "raw":
                hot = RawHttp.from_config(
                    config, limit=config.max_in_flight, ssl=aiohttp_transport.ssl_context
                )
        clients = [
            httpx.AsyncClient(transport=transport, limits=limits, timeout=timeout, headers=headers)
            for _ in range(count)
        ]
        return cls(
            clients,
            max_in_flight=config.max_in_flight,
            lean=hot if lean else None,
            session=session,
        )

    @property
    def size(self) -> int:
        return len(self._clients)

    @property
    def in_flight(self) -> int:
        return sum(self._busy) + self._lean_busy

    @asynccontextmanager
    async def lease(self) -> AsyncIterator[httpx.AsyncClient]:
        async with self._slots:
            # Under the semaphore at most max_in_flight leases exist, so the least busy client
            # never carries more than ceil(max_in_flight / size) = max_per_client.
            index = min(range(len(self._busy)), key=self._busy.__getitem__)
            self._busy[index] += 1
            try:
                yield self._clients[index]
            finally:
                self._busy[index] -= 1

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()
        if self.lean is not None and self.lean is not self._session:
            await self.lean.aclose()
        if self._session is not None:
            await self._session.aclose()
