"""The ``raw`` hot path: HTTP/1.1 straight on asyncio, answers parsed by ``httptools``.

aiohttp costs ~0.3 ms of CPU per request, more than the budget of a whole declaration (two
requests). ``RawHttp`` sends only the two hot requests (POST /declarations, GET
/declarations/{id}) to the one ONSS origin: a pool of keep-alive connections (at most
``limit``; idle ones reused last-in first-out; one is dropped when the server says
``Connection: close``, on any error, or after ``keepalive_s`` idle), each request written at
once, the answer parsed by the C parser (Content-Length, chunked, or up to EOF).

Failures are raised as httpx's exceptions, which ``classify.request_was_sent`` reads exactly:

* never sent: ``ConnectError`` (refused, DNS, TLS handshake), ``ConnectTimeout``,
  ``PoolTimeout``;
* sent, outcome unknown: ``ReadTimeout`` (no whole answer within ``read_timeout_s``),
  ``ReadError`` (reset), ``RemoteProtocolError`` (EOF before a whole answer, malformed answer).

A POST is never repeated. A GET that meets a kept-alive connection the server had closed
before sending anything back is repeated once on a fresh connection (as aiohttp does for an
idempotent request). No ``Accept-Encoding`` is sent: answers come uncompressed.
"""

from __future__ import annotations

import asyncio
import collections
import ssl
from typing import cast
from urllib.parse import urlsplit

import httptools
import httpx

from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.dimona_rest.lean import KEEPALIVE_EXPIRY_S, RawAnswer

_FRAMING = (b"content-length", b"transfer-encoding")


