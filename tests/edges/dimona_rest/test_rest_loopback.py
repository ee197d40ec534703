"""Lost answers over real sockets, for every transport: the classification must not depend on
how a transport names its exceptions (httpx-aiohttp maps read timeouts to ConnectTimeout)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from adapter.edges.dimona_rest.client import DimonaRestClient
from adapter.edges.dimona_rest.config import DimonaRestConfig, TransportName
from adapter.edges.dimona_rest.errors import DimonaTransientError, DimonaUncertainSubmission
from adapter.edges.dimona_rest.token import TokenProvider

TRANSPORTS: list[TransportName] = ["httpx", "httpx-pool", "aiohttp"]


class LoopbackServer:
    """A raw HTTP/1.1 server: ``mode`` says what it does once it has read a request."""

    def __init__(self) -> None:
        self.mode = "created"
        self.requests = 0
        self.methods: list[str] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        with contextlib.suppress(Exception):
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await reader.readexactly(length)
                self.requests += 1
                self.methods.append(head.split(b" ", 1)[0].decode())
                if self.mode == "silent":
                    await asyncio.Event().wait()
                if self.mode == "close":
                    writer.close()
                    return
                writer.write(
                    b"HTTP/1.1 201 Created\r\nLocation: /REST/dimona/v2/declarations/42\r\n"
                    b"Content-Length: 0\r\n\r\n"
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            writer.close()


@pytest.fixture
async def server() -> AsyncIterator[LoopbackServer]:
    srv = LoopbackServer()
    await srv.start()
    yield srv
    await srv.stop()


def _client(
    config: DimonaRestConfig, tokens: TokenProvider, port: int, transport: TransportName
) -> DimonaRestClient:
    loopback = config.model_copy(
        update={
            "base_url": f"http://127.0.0.1:{port}/REST/dimona/v2",
            "transport": transport,
            "read_timeout_s": 0.3,
            "connect_timeout_s": 1.0,
        }
    )
    return DimonaRestClient.from_config(loopback, token_provider=tokens)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_submit_over_loopback(
    config: DimonaRestConfig,
    tokens: TokenProvider,
    server: LoopbackServer,
    transport: TransportName,
) -> None:
    async with _client(config, tokens, server.port, transport) as dimona:
        assert await dimona.submit_body({"dimonaCancel": {"periodId": 1}}) == 42
        assert await dimona.submit_body({"dimonaCancel": {"periodId": 1}}) == 42


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("mode", ["silent", "close"])
async def test_lost_answer_over_loopback_is_uncertain(
    config: DimonaRestConfig,
    tokens: TokenProvider,
    server: LoopbackServer,
    transport: TransportName,
    mode: str,
) -> None:
    server.mode = mode
    async with _client(config, tokens, server.port, transport) as dimona:
        with pytest.raises(DimonaUncertainSubmission):
            await dimona.submit_body({"dimonaCancel": {"periodId": 1}})
        # The same failure on a GET is merely transient.
        with pytest.raises(DimonaTransientError):
            await dimona.get_answer(42)
    # The POST went out exactly once (aiohttp itself may repeat an idempotent GET once).
    assert server.methods.count("POST") == 1


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_refused_connection_is_transient_even_for_a_post(
    config: DimonaRestConfig, tokens: TokenProvider, transport: TransportName
) -> None:
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    async with _client(config, tokens, port, transport) as dimona:
        with pytest.raises(DimonaTransientError):
            await dimona.submit_body({"dimonaCancel": {"periodId": 1}})
