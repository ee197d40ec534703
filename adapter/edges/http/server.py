"""A minimal HTTP/1.1 server for ``/livez``, ``/readyz`` and ``/metrics`` on asyncio streams.

It runs on the adapter's own event loop, so a wedged loop also stops the probes from being
answered (the kubelet then restarts the pod), and it installs no signal handler (the ``run``
command owns SIGTERM). Three GET routes do not need a web framework.
"""

from __future__ import annotations

import asyncio
import contextlib
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

Response = tuple[int, str, bytes]


class OpsServer:
    """``async with OpsServer(health, metrics, host, port) as server: ...`` (port 0 = any)."""

    def __init__(self, health: Health, metrics: PrometheusMetrics, *, host: str, port: int) -> None:
        self._health = health
        self._metrics = metrics
        self._host = host
        self._port = port
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
        try:
            status, content_type, body = await self._respond(reader)
            head = (
                f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n"
            )
            writer.write(head.encode("ascii") + body)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the client went away or sent garbage: nothing to answer
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _respond(self, reader: asyncio.StreamReader) -> Response:
        head = await reader.readuntil(b"\r\n\r\n")
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
