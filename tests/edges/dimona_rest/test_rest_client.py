"""The client as a whole against the fake ONSS (httpx.MockTransport): a refused token renewed
once, the metrics hook, the cap on requests in flight, no secret in logs or reprs.

Each operation has its own module beside this one: ``test_rest_submit.py``,
``test_rest_get_answer.py``, ``test_rest_search.py``.
"""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from adapter.core.results import DimonaResult
from adapter.edges.dimona_rest.client import DimonaRestClient
from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.dimona_rest.errors import DimonaAuthRefused, DimonaUncertainSubmission
from adapter.edges.dimona_rest.keys import KeyPairPaths

from .conftest import FakeClock
from .fake_onss import FakeOnss
from .scripted import IN_BODY, created, fail, respond

# -- authentication --------------------------------------------------------------------------


async def test_401_refreshes_the_token_once_and_retries(
    client: DimonaRestClient, onss: FakeOnss
) -> None:
    onss.on("POST", "/declarations", respond(created("declarations/656309300157")))
    await client.get_answer(1)  # obtains tok-1 (404 from the fake: not processed)
    onss.expire_all_tokens()
    assert await client.submit_body(IN_BODY) == 656309300157
    auths = [r.headers["authorization"] for r in onss.api_requests]
    assert auths == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


async def test_a_second_401_is_an_auth_refusal(client: DimonaRestClient, onss: FakeOnss) -> None:
    onss.on("GET", "/declarations/7", respond(httpx.Response(401)))
    with pytest.raises(DimonaAuthRefused):
        await client.get_answer(7)
    assert len(onss.api_requests) == 2
    assert len(onss.token_requests) == 2


async def test_token_expiring_while_requests_are_in_flight(
    client: DimonaRestClient, onss: FakeOnss, clock: FakeClock
) -> None:
    onss.expires_in = 600
    expired = asyncio.Event()

    async def expires_in_flight(request: httpx.Request) -> httpx.Response:
        # Every request holds tok-1; the token expires while they wait for ONSS.
        if request.headers["authorization"] == "Bearer tok-1":
            await expired.wait()
            return httpx.Response(401, json={"type": "urn:problem-type:belgif:expiredAccessToken"})
        return httpx.Response(200, json={"declarationStatus": {"declarationId": 5, "result": "A"}})

    onss.on("GET", "/declarations/5", expires_in_flight)  # type: ignore[arg-type]
    tasks = [asyncio.create_task(client.get_answer(5)) for _ in range(6)]
    while len(onss.api_requests) < 6:  # noqa: ASYNC110 - wait until all six hold tok-1
        await asyncio.sleep(0)
    clock.advance(601)
    onss.expire_all_tokens()
    expired.set()
    answers = await asyncio.gather(*tasks)
    assert {a.result for a in answers if a} == {DimonaResult.ACCEPTED}
    assert len(onss.token_requests) == 2  # one refresh for six refused requests


# -- metrics, concurrency, secrets ------------------------------------------------------------


async def test_on_request_hook_and_request_count(config: DimonaRestConfig, onss: FakeOnss) -> None:
    seen: list[tuple[str, int | str]] = []
    onss.on("POST", "/declarations", respond(created("declarations/1")), fail(httpx.ReadTimeout))
    async with DimonaRestClient.from_config(
        config,
        transport=onss.transport(),
        on_request=lambda endpoint, status, seconds: seen.append((endpoint, status)),
    ) as dimona:
        await dimona.submit_body(IN_BODY)
        await dimona.get_answer(1)
        with pytest.raises(DimonaUncertainSubmission):
            await dimona.submit_body(IN_BODY)
        assert dimona.request_count == 3
    assert seen == [
        ("token", 200),
        ("submit", 201),
        ("get_answer", 404),
        ("submit", "ReadTimeout"),
    ]


async def test_requests_in_flight_are_capped_and_spread_over_clients(
    config: DimonaRestConfig, onss: FakeOnss
) -> None:
    # max_in_flight=8, max_per_client=3: three clients.
    release = asyncio.Event()
    in_flight = 0
    peak = 0

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await release.wait()
        in_flight -= 1
        return httpx.Response(404)

    onss.on("GET", "/declarations/1", slow)  # type: ignore[arg-type]
    async with DimonaRestClient.from_config(config, transport=onss.transport()) as dimona:
        await dimona.get_period(0)  # token first
        tasks = [asyncio.create_task(dimona.get_answer(1)) for _ in range(20)]
        while in_flight < 8:  # noqa: ASYNC110 - let the tasks reach the fake server
            await asyncio.sleep(0)
        pool = dimona._pool
        assert pool.size == 3
        assert pool.in_flight == 8
        assert max(pool._busy) <= 3
        release.set()
        assert await asyncio.gather(*tasks) == [None] * 20
    assert peak == 8


async def test_no_secret_in_logs_or_reprs(
    config: DimonaRestConfig,
    onss: FakeOnss,
    key_pair: KeyPairPaths,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    onss.on("POST", "/declarations", respond(created("declarations/1")))
    async with DimonaRestClient.from_config(config, transport=onss.transport()) as dimona:
        await dimona.submit_body(IN_BODY)
        onss.expire_all_tokens()
        await dimona.submit_body(IN_BODY)
        texts = [caplog.text, repr(dimona), repr(config)]
    texts += [str(record.__dict__) for record in caplog.records]
    key_line = key_pair.private_key.read_text().splitlines()[1]
    assertions = [form["client_assertion"] for form in onss.token_requests]
    for text in texts:
        assert key_line not in text
        assert "tok-1" not in text
        assert "tok-2" not in text
        assert all(a not in text and a.split(".")[2] not in text for a in assertions)
        assert "90051512391" not in text


async def test_a_failing_metrics_hook_does_not_lose_the_declaration_id(
    config: DimonaRestConfig, onss: FakeOnss
) -> None:
    def broken(endpoint: str, status: int | str, seconds: float) -> None:
        raise RuntimeError("metrics backend down")

    onss.on("POST", "/declarations", respond(created("declarations/77")))
    async with DimonaRestClient.from_config(
        config, transport=onss.transport(), on_request=broken
    ) as dimona:
        assert await dimona.submit_body(IN_BODY) == 77
