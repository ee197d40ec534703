"""ONSS's answers over real sockets, for every path a request can take (``loopback.TRANSPORTS``):
the lean aiohttp path must map each status exactly as the httpx path does, send the same
request (headers, JSON bytes) and keep the token refresh, the hook and the request count."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from adapter.core.errors import FatalConfiguration
from adapter.core.results import DimonaResult
from adapter.edges.dimona_rest.answers import UnreadableAnswer
from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.dimona_rest.errors import (
    DimonaAuthRefused,
    DimonaEndpointMissing,
    DimonaPermanentError,
    DimonaTransientError,
    DimonaUncertainSubmission,
)
from adapter.edges.dimona_rest.pool import RateLimiter
from adapter.edges.dimona_rest.token import TokenProvider

from .conftest import FakeClock
from .fake_onss import FakeOnss
from .loopback import CREATED, SILENT, TRANSPORTS, LoopbackServer, http_answer
from .loopback import loopback_client as _client
from .scripted import IN_BODY

PROBLEM = {
    "type": "urn:problem-type:belgif:badRequest",
    "detail": "Request body failed validation",
    "issues": [{"in": "body", "name": "worker.ssin", "value": "90051512391", "title": "invalid"}],
}
ANSWER = {
    "declarationStatus": {
        "declarationId": 42,
        "result": "W",
        "period": {"id": 43},
        "anomalies": [{"errorId": "90017-510", "severity": "NP", "labelFr": "fr"}],
    }
}


@pytest.fixture
async def server() -> AsyncIterator[LoopbackServer]:
    srv = LoopbackServer()
    await srv.start()
    yield srv
    await srv.stop()


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def _submit_error(
    config: DimonaRestConfig,
    tokens: TokenProvider,
    server: LoopbackServer,
    transport: str,
    clock: FakeClock | None = None,
) -> Exception:
    async with _client(config, tokens, server.port, transport, clock=clock) as dimona:
        with pytest.raises(Exception) as info:
            await dimona.submit_body(IN_BODY)
    assert isinstance(info.value, Exception)
    return info.value


async def _get_error(
    config: DimonaRestConfig, tokens: TokenProvider, server: LoopbackServer, transport: str
) -> Exception:
    async with _client(config, tokens, server.port, transport) as dimona:
        with pytest.raises(Exception) as info:
            await dimona.get_answer(42)
    assert isinstance(info.value, Exception)
    return info.value


async def test_the_request_is_the_same_on_every_path(
    config: DimonaRestConfig, tokens: TokenProvider, server: LoopbackServer, transport: str
) -> None:
    server.script(CREATED, http_answer(404))
    async with _client(config, tokens, server.port, transport) as dimona:
        assert await dimona.submit_body({**IN_BODY, "note": "é"}) == 42
        assert await dimona.get_answer(42) is None
        assert dimona.request_count == 2
    post, get = server.received
    assert (post.method, post.path) == ("POST", "/REST/dimona/v2/declarations")
    assert (get.method, get.path) == ("GET", "/REST/dimona/v2/declarations/42")
    # byte for byte what httpx renders for json=
    assert post.body == httpx.Request("POST", "http://x", json={**IN_BODY, "note": "é"}).content
    assert post.headers["content-type"] == "application/json"
    for sent in (post, get):
        assert sent.headers["authorization"] == "Bearer tok-1"
        assert sent.headers["accept"] == "application/json"
        assert sent.headers["user-agent"] == "dimona-adapter"
    assert get.body == b""


async def test_an_answer_is_read(
    config: DimonaRestConfig, tokens: TokenProvider, server: LoopbackServer, transport: str
) -> None:
    server.script(
        http_answer(200, {"Content-Type": "application/json"}, json.dumps(ANSWER).encode())
    )
    seen: list[tuple[str, int | str]] = []
    hook = lambda endpoint, status, seconds: seen.append((endpoint, status))  # noqa: E731
    async with _client(config, tokens, server.port, transport, on_request=hook) as dimona:
        answer = await dimona.get_answer(42)
    assert answer is not None
    assert (answer.declaration_id, answer.result, answer.period_id) == (
        42,
        DimonaResult.ACCEPTED_WITH_WARNING,
        43,
    )
    assert [a.code for a in answer.anomalies] == ["90017-510"]
    assert seen == [("get_answer", 200)]


@pytest.mark.parametrize("body", [b"<html>oops</html>", b"[1, 2]", b'{"result": "?"}', b"\xff"])
async def test_an_unreadable_answer_is_transient(
    config: DimonaRestConfig,
    tokens: TokenProvider,
    server: LoopbackServer,
    transport: str,
    body: bytes,
) -> None:
    server.script(http_answer(200, {"Content-Type": "application/json"}, body))
    assert isinstance(await _get_error(config, tokens, server, transport), UnreadableAnswer)


@pytest.mark.parametrize("location", [None, "/REST/dimona/v2/declarations/abc", "/x/12"])
async def test_an_unreadable_location_is_uncertain(
    config: DimonaRestConfig,
    tokens: TokenProvider,
    server: LoopbackServer,
    transport: str,
    location: str | None,
) -> None:
    server.script(http_answer(201, {"Location": location} if location else {}))
    error = await _submit_error(config, tokens, server, transport)
    assert isinstance(error, DimonaUncertainSubmission)
    assert error.location == location


@pytest.mark.parametrize("status", [429, 503])
async def test_slow_down_is_transient_with_retry_after(
    config: DimonaRestConfig,
    tokens: TokenProvider,
    clock: FakeClock,
    server: LoopbackServer,
    transport: str,
    status: int,
) -> None:
    later = "Thu, 01 Jan 2026 00:02:00 GMT"  # 120 s after the fake clock's now
    server.script(
        http_answer(status, {"Retry-After": "30"}), http_answer(status, {"retry-after": later})
    )
    for expected in (30.0, 120.0):
        error = await _submit_error(config, tokens, server, transport, clock)
        assert isinstance(error, DimonaTransientError)
        assert not isinstance(error, DimonaUncertainSubmission)
        assert (error.status, error.retry_after, error.endpoint) == (status, expected, "submit")


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_server_errors_are_uncertain_on_a_post_and_transient_on_a_get(
    config: DimonaRestConfig,
    tokens: TokenProvider,
    server: LoopbackServer,
    transport: str,
    status: int,
) -> None:
    server.script(http_answer(status, {"Retry-After": "5"}))
    assert isinstance(
        await _submit_error(config, tokens, server, transport), DimonaUncertainSubmission
    )
    error = await _get_error(config, tokens, server, transport)
    assert isinstance(error, DimonaTransientError)
    assert (error.status, error.retry_after) == (status, 5.0)
    assert server.methods.count("POST") == 1


async def test_408_is_transient(
    config: DimonaRestConfig, tokens: TokenProvider, server: LoopbackServer, transport: str
) -> None:
    server.script(http_answer(408))
    error = await _submit_error(config, tokens, server, transport)
    assert type(error) is DimonaTransientError
    assert error.status == 408


async def test_400_is_permanent_with_issues_without_values(
    config: DimonaRestConfig, tokens: TokenProvider, server: LoopbackServer, transport: str
) -> None:
    server.script(
        http_answer(400, {"Content-Type": "application/problem+json"}, json.dumps(PROBLEM).encode())
    )
    error = await _submit_error(config, tokens, server, transport)
    assert isinstance(error, DimonaPermanentError)
    assert (error.status, error.problem_type, error.issues) == (
        400,
        "urn:problem-type:belgif:badRequest",
        ("worker.ssin: invalid",),
    )
    assert "Request body failed validation" in str(error)
    assert "90051512391" not in str(error)


@pytest.mark.parametrize(
    ("status", "text"), [(403, "mandate"), (409, "HTTP 409"), (302, "HTTP 302")]
)
async def test_other_refusals_are_permanent(
    config: DimonaRestConfig,
    tokens: TokenProvider,
    server: LoopbackServer,
    transport: str,
    status: int,
    text: str,
) -> None:
    """A redirect is not followed (httpx's default, and the lean path's): it is a refusal."""
    server.script(http_answer(status, {"Location": "/REST/dimona/v2/declarations/42"}))
    error = await _submit_error(config, tokens, server, transport)
    assert isinstance(error, DimonaPermanentError)
    assert error.status == status
    assert text in str(error)
    assert server.methods == ["POST"]


@pytest.mark.parametrize("status", [404, 405])
async def test_post_declarations_missing_is_a_fatal_configuration(
    config: DimonaRestConfig,
    tokens: TokenProvider,
    server: LoopbackServer,
    transport: str,
    status: int,
) -> None:
    server.script(http_answer(status))
    error = await _submit_error(config, tokens, server, transport)
    assert isinstance(error, DimonaEndpointMissing)
    assert isinstance(error, FatalConfiguration)
    assert error.status == status


async def test_a_405_on_a_get_is_permanent(
    config: DimonaRestConfig, tokens: TokenProvider, server: LoopbackServer, transport: str
) -> None:
    server.script(http_answer(405))
    error = await _get_error(config, tokens, server, transport)
    assert type(error) is DimonaPermanentError
    assert error.status == 405


async def test_401_refreshes_the_token_once(
    config: DimonaRestConfig,
    tokens: TokenProvider,
    onss: FakeOnss,
    server: LoopbackServer,
    transport: str,
) -> None:
    server.script(http_answer(401), CREATED, http_answer(401), http_answer(401))
    seen: list[int | str] = []
    hook = lambda endpoint, status, seconds: seen.append(status)  # noqa: E731
    async with _client(config, tokens, server.port, transport, on_request=hook) as dimona:
        assert await dimona.submit_body(IN_BODY) == 42
        with pytest.raises(DimonaAuthRefused):
            await dimona.get_answer(42)
        assert dimona.request_count == 4
    auths = [r.headers["authorization"] for r in server.received]
    assert auths == ["Bearer tok-1", "Bearer tok-2", "Bearer tok-2", "Bearer tok-3"]
    assert seen == [401, 201, 401, 401]
    assert len(onss.token_requests) == 3


async def test_requests_in_flight_are_capped(
    config: DimonaRestConfig, tokens: TokenProvider, server: LoopbackServer, transport: str
) -> None:
    server.script(SILENT)
    capped = config.model_copy(update={"max_in_flight": 2, "max_per_client": 1})
    async with _client(capped, tokens, server.port, transport) as dimona:
        calls = [asyncio.create_task(dimona.get_answer(42)) for _ in range(5)]
        for _ in range(50):
            await asyncio.sleep(0.01)
            if len(server.received) == 2:
                break
        assert dimona._pool.in_flight == 2
        assert len(server.received) == 2
        results = await asyncio.gather(*calls, return_exceptions=True)
    assert all(isinstance(r, DimonaTransientError) for r in results)
    assert dimona._pool.in_flight == 0


async def test_the_rate_limit_applies(
    config: DimonaRestConfig, tokens: TokenProvider, server: LoopbackServer, transport: str
) -> None:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    server.script(CREATED, http_answer(404))
    async with _client(config, tokens, server.port, transport) as dimona:
        dimona._rate = RateLimiter(10.0, clock=lambda: 100.0, sleep=sleep)
        assert await dimona.submit_body(IN_BODY) == 42
        assert await dimona.get_answer(42) is None
        assert await dimona.get_answer(42) is None
    assert sleeps == pytest.approx([0.1, 0.2])
