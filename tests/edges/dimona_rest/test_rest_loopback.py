"""Lost answers over real sockets, for every path a request can take (``loopback.TRANSPORTS``):
the classification must not depend on how a transport names its exceptions (httpx-aiohttp maps
read timeouts to ConnectTimeout; the lean path raises aiohttp's own errors)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp.client_reqrep import ConnectionKey

from adapter.edges.dimona_rest.classify import request_was_sent
from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.dimona_rest.errors import DimonaTransientError, DimonaUncertainSubmission
from adapter.edges.dimona_rest.token import TokenProvider

from .loopback import CLOSE, CREATED, SILENT, TRANSPORTS, FullBacklog, LoopbackServer
from .loopback import loopback_client as _client

BODY = {"dimonaCancel": {"periodId": 1}}
_KEY = ConnectionKey("onss.test", 443, True, True, None, None, None)


@pytest.fixture
async def server() -> AsyncIterator[LoopbackServer]:
    srv = LoopbackServer()
    await srv.start()
    yield srv
    await srv.stop()


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_submit_over_loopback(
    config: DimonaRestConfig, tokens: TokenProvider, server: LoopbackServer, transport: str
) -> None:
    async with _client(config, tokens, server.port, transport) as dimona:
        assert await dimona.submit_body(BODY) == 42
        assert await dimona.submit_body(BODY) == 42
    assert server.methods == ["POST", "POST"]


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("mode", [SILENT, CLOSE])
async def test_lost_answer_over_loopback_is_uncertain(
    config: DimonaRestConfig,
    tokens: TokenProvider,
    server: LoopbackServer,
    transport: str,
    mode: str,
) -> None:
    server.script(mode)
    seen: list[tuple[str, int | str]] = []
    hook = lambda endpoint, status, seconds: seen.append((endpoint, status))  # noqa: E731
    async with _client(config, tokens, server.port, transport, on_request=hook) as dimona:
        with pytest.raises(DimonaUncertainSubmission):
            await dimona.submit_body(BODY)
        # The same failure on a GET is merely transient.
        with pytest.raises(DimonaTransientError):
            await dimona.get_answer(42)
    # The POST went out exactly once (aiohttp itself may repeat an idempotent GET once).
    assert server.methods.count("POST") == 1
    assert [endpoint for endpoint, _ in seen] == ["submit", "get_answer"]
    assert all(isinstance(status, str) for _, status in seen)  # the exception's name


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_post_on_a_kept_alive_connection_the_server_closes_is_not_repeated(
    config: DimonaRestConfig, tokens: TokenProvider, server: LoopbackServer, transport: str
) -> None:
    """aiohttp repeats an idempotent request once on a dropped keep-alive connection: never a
    POST, which ONSS may have recorded before the connection dropped."""
    server.script(CREATED, CLOSE, CREATED)
    async with _client(config, tokens, server.port, transport) as dimona:
        assert await dimona.submit_body(BODY) == 42
        with pytest.raises(DimonaUncertainSubmission):
            await dimona.submit_body(BODY)
    assert server.methods == ["POST", "POST"]


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_refused_connection_is_transient_even_for_a_post(
    config: DimonaRestConfig, tokens: TokenProvider, transport: str
) -> None:
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    async with _client(config, tokens, port, transport) as dimona:
        with pytest.raises(DimonaTransientError):
            await dimona.submit_body(BODY)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_connect_timeout_is_transient_even_for_a_post(
    config: DimonaRestConfig, tokens: TokenProvider, transport: str
) -> None:
    backlog = FullBacklog()
    seen: list[int | str] = []
    hook = lambda endpoint, status, seconds: seen.append(status)  # noqa: E731
    try:
        async with _client(config, tokens, backlog.port, transport, on_request=hook) as dimona:
            with pytest.raises(DimonaTransientError) as info:
                await dimona.submit_body(BODY)
    finally:
        backlog.close()
    assert not isinstance(info.value, DimonaUncertainSubmission)
    assert len(seen) == 1
    assert "Timeout" in str(seen[0])


@pytest.mark.parametrize(
    ("error", "sent"),
    [
        (aiohttp.ClientConnectorError(_KEY, OSError(111, "refused")), False),
        (aiohttp.ConnectionTimeoutError("connect"), False),
        (aiohttp.InvalidURL("x"), False),
        (aiohttp.SocketTimeoutError("read"), True),
        (aiohttp.ServerDisconnectedError(), True),
        (aiohttp.ClientPayloadError("cut"), True),
        (aiohttp.ClientOSError(104, "reset"), True),
        (TimeoutError(), True),
    ],
)
def test_raw_aiohttp_errors_are_read_as_they_are(error: BaseException, sent: bool) -> None:
    """The lean path raises aiohttp's errors unwrapped; a cause does not change their reading."""
    assert request_was_sent(error) is sent
    error.__cause__ = aiohttp.ServerDisconnectedError() if not sent else OSError()
    assert request_was_sent(error) is sent
