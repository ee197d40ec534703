"""``get_answer`` against the fake ONSS: each result, unreadable answers, errors, lost answers."""

from __future__ import annotations

import httpx
import pytest

from adapter.core.results import AnomalySeverity, DimonaResult
from adapter.edges.dimona_rest.client import DimonaRestClient
from adapter.edges.dimona_rest.errors import DimonaPermanentError, DimonaTransientError

from .fake_onss import BASE_URL, FakeOnss
from .scripted import fail, respond


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
