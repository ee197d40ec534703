"""``DimonaSoapClient`` over an injected httpx transport: what each failure becomes."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from adapter.edges.dimona_soap import (
    ConsultCriteria,
    DimonaSoapClient,
    DimonaSoapPermanentError,
    DimonaSoapTransientError,
    DimonaSoapUncertainSubmission,
)
from tests import declarations as d

ENDPOINT = "http://dimona.test/SOAP/dimona"
NS = "urn:dimona-adapter:soap:dimona:v1"
XML = {"content-type": "text/xml; charset=utf-8"}
Handler = Callable[[httpx.Request], httpx.Response]


class StaticTokens:
    async def token(self) -> str:
        return "static-token"

    def invalidate(self, token: str) -> None:
        return None

    async def aclose(self) -> None:
        return None


def _envelope(body: str) -> str:
    return (
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        f'xmlns:d="{NS}"><s:Body>{body}</s:Body></s:Envelope>'
    )


def _client(handler: Handler) -> DimonaSoapClient:
    return DimonaSoapClient(
        endpoint=ENDPOINT, token_provider=StaticTokens(), transport=httpx.MockTransport(handler)
    )


def _raises(exc: Exception) -> Handler:
    def handler(_request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


async def test_a_submission_carries_the_token_and_the_action() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = (
            "<d:SubmitDeclarationResponse><d:DeclarationId>656309296521</d:DeclarationId>"
            "<d:ReceptionDateTime>2026-11-28T10:00:00Z</d:ReceptionDateTime>"
            "</d:SubmitDeclarationResponse>"
        )
        return httpx.Response(200, headers=XML, text=_envelope(answer))

    async with _client(handler) as soap:
        assert await soap.submit(d.ordinary_in()) == 656309296521
    [request] = seen
    assert str(request.url) == ENDPOINT
    assert request.headers["authorization"] == "Bearer static-token"
    assert "submitDeclaration" in request.headers["soapaction"]


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (httpx.ConnectError("refused"), DimonaSoapTransientError),  # never sent
        (httpx.ReadTimeout("slow"), DimonaSoapUncertainSubmission),
        (httpx.RemoteProtocolError("reset"), DimonaSoapUncertainSubmission),
    ],
)
async def test_network_failures_of_a_submission(exc: Exception, expected: type) -> None:
    async with _client(_raises(exc)) as soap:
        with pytest.raises(expected):
            await soap.submit(d.ordinary_in())


async def test_network_failures_of_a_consultation_are_transient() -> None:
    async with _client(_raises(httpx.ReadTimeout("slow"))) as soap:
        with pytest.raises(DimonaSoapTransientError):
            await soap.consult(ConsultCriteria(worker_type="OTH"))


@pytest.mark.parametrize(
    ("status", "headers", "text", "on_submit", "on_consult"),
    [
        (200, XML, "<broken", DimonaSoapUncertainSubmission, DimonaSoapTransientError),
        (200, {"content-type": "text/html"}, "<html/>", DimonaSoapUncertainSubmission,
         DimonaSoapTransientError),
        (502, {}, "", DimonaSoapUncertainSubmission, DimonaSoapTransientError),
        (503, {"retry-after": "3"}, "", DimonaSoapTransientError, DimonaSoapTransientError),
        (403, {}, "forbidden", DimonaSoapPermanentError, DimonaSoapPermanentError),
    ],
)  # fmt: skip
async def test_answers_that_are_not_soap(
    status: int, headers: dict[str, str], text: str, on_submit: type, on_consult: type
) -> None:
    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers=headers, text=text)

    async with _client(handler) as soap:
        with pytest.raises(on_submit):
            await soap.submit(d.ordinary_in())
        with pytest.raises(on_consult):
            await soap.consult(ConsultCriteria(worker_type="OTH"))


async def test_a_server_fault_is_transient_and_a_client_fault_permanent() -> None:
    def fault(kind: str) -> Handler:
        def handler(_request: httpx.Request) -> httpx.Response:
            body = (
                f"<s:Fault><faultcode>s:{kind}</faultcode><faultstring>x: boom 90051512391"
                f"</faultstring><detail><d:DimonaFault><d:Code>x</d:Code><d:Issue>"
                "<d:Name>INSS</d:Name><d:Detail>bad 90051512391</d:Detail></d:Issue>"
                "</d:DimonaFault></detail></s:Fault>"
            )
            return httpx.Response(500, headers=XML, text=_envelope(body))

        return handler

    async with _client(fault("Server")) as soap:
        with pytest.raises(DimonaSoapTransientError) as server:
            await soap.submit(d.ordinary_in())
    async with _client(fault("Client")) as soap:
        with pytest.raises(DimonaSoapPermanentError) as client:
            await soap.submit(d.ordinary_in())
    assert client.value.fault_code == "x"
    assert client.value.issues == ("INSS: bad …",)
    assert "90051512391" not in f"{server.value} {client.value}"
