"""The client's operations and error classes against the fake ONSS (httpx.MockTransport)."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from adapter.core.errors import (
    FatalConfiguration,
    PermanentError,
    TransientError,
    UncertainOutcome,
)
from adapter.core.results import AnomalySeverity, DimonaResult
from adapter.edges.dimona_rest.client import DimonaRestClient, declaration_id_from_location
from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.dimona_rest.errors import (
    DimonaAuthRefused,
    DimonaPermanentError,
    DimonaTransientError,
    DimonaUncertainSubmission,
)
from adapter.edges.dimona_rest.keys import KeyPairPaths

from .conftest import FakeClock
from .fake_onss import BASE_URL, FakeOnss, json_body

IN_BODY = {
    "employer": {"employerId": 123456749},
    "worker": {"ssin": "90051512391"},
    "dimonaIn": {
        "startDate": "2026-03-02",
        "features": {"jointCommissionNumber": "XXX", "workerType": "OTH"},
    },
}


def created(location: str) -> httpx.Response:
    return httpx.Response(201, headers={"Location": location})


def respond(response: httpx.Response):  # type: ignore[no-untyped-def]
    return lambda request: response


def fail(exc_type: type[httpx.TransportError]):  # type: ignore[no-untyped-def]
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type("simulated", request=request)

    return handler


# -- submit ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "location",
    [
        f"{BASE_URL}/declarations/656309300157",
        "/REST/dimona/v2/declarations/656309300157",
        "declarations/656309300157/",
        "https://services-sim.socialsecurity.be/REST/dimona/v2/declarations/656309300157?x=1",
    ],
)
async def test_submit_returns_the_id_from_an_absolute_or_relative_location(
    client: DimonaRestClient, onss: FakeOnss, location: str
) -> None:
    onss.on("POST", "/declarations", respond(created(location)))
    assert await client.submit_body(IN_BODY) == 656309300157
    sent = onss.api_requests[0]
    assert json_body(sent) == IN_BODY
    assert sent.headers["authorization"] == "Bearer tok-1"
    assert sent.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    "location", [None, "", f"{BASE_URL}/declarations/", f"{BASE_URL}/declarations/abc", "/x/12"]
)
async def test_unreadable_location_is_an_uncertain_submission(
    client: DimonaRestClient, onss: FakeOnss, location: str | None
) -> None:
    headers = {} if location is None else {"Location": location}
    onss.on("POST", "/declarations", respond(httpx.Response(201, headers=headers)))
    with pytest.raises(DimonaUncertainSubmission) as info:
        await client.submit_body(IN_BODY)
    assert isinstance(info.value, UncertainOutcome)


def test_location_parser() -> None:
    assert declaration_id_from_location("declarations/42") == 42
    assert declaration_id_from_location("https://h/REST/dimona/v2/declarations/42#f") == 42
    assert declaration_id_from_location("https://h/REST/dimona/v2/periods/42") is None
    assert declaration_id_from_location("https://h/declarations/42/anomalies") is None


async def test_400_is_permanent_with_issues_but_without_the_values(
    client: DimonaRestClient, onss: FakeOnss
) -> None:
    problem = {
        "type": "urn:problem-type:belgif:badRequest",
        "status": 400,
        "title": "Bad Request",
        "detail": "Request body failed validation",
        "issues": [
            {
                "type": "urn:problem-type:belgif:input-validation:schemaViolation",
                "in": "body",
                "name": "dimonaIn.startHour",
                "value": "18:00",
                "detail": "startHour must be 4 digits HHMM",
            },
            {"in": "body", "name": "worker.ssin", "value": "90051512391", "title": "invalid"},
        ],
    }
    onss.on("POST", "/declarations", respond(httpx.Response(400, json=problem)))
    with pytest.raises(DimonaPermanentError) as info:
        await client.submit_body(IN_BODY)
    error = info.value
    assert isinstance(error, PermanentError)
    assert error.status == 400
    assert error.problem_type == "urn:problem-type:belgif:badRequest"
    assert error.issues == (
        "dimonaIn.startHour: startHour must be 4 digits HHMM",
        "worker.ssin: invalid",
    )
    assert "90051512391" not in str(error) + repr(error.issues)


async def test_400_with_a_v1_style_array_or_no_json(
    client: DimonaRestClient, onss: FakeOnss
) -> None:
    onss.on(
        "POST",
        "/declarations",
        respond(httpx.Response(400, json=["startingDate", {"property": "workerType"}])),
        respond(httpx.Response(400, text="bad")),
    )
    with pytest.raises(DimonaPermanentError) as first:
        await client.submit_body(IN_BODY)
    assert first.value.issues == ("startingDate", "workerType")
    with pytest.raises(DimonaPermanentError) as second:
        await client.submit_body(IN_BODY)
    assert second.value.issues == ()


async def test_403_is_permanent(client: DimonaRestClient, onss: FakeOnss) -> None:
    onss.on("POST", "/declarations", respond(httpx.Response(403)))
    with pytest.raises(DimonaPermanentError, match="mandate") as info:
        await client.submit_body(IN_BODY)
    assert info.value.status == 403


@pytest.mark.parametrize("status", [404, 405])
async def test_post_declarations_missing_is_a_fatal_configuration(
    client: DimonaRestClient, onss: FakeOnss, status: int
) -> None:
    """A wrong base URL path used to end every declaration FAILED, or to loop: exit 3 instead."""
    onss.on("POST", "/declarations", respond(httpx.Response(status)))
    with pytest.raises(FatalConfiguration, match="DIMONA_ADAPTER_DIMONA__BASE_URL"):
        await client.submit_body(IN_BODY)


@pytest.mark.parametrize("status", [429, 503])
async def test_429_and_503_are_transient_and_honour_retry_after(
    client: DimonaRestClient, onss: FakeOnss, clock: FakeClock, status: int
) -> None:
    later = "Thu, 01 Jan 2026 00:02:00 GMT"  # 120 s after the fake clock's now
    onss.on(
        "POST",
        "/declarations",
        respond(httpx.Response(status, headers={"Retry-After": "30"})),
        respond(httpx.Response(status, headers={"Retry-After": later})),
        respond(httpx.Response(status)),
    )
    retry_afters = []
    for _ in range(3):
        with pytest.raises(DimonaTransientError) as info:
            await client.submit_body(IN_BODY)
        assert isinstance(info.value, TransientError)
        assert info.value.status == status
        retry_afters.append(info.value.retry_after)
    assert retry_afters == [30.0, 120.0, None]


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, DimonaUncertainSubmission),  # recorded, then failed: seen by the chaos suite
        (502, DimonaUncertainSubmission),
        (504, DimonaUncertainSubmission),
    ],
)
async def test_server_errors_on_submit(
    client: DimonaRestClient, onss: FakeOnss, status: int, error: type[Exception]
) -> None:
    onss.on("POST", "/declarations", respond(httpx.Response(status)))
    with pytest.raises(error):
        await client.submit_body(IN_BODY)


@pytest.mark.parametrize(
    "exc_type",
    [httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError],
)
async def test_a_lost_response_to_a_post_is_uncertain_never_transient(
    client: DimonaRestClient, onss: FakeOnss, exc_type: type[httpx.TransportError]
) -> None:
    onss.on("POST", "/declarations", fail(exc_type))
    with pytest.raises(DimonaUncertainSubmission) as info:
        await client.submit_body(IN_BODY)
    assert not isinstance(info.value, TransientError)
    assert len(onss.api_requests) == 1  # no blind retry


@pytest.mark.parametrize(
    "exc_type",
    [
        httpx.ConnectError,
        httpx.ConnectTimeout,
        httpx.PoolTimeout,
        httpx.ProxyError,
        httpx.UnsupportedProtocol,
        httpx.LocalProtocolError,
    ],
)
async def test_a_post_that_never_left_is_transient(
    client: DimonaRestClient, onss: FakeOnss, exc_type: type[httpx.TransportError]
) -> None:
    onss.on("POST", "/declarations", fail(exc_type))
    with pytest.raises(DimonaTransientError):
        await client.submit_body(IN_BODY)


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


# -- get_answer -------------------------------------------------------------------------------


async def test_404_means_not_processed_yet(client: DimonaRestClient) -> None:
    assert await client.get_answer(656309300157) is None


async def test_accepted_answer_with_period(client: DimonaRestClient, onss: FakeOnss) -> None:
    body = {
        "href": f"{BASE_URL}/declarations/656309300157",
        "declarationStatus": {
            "declarationId": 656309300157,
            "result": "A",
            "period": {"id": 656309300157, "href": f"{BASE_URL}/periods/656309300157"},
        },
    }
    onss.on("GET", "/declarations/656309300157", respond(httpx.Response(200, json=body)))
    answer = await client.get_answer(656309300157)
    assert answer is not None
    assert (answer.declaration_id, answer.result, answer.period_id) == (
        656309300157,
        DimonaResult.ACCEPTED,
        656309300157,
    )
    assert answer.anomalies == ()


async def test_warning_refusal_and_waiting_answers(
    client: DimonaRestClient, onss: FakeOnss
) -> None:
    warning = {
        "declarationStatus": {
            "declarationId": 1,
            "result": "W",
            "period": {"id": 11},
            "anomalies": [
                {"errorId": "90017-510", "severity": "NP", "labelFr": "fr", "labelNl": "nl"}
            ],
        }
    }
    refused = {
        "dimonaCancel": {"periodId": 656309300157},
        "declarationStatus": {
            "declarationId": "2",
            "result": "B",
            "anomalies": [{"code": "00913-355", "severity": "B"}, "see 00913-357 too"],
        },
    }
    waiting = {"declarationStatus": {"declarationId": 3, "result": "S"}}
    onss.on("GET", "/declarations/1", respond(httpx.Response(200, json=warning)))
    onss.on("GET", "/declarations/2", respond(httpx.Response(200, json=refused)))
    onss.on("GET", "/declarations/3", respond(httpx.Response(200, json=waiting)))
    w, b, s = [await client.get_answer(i) for i in (1, 2, 3)]
    assert w is not None
    assert b is not None
    assert s is not None
    assert w.result is DimonaResult.ACCEPTED_WITH_WARNING
    assert w.period_id == 11
    (anomaly,) = w.anomalies
    assert (anomaly.code, anomaly.severity, anomaly.label_fr, anomaly.label_nl) == (
        "90017-510",
        AnomalySeverity.NON_BLOCKING,
        "fr",
        "nl",
    )
    assert b.result is DimonaResult.REFUSED
    assert b.period_id == 656309300157
    assert [a.code for a in b.anomalies] == ["00913-355", "00913-357"]
    assert b.anomalies[0].severity is AnomalySeverity.BLOCKING
    assert s.result is DimonaResult.WAITING_IDENTIFICATION
    assert not s.result.is_final


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="not json"),
        httpx.Response(200, json=[1]),
        httpx.Response(200, json={"declarationStatus": {"result": "R"}}),
    ],
)
async def test_unreadable_answers_are_transient(
    client: DimonaRestClient, onss: FakeOnss, response: httpx.Response
) -> None:
    onss.on("GET", "/declarations/9", respond(response))
    with pytest.raises(DimonaTransientError):
        await client.get_answer(9)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, DimonaPermanentError),
        (403, DimonaPermanentError),
        (500, DimonaTransientError),
        (502, DimonaTransientError),
        (503, DimonaTransientError),
        (429, DimonaTransientError),
    ],
)
async def test_get_answer_errors(
    client: DimonaRestClient, onss: FakeOnss, status: int, error: type[Exception]
) -> None:
    onss.on("GET", "/declarations/9", respond(httpx.Response(status)))
    with pytest.raises(error):
        await client.get_answer(9)


@pytest.mark.parametrize(
    "exc_type", [httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ConnectError]
)
async def test_get_answer_network_failures_are_transient(
    client: DimonaRestClient, onss: FakeOnss, exc_type: type[httpx.TransportError]
) -> None:
    onss.on("GET", "/declarations/9", fail(exc_type))
    with pytest.raises(DimonaTransientError):
        await client.get_answer(9)


# -- search and periods -----------------------------------------------------------------------


@pytest.mark.parametrize("resource", ["declarations", "periods", "relations"])
async def test_search_follows_next_links(
    client: DimonaRestClient, onss: FakeOnss, resource: str
) -> None:
    pages = [
        {"items": [{"n": 1}, {"n": 2}], "next": f"{BASE_URL}/{resource}/search?page=2&pageSize=2"},
        {"items": [{"n": 3}], "next": f"/REST/dimona/v2/{resource}/search?page=3&pageSize=2"},
        {"items": [{"n": 4}]},
    ]
    onss.on("POST", f"/{resource}/search", *(respond(httpx.Response(200, json=p)) for p in pages))
    search = getattr(client, f"search_{resource}")
    criteria = {"employer": {"employerId": 123456749}}
    found = [item["n"] async for item in search(criteria)]
    assert found == [1, 2, 3, 4]
    assert [r.url.params.get("page") for r in onss.api_requests] == ["1", "2", "3"]
    assert all(json_body(r) == criteria for r in onss.api_requests)


async def test_search_stops_on_an_empty_page_or_a_repeated_link(
    client: DimonaRestClient, onss: FakeOnss
) -> None:
    loop = {"items": [{"n": 1}], "next": f"{BASE_URL}/periods/search?page=2"}
    onss.on("POST", "/periods/search", respond(httpx.Response(200, json=loop)))
    assert [i async for i in client.search_periods({})] == [{"n": 1}, {"n": 1}]
    onss.on(
        "POST", "/relations/search", respond(httpx.Response(200, json={"items": [], "next": "x"}))
    )
    assert [i async for i in client.search_relations({})] == []


async def test_search_errors_propagate(client: DimonaRestClient, onss: FakeOnss) -> None:
    onss.on("POST", "/declarations/search", fail(httpx.ReadTimeout))
    with pytest.raises(DimonaTransientError):
        [i async for i in client.search_declarations({})]


async def test_get_period(client: DimonaRestClient, onss: FakeOnss) -> None:
    period = {"periodId": 656309300157, "startDate": "2026-03-02"}
    onss.on("GET", "/periods/656309300157", respond(httpx.Response(200, json=period)))
    assert await client.get_period(656309300157) == period
    assert await client.get_period(656309300258) is None


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
