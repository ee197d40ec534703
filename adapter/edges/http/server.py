"""A minimal HTTP/1.1 server for ``/livez``, ``/readyz`` and ``/metrics`` on asyncio streams.

It runs on the adapter's own event loop, so a wedged loop also stops the probes from being
answered (the kubelet then restarts the pod), and it installs no signal handler (the ``run``
command owns SIGTERM). Three GET routes do not need a web framework.

Every connection answers one request and closes (no keep-alive). It is bounded in time and in
number, so idle or slow clients cannot pile up open files: a connection that has not sent a
complete request head within ``idle_timeout_s``, or does not take its answer within as long, is
closed; beyond ``max_connections`` open at once a new one gets a short 503 and is closed at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from types import TracebackType

from adapter.edges.http.health import Health, Verdict
from adapter.edges.http.prometheus import CONTENT_TYPE, PrometheusMetrics

log = logging.getLogger(__name__)

PATHS = ("/livez", "/readyz", "/metrics")
_MAX_HEAD = 16 * 1024
_REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
    b"Content-Length: 21\r\nConnection: close\r\n\r\ntoo many connections\n"
)

Response = tuple[int, str, bytes]


class OpsServer:
    """``async with OpsServer(health, metrics, host, port) as server: ...`` (port 0 = any)."""

    def __init__(
        self,
        health: Health,
        metrics: PrometheusMetrics,
        *,
        host: str,
        port: int,
        idle_timeout_s: float = 5.0,
        max_connections: int = 100,
    ) -> None:
        if idle_timeout_s <= 0 or max_connections < 1:
            raise ValueError("idle_timeout_s must be > 0 and max_connections >= 1")
        self._health = health
        self._metrics = metrics
        self._host = host
        self._port = port
        self._idle_timeout = idle_timeout_s
        self._max_connections = max_connections
        self._open = 0
        self._server: asyncio.Server | None = None
        self._routes: dict[str, Callable[[], Awaitable[Response]]] = {
            "/livez": self._livez,
            "/readyz": self._readyz,
            "/metrics": self._render_metrics,
        }

    @property
    def port(self) -> int:
        """The bound port (useful when 0 was asked)."""
        assert self._server is not None, "not started"
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def open_connections(self) -> int:
        """Connections being served now (refused ones never count)."""
        return self._open

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self._host, self._port)
        log.info("ops server listening on %s:%d", self._host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> OpsServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # -- routes -------------------------------------------------------------------------------
    async def _livez(self) -> Response:
        return _verdict(self._health.live())

    async def _readyz(self) -> Response:
        return _verdict(await self._health.ready())

    async def _render_metrics(self) -> Response:
        return 200, CONTENT_TYPE, self._metrics.render()

    # -- protocol -----------------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._open >= self._max_connections:
            # Refuse without reading: the answer fits in the socket buffer, so this never waits.
            writer.write(_BUSY)
            await self._close(writer)
            return
        self._open += 1
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self._idle_timeout)
            status, content_type, body = await self._respond(head)
            head_out = (
                f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n"
            )
            writer.write(head_out.encode("ascii") + body)
            await asyncio.wait_for(writer.drain(), self._idle_timeout)
        except (
            TimeoutError,  # idle or too slow: close without an answer
            ConnectionError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
        ):
            pass  # the client went away, sent garbage or stayed silent: nothing to answer
        finally:
            # Count it closed before the peer can see the close (tests rely on that order).
            self._open -= 1
            await self._close(writer)

    async def _close(self, writer: asyncio.StreamWriter) -> None:
        """Close, and drop what is unsent if the peer does not read it within the timeout."""
        writer.close()
        try:
            await asyncio.wait_for(writer.wait_closed(), self._idle_timeout)
        except TimeoutError:
            writer.transport.abort()
        except ConnectionError:
            pass

    async def _respond(self, head: bytes) -> Response:
        if len(head) > _MAX_HEAD:
            return 404, "text/plain", b"too large\n"
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = request_line.split(" ")
        if len(parts) != 3:
            return 404, "text/plain", b"bad request\n"
        method, target, _version = parts
        path = target.split("?", 1)[0]
        route = self._routes.get(path)
        if route is None:
            return 404, "text/plain", f"unknown path; try {', '.join(PATHS)}\n".encode()
        if method not in ("GET", "HEAD"):
            return 405, "text/plain", b"GET only\n"
        status, content_type, body = await route()
        return status, content_type, b"" if method == "HEAD" else body


def _verdict(verdict: Verdict) -> Response:
    body = json.dumps({"ok": verdict.ok, "checks": verdict.checks}).encode() + b"\n"
    return (200 if verdict.ok else 503), "application/json", body