class _Connection(asyncio.Protocol):
    """One keep-alive connection; at most one request on it at a time."""

    def __init__(self, pool: RawHttp) -> None:
        self._pool = pool
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future[RawAnswer] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []
        self._headers_done = False
        self._framed = False
        self._started = False
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.dropped = False
        self.idle = False
        self.idle_since = 0.0
        self.keep_alive = False
        self.peer_closed_first = False  # closed by the server before any byte of the answer

    # -- asyncio -----------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # (uvloop's transports are not subclasses of asyncio.Transport: no isinstance check)
        self.transport = cast("asyncio.Transport", transport)

    def data_received(self, data: bytes) -> None:
        if self._waiter is None:  # nothing asked: a confused server; never reuse this one
            self.close()
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(httpx.RemoteProtocolError(f"malformed answer ({type(exc).__name__})"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            if exc is None and self._headers_done and not self._framed:
                self.on_message_complete()  # an answer delimited by the end of the connection
            else:
                self.peer_closed_first = not self._started
                error: httpx.TransportError = (
                    httpx.RemoteProtocolError("server disconnected before a whole answer")
                    if exc is None
                    else httpx.ReadError(f"connection lost ({type(exc).__name__})")
                )
                self._fail(error)
        if self.idle:
            self._pool._lost_idle(self)

    # -- httptools callbacks -----------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._started = True

    def on_header(self, name: bytes, value: bytes) -> None:
        lowered = name.lower()
        if lowered in _FRAMING:
            self._framed = True
        self._headers[lowered.decode("latin-1")] = value.decode("latin-1").strip()

    def on_headers_complete(self) -> None:
        self._headers_done = True

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        status = self._parser.get_status_code()
        if 100 <= status < 200:  # an interim answer (100 Continue): the real one follows
            self._reset()
            return
        waiter = self._waiter
        self._waiter = None
        self._stop_timer()
        self.keep_alive = self._parser.should_keep_alive() and not self.closed
        if waiter is not None and not waiter.done():
            waiter.set_result(RawAnswer(status, self._headers, b"".join(self._body)))

    # -- used by RawHttp ---------------------------------------------------------------------

    def request(self, data: bytes, timeout: float) -> asyncio.Future[RawAnswer]:
        """Write the request at once; the future gets the whole answer or the failure."""
        assert self.transport is not None
        loop = self._pool._loop()
        waiter: asyncio.Future[RawAnswer] = loop.create_future()
        self._reset()
        self._waiter = waiter
        self._timer = loop.call_later(timeout, self._timed_out)
        self.transport.write(data)
        return waiter

    def usable(self) -> bool:
        return not self.closed and self.transport is not None and not self.transport.is_closing()

    def close(self) -> None:
        self._stop_timer()
        self.keep_alive = False
        if self.transport is not None and not self.transport.is_closing():
            self.transport.abort()

    def _reset(self) -> None:
        self._headers = {}
        self._body = []
        self._headers_done = False
        self._framed = False
        self._started = False
        self.peer_closed_first = False

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _timed_out(self) -> None:
        self._timer = None
        self._fail(httpx.ReadTimeout("no whole answer within the read timeout"))
        self.close()

    def _fail(self, error: httpx.TransportError) -> None:
        waiter = self._waiter
        self._waiter = None
        self._stop_timer()
        self.keep_alive = False
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)


class RawHttp:
    """The keep-alive connections to the ONSS origin of ``base_url`` and ``exchange`` on them."""

    def __init__(
        self,
        base_url: str,
        *,
        limit: int,
        connect_timeout_s: float,
        read_timeout_s: float,
        pool_timeout_s: float,
        user_agent: str,
        ssl_context: ssl.SSLContext | None = None,
        keepalive_s: float = KEEPALIVE_EXPIRY_S,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("an absolute http(s) URL")
        self._tls = parts.scheme == "https"
        default_port = 443 if self._tls else 80
        self.host = parts.hostname
        self.port = parts.port or default_port
        netloc = parts.netloc.rpartition("@")[2]
        self.origin = f"{parts.scheme}://{netloc}"
        # as httpx: the port only when it is not the scheme's default
        host_header = netloc.rsplit(":", 1)[0] if parts.port == default_port else netloc
        self._head = (
            f"\r\nHost: {host_header}\r\nAccept: application/json\r\n"
            f"User-Agent: {user_agent}\r\nAuthorization: Bearer "
        )
        self.limit = limit
        self.connect_timeout_s = connect_timeout_s
        self.read_timeout_s = read_timeout_s
        self.pool_timeout_s = pool_timeout_s
        self.keepalive_s = keepalive_s
        self.ssl_context = ssl_context
        self._idle: collections.deque[_Connection] = collections.deque()
        self._all: set[_Connection] = set()
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        self._sweeper: asyncio.TimerHandle | None = None
        self.connections_made = 0

    @classmethod
    def from_config(
        cls, config: DimonaRestConfig, *, limit: int, ssl: ssl.SSLContext | None = None
    ) -> RawHttp:
        return cls(
            config.base_url,
            limit=limit,
            connect_timeout_s=config.connect_timeout_s,
            read_timeout_s=config.read_timeout_s,
            pool_timeout_s=config.pool_timeout_s,
            user_agent=config.user_agent,
            ssl_context=ssl,
        )

    @property
    def open_connections(self) -> int:
        return len(self._all)

    def request_bytes(self, method: str, url: str, token: str, body: bytes | None) -> bytes:
        """The whole request: line, headers (JSON body: type and length), body."""
        if url.startswith(self.origin):
            target = url[len(self.origin) :] or "/"
        else:
            raise ValueError("raw transport: a URL outside the ONSS origin")
        head = f"{method} {target} HTTP/1.1{self._head}{token}\r\n"
        if body is None:
            return (head + "\r\n").encode()
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        return head.encode() + body

    async def exchange(
        self, method: str, url: str, *, token: str, body: bytes | None = None
    ) -> RawAnswer:
        """Send one request with a bearer token and read the whole answer."""
        data = self.request_bytes(method, url, token, body)
        may_repeat = method == "GET"
        while True:
            conn = self._take_idle()  # the usual case, without a coroutine
            reused = conn is not None
            if conn is None:
                conn, reused = await self._acquire()
            try:
                answer = await conn.request(data, self.read_timeout_s)
            except httpx.TransportError:
                self._drop(conn)
                if may_repeat and reused and conn.peer_closed_first:
                    may_repeat = False  # a stale kept-alive connection: once, on a fresh one
                    continue
                raise
            except BaseException:  # cancelled mid-exchange: the connection's state is unknown
                self._drop(conn)
                raise
            self._release(conn)
            return answer

    async def aclose(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        for conn in list(self._all):
            self._drop(conn)
        self._idle.clear()
        await asyncio.sleep(0)  # let the transports run connection_lost

    # -- the pool ----------------------------------------------------------------------------

    @staticmethod
    def _loop() -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    def _take_idle(self) -> _Connection | None:
        """The most recent idle connection still usable and fresh, dropping the others."""
        idle = self._idle
        if not idle:
            return None
        now = self._loop().time()
        while idle:
            conn = idle.pop()
            conn.idle = False
            if not conn.usable():
                self._drop(conn)
            elif now - conn.idle_since > self.keepalive_s:
                self._drop(conn)  # the rest are older still
                while idle:
                    older = idle.pop()
                    older.idle = False
                    self._drop(older)
            else:
                return conn
        return None

    async def _acquire(self) -> tuple[_Connection, bool]:
        """An idle connection (``True``: reused) or a new one (``False``)."""
        while True:
            conn = self._take_idle()
            if conn is not None:
                return conn, True
            if len(self._all) < self.limit:
                return await self._connect(), False
            await self._wait_for_room()

    async def _wait_for_room(self) -> None:
        waiter: asyncio.Future[None] = self._loop().create_future()
        self._waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter, self.pool_timeout_s)
        except TimeoutError:
            raise httpx.PoolTimeout("no connection free within the pool timeout") from None
        finally:
            if not waiter.done():
                waiter.cancel()
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def _wake_one(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def _connect(self) -> _Connection:
        conn = _Connection(self)
        self._all.add(conn)  # holds its place in the limit while it connects
        context: ssl.SSLContext | None = None
        if self._tls:
            if self.ssl_context is None:
                self.ssl_context = httpx.create_ssl_context()
            context = self.ssl_context
        try:
            await asyncio.wait_for(
                self._loop().create_connection(
                    lambda: conn,
                    self.host,
                    self.port,
                    ssl=context,
                    server_hostname=self.host if context is not None else None,
                ),
                self.connect_timeout_s,
            )
        except TimeoutError:
            self._drop(conn)
            raise httpx.ConnectTimeout("connect timed out") from None
        except OSError as exc:
            self._drop(conn)
            raise httpx.ConnectError(f"connect failed ({type(exc).__name__})") from None
        except BaseException:
            self._drop(conn)
            raise
        self.connections_made += 1
        return conn

    def _release(self, conn: _Connection) -> None:
        if not (conn.keep_alive and conn.usable()):
            self._drop(conn)
            return
        loop = self._loop()
        conn.idle = True
        conn.idle_since = loop.time()
        self._idle.append(conn)
        if self._sweeper is None:
            self._sweeper = loop.call_later(self.keepalive_s, self._sweep)
        if self._waiters:
            self._wake_one()

    def _drop(self, conn: _Connection) -> None:
        if conn.dropped:
            return
        conn.dropped = True
        conn.close()
        self._all.discard(conn)
        if self._waiters:
            self._wake_one()

    def _lost_idle(self, conn: _Connection) -> None:
        """The server closed an idle connection: forget it at once."""
        conn.idle = False
        if conn in self._idle:
            self._idle.remove(conn)
        self._drop(conn)

    def _sweep(self) -> None:
        """Close the connections idle longer than ``keepalive_s`` (the oldest are first)."""
        self._sweeper = None
        idle = self._idle
        now = self._loop().time()
        while idle and now - idle[0].idle_since > self.keepalive_s:
            conn = idle.popleft()
            conn.idle = False
            self._drop(conn)
        if idle:
            wait = self.keepalive_s - (now - idle[0].idle_since) + 0.01
            self._sweeper = self._loop().call_later(wait, self._sweep)
