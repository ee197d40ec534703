"""A raw HTTP/1.1 server on 127.0.0.1 for the transport tests, and the client of each transport.

The server answers each request it has read with the next scripted reply (the last one sticks):
bytes to write as they are, ``Cut`` bytes (write them, then close the connection), ``SILENT``
(read the request, never answer) or ``CLOSE`` (read the request, close the connection). It
records what it received, byte for byte. With ``segment_size`` set it writes each reply in
pieces of that many bytes, one TCP segment each (Nagle off, a pause between them).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from ssl import SSLContext

from adapter.edges.dimona_rest.client import DimonaRestClient, OnRequest
from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.dimona_rest.token import TokenProvider

SILENT = "silent"
CLOSE = "close"
Reply = bytes | str


class Cut(bytes):
    """A reply written as it is, after which the server closes the connection."""


TRANSPORTS = ["httpx", "httpx-pool", "aiohttp-httpx", "aiohttp", "raw"]
"""Every path a request can take: ``aiohttp`` is the default transport with the lean hot path,
``aiohttp-httpx`` the same transport with submit/get_answer through httpx (``lean=False``),
``raw`` the hot path on raw HTTP/1.1 connections (``raw.py``)."""


def http_answer(status: int, headers: dict[str, str] | None = None, body: bytes = b"") -> bytes:
    lines = [f"HTTP/1.1 {status} Scripted"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


CREATED = http_answer(201, {"Location": "/REST/dimona/v2/declarations/42"})


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes


class LoopbackServer:
    def __init__(self) -> None:
        self.replies: list[Reply] = [CREATED]
        self.received: list[Received] = []
        self.port = 0
        self.segment_size = 0
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    @property
    def methods(self) -> list[str]:
        return [r.method for r in self.received]

    def script(self, *replies: Reply) -> None:
        self.replies = list(replies)

    async def start(self, ssl: SSLContext | None = None) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=ssl)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        with contextlib.suppress(Exception):
            await self._server.wait_closed()

    def _next_reply(self) -> Reply:
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        self.connections += 1
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                request_line, *header_lines = head.strip().split("\r\n")
                headers = {}
                for line in header_lines:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                method, path, _ = request_line.split(" ", 2)
                self.received.append(Received(method, path, headers, body))
                reply = self._next_reply()
                if reply == SILENT:
                    await asyncio.Event().wait()
                if reply == CLOSE:
                    writer.close()
                    return
                assert isinstance(reply, bytes)
                await self._write(writer, reply)
                if isinstance(reply, Cut):
                    writer.close()
                    return
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            writer.close()

    async def _write(self, writer: asyncio.StreamWriter, reply: bytes) -> None:
        if not self.segment_size:
            writer.write(reply)
            await writer.drain()
            return
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for start in range(0, len(reply), self.segment_size):
            writer.write(reply[start : start + self.segment_size])
            await writer.drain()
            await asyncio.sleep(0.001)


class FullBacklog:
    """A listening socket that never accepts, its backlog filled: a connect to it times out."""

    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(0)
        self.port = int(self._listener.getsockname()[1])
        self._fillers = []
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", self.port))
            self._fillers.append(filler)

    def close(self) -> None:
        for sock in [*self._fillers, self._listener]:
            sock.close()


def loopback_client(
    config: DimonaRestConfig,
    tokens: TokenProvider,
    port: int,
    transport: str,
    *,
    on_request: OnRequest | None = None,
    clock: Callable[[], float] | None = None,
) -> DimonaRestClient:
    """The client of ``transport`` (one of ``TRANSPORTS``) for ``127.0.0.1:port``."""
    loopback = config.model_copy(
        update={
            "base_url": f"http://127.0.0.1:{port}/REST/dimona/v2",
            "transport": "aiohttp" if transport == "aiohttp-httpx" else transport,
            "read_timeout_s": 0.3,
            "connect_timeout_s": 0.3,
        }
    )
    client = DimonaRestClient.from_config(
        loopback,
        token_provider=tokens,
        lean=transport != "aiohttp-httpx",
        on_request=on_request,
        clock=clock or time.time,
    )
    assert (client._lean is not None) == (transport in ("aiohttp", "raw"))
    return client
