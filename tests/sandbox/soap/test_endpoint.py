# mypy: allow-untyped-calls
"""The sandbox's SOAP endpoint over loopback: zeep on the served WSDL, raw envelopes, faults."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
import requests
import zeep
import zeep.exceptions
from lxml import etree
from zeep.transports import Transport

from adapter.edges.dimona_rest.keys import KeyPairPaths
from adapter.sandbox import admin_client
from adapter.sandbox.process import SandboxProcess
from tests.sandbox import payloads as p
from tests.sandbox.loopback import token_provider
from tests.sandbox.soap.conftest import CLIENT_ID

pytestmark = pytest.mark.slow

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
NS = "urn:dimona-adapter:soap:dimona:v1"


async def _token(sandbox: SandboxProcess, keys: KeyPairPaths) -> str:
    async with token_provider(sandbox, keys, CLIENT_ID) as tokens:
        return await tokens.token()


@pytest.fixture
def bearer(clean: SandboxProcess, keys: KeyPairPaths) -> str:
    return asyncio.run(_token(clean, keys))


@pytest.fixture
def session(bearer: str) -> Iterator[requests.Session]:
    with requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {bearer}"
        yield http


def _envelope(payload: str) -> bytes:
    return (
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:d="{NS}"><soap:Body>{payload}'
        "</soap:Body></soap:Envelope>"
    ).encode()


def _fault(response: httpx.Response) -> tuple[str, str, list[str]]:
    document = etree.fromstring(response.content)
    fault = document.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault is not None, response.text
    code = fault.findtext(f"detail/{{{NS}}}DimonaFault/{{{NS}}}Code") or ""
    issues = [i.text or "" for i in fault.iter(f"{{{NS}}}Detail")]
    return fault.findtext("faultcode") or "", code, issues


def test_zeep_loads_the_served_wsdl_and_calls_every_operation(
    clean: SandboxProcess, session: requests.Session
) -> None:
    client = zeep.Client(f"{clean.soap_url}?wsdl", transport=Transport(session=session))
    assert client.service._binding_options["address"] == clean.soap_url
    in_block = {
        "StartingDate": p.d(3, 2),
        "EmployerId": {"NOSSRegistrationNbr": p.NOSS},
        "NaturalPerson": {"INSS": p.SSIN},
        "DimonaFeatures": {"JointCommissionNbr": "XXX", "WorkerType": "OTH"},
    }
    submitted = client.service.submitDeclaration(DimonaIn=in_block)
    admin_client.process_now(clean.admin_url)
    found = client.service.consultDeclarations(DeclarationId=submitted.DeclarationId)
    assert found.ResultCodeResearch == 0
    [declaration] = found.Declaration
    assert declaration.DeclarationStatus.Result == "A"
    period_id = declaration.DeclarationStatus.DimonaPeriodId
    assert declaration.DimonaIn.NaturalPerson.INSS == p.SSIN
    cancelled = client.service.submitDeclaration(DimonaCancel={"DimonaPeriodId": period_id})
    admin_client.process_now(clean.admin_url)
    both = client.service.consultDeclarations(DimonaPeriodId=period_id)
    assert [d.DeclarationStatus.DeclarationId for d in both.Declaration] == [
        submitted.DeclarationId,
        cancelled.DeclarationId,
    ]
    assert both.Declaration[1].DimonaCancel.INSS == p.SSIN  # filled in from the period
    none = client.service.consultDeclarations(WorkerType="FLX")
    assert none.ResultCodeResearch == 1
    assert not none.Declaration


def test_the_schema_is_served_next_to_the_wsdl(clean: SandboxProcess) -> None:
    schema = httpx.get(clean.soap_url, params={"xsd": "dimona.xsd"})
    assert schema.status_code == 200
    assert b"SubmitDeclarationRequest" in schema.content
    assert httpx.get(clean.soap_url).status_code == 404
    assert httpx.put(clean.soap_url).status_code == 405


def test_a_call_without_token_is_not_authenticated(clean: SandboxProcess) -> None:
    response = httpx.post(clean.soap_url, content=_envelope("<d:ConsultDeclarationsRequest/>"))
    assert response.status_code == 500
    assert _fault(response)[:2] == ("soap:Client", "SOA-01001")


def test_bad_input_gets_client_faults(clean: SandboxProcess, bearer: str) -> None:
    headers = {"Authorization": f"Bearer {bearer}", "Content-Type": "text/xml"}

    def post(content: bytes) -> tuple[str, str, list[str]]:
        response = httpx.post(clean.soap_url, content=content, headers=headers)
        assert response.status_code == 500
        return _fault(response)

    assert post(b"<not-xml")[:2] == ("soap:Client", "invalidXml")
    assert post(b"<a/>")[:2] == ("soap:Client", "notSoap11")
    assert post(_envelope("<d:Nothing/>"))[:2] == ("soap:Client", "unknownOperation")
    assert post(_envelope("<d:ConsultDeclarationsRequest/>"))[1] == "missingCriteria"
    code, detail, issues = post(
        _envelope("<d:ConsultDeclarationsRequest><d:INSS>9005151239X</d:INSS>"
                  "</d:ConsultDeclarationsRequest>")
    )  # fmt: skip
    assert (code, detail) == ("soap:Client", "invalidRequest")
    assert issues
    assert not any("9005151239X" in i for i in issues)  # the value is never echoed
    empty_employer = (
        f"<d:SubmitDeclarationRequest><d:DimonaIn><d:StartingDate>{p.d(3, 2)}</d:StartingDate>"
        "<d:EmployerId/><d:NaturalPerson><d:INSS>90051512391</d:INSS></d:NaturalPerson>"
        "<d:DimonaFeatures><d:JointCommissionNbr>XXX</d:JointCommissionNbr>"
        "<d:WorkerType>OTH</d:WorkerType></d:DimonaFeatures></d:DimonaIn>"
        "</d:SubmitDeclarationRequest>"
    )
    code, detail, issues = post(_envelope(empty_employer))
    assert (code, detail) == ("soap:Client", "schemaViolation")
    assert any("employerId or enterpriseNumber" in i for i in issues)
    assert admin_client.state(clean.admin_url)["declarations"] == 0
