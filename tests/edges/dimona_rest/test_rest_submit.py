"""``submit`` against the fake ONSS: the id read from ``Location``, and the error class of each
failure (permanent, fatal configuration, transient, uncertain).
"""

from __future__ import annotations

import httpx
import pytest

from adapter.core.errors import FatalConfiguration, PermanentError, TransientError, UncertainOutcome
from adapter.edges.dimona_rest.client import DimonaRestClient, declaration_id_from_location
from adapter.edges.dimona_rest.errors import (
    DimonaPermanentError,
    DimonaTransientError,
    DimonaUncertainSubmission,
)

from .conftest import FakeClock
from .fake_onss import BASE_URL, FakeOnss, json_body
from .scripted import IN_BODY, created, fail, respond


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
