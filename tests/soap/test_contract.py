# mypy: allow-untyped-calls
"""The shipped contract, and the client's and the sandbox's mappings against each other.

The two mappings are written independently; each payload goes client → XML (built by zeep,
validated by lxml against the XSD) → sandbox, and sandbox → XML → zeep → client, and must
come back unchanged.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import zeep
import zeep.helpers
from lxml import etree

from adapter.edges.dimona_soap import WSDL_PATH, ConsultCriteria
from adapter.edges.dimona_soap.models import consulted
from adapter.edges.dimona_soap.wire import WireError, declaration_to_xml, item_from_xml
from adapter.sandbox.soap.contract import NS, schema, wsdl_for
from adapter.sandbox.soap.envelope import payload_of
from adapter.sandbox.soap.mapping import declaration_from_xml
from adapter.sandbox.soap.mapping import declaration_to_xml as sandbox_to_xml
from tests.sandbox import payloads as p

BODIES = {
    "ordinary": p.ordinary_in(),
    "flexi": p.flexi_day(),
    "student": p.student(),
    "without_ssin": p.without_ssin(),
    "temp_agency": p.temp_agency(),
    "out": p.out(656309292174),
    "out_with_ssin": {**p.out(656309292174), "worker": {"ssin": p.SSIN}},
    "update": p.update(656309292174, endDate=p.d(9, 30), plannedHoursNumber=20),
    "reopen": p.update(656309292174, endDate="9999-12-31"),
    "cancel": {**p.cancel(656309292174), "employer": {"enterpriseNumber": p.CBE}},
}


@pytest.fixture(scope="module")
def offline() -> zeep.Client:
    return zeep.Client(str(WSDL_PATH))


def test_the_shipped_wsdl_has_both_operations(offline: zeep.Client) -> None:
    binding = offline.wsdl.bindings[f"{{{NS}}}DimonaBinding"]
    assert set(binding.all()) == {"submitDeclaration", "consultDeclarations"}


def test_the_served_wsdl_points_at_the_caller() -> None:
    document = etree.fromstring(wsdl_for("http://example.test:1/SOAP/dimona"))
    address = document.find(".//{http://schemas.xmlsoap.org/wsdl/soap/}address")
    assert address is not None
    assert address.get("location") == "http://example.test:1/SOAP/dimona"
    imported = document.find(".//{http://www.w3.org/2001/XMLSchema}import")
    assert imported is not None
    assert imported.get("schemaLocation") == "http://example.test:1/SOAP/dimona?xsd=dimona.xsd"


@pytest.mark.parametrize("name", sorted(BODIES))
def test_a_submitted_body_reaches_the_sandbox_unchanged(offline: zeep.Client, name: str) -> None:
    body = BODIES[name]
    envelope = offline.create_message(
        offline.service, "submitDeclaration", **declaration_to_xml(body)
    )
    request = payload_of(etree.tostring(envelope))
    assert schema().validate(request), schema().error_log
    assert declaration_from_xml(request) == body


@pytest.mark.parametrize("name", sorted(BODIES))
def test_a_consulted_declaration_reaches_the_client_unchanged(
    offline: zeep.Client, name: str
) -> None:
    body = BODIES[name]
    answer = etree.Element(f"{{{NS}}}ConsultDeclarationsResponse")
    etree.SubElement(answer, f"{{{NS}}}ResultCodeResearch").text = "0"
    item = etree.SubElement(answer, f"{{{NS}}}Declaration")
    status = etree.SubElement(item, f"{{{NS}}}DeclarationStatus")
    for tag, text in (
        ("DeclarationId", "656309296521"),
        ("ReceptionDateTime", "2026-11-28T10:00:00.000+00:00"),
        ("Result", "W"),
        ("DimonaPeriodId", "656309292174"),
    ):
        etree.SubElement(status, f"{{{NS}}}{tag}").text = text
    anomaly = etree.SubElement(status, f"{{{NS}}}Anomaly")
    etree.SubElement(anomaly, f"{{{NS}}}ErrorID").text = "90373-460"
    etree.SubElement(anomaly, f"{{{NS}}}AnomalyClass").text = "NP"
    sandbox_to_xml(item, body)
    assert schema().validate(answer), schema().error_log

    element = offline.get_element(f"{{{NS}}}ConsultDeclarationsResponse")
    parsed: dict[str, Any] = zeep.helpers.serialize_object(
        element.parse(answer, offline.wsdl.types), dict
    )
    declaration = parsed["Declaration"][0]
    rest_item = item_from_xml(declaration)
    assert {k: v for k, v in rest_item.items() if k != "declarationStatus"} == body
    assert rest_item["declarationStatus"]["declarationId"] == 656309296521
    assert rest_item["declarationStatus"]["period"] == {"id": 656309292174}
    core = consulted(declaration)
    assert core.answer.result == "W"
    assert core.answer.period_id == 656309292174
    assert core.answer.has_anomaly("90373-460")
    block = next(b for b in body if b.startswith("dimona"))
    assert core.kind.value == block.removeprefix("dimona").upper()


def test_bodies_the_contract_cannot_express_are_refused() -> None:
    with pytest.raises(WireError):
        declaration_to_xml({"dimonaIn": {}, "dimonaOut": {}})
    with pytest.raises(WireError):
        declaration_to_xml({**p.ordinary_in(), "extra": 1})
    with pytest.raises(WireError):
        declaration_to_xml({**p.out(656309292174), "worker": {"familyName": "X"}})


def test_consult_criteria_need_one_criterion_and_aware_times() -> None:
    with pytest.raises(ValueError, match="at least one"):
        ConsultCriteria()
    with pytest.raises(ValueError, match="timezone"):
        ConsultCriteria(received_from="2026-01-01T00:00:00")
    criteria = ConsultCriteria.from_search_filter(
        {"employer": {"employerId": p.NOSS}, "worker": {"ssin": p.SSIN}, "periodId": 656309292174}
    )
    assert criteria.to_xml() == {
        "DimonaPeriodId": 656309292174,
        "INSS": p.SSIN,
        "EmployerId": {"NOSSRegistrationNbr": p.NOSS},
    }
    assert p.SSIN not in repr(criteria)
    naive = ConsultCriteria.from_search_filter({"receivedFrom": "2026-01-01T00:00:00"})
    assert naive.received_from is not None
    assert naive.received_from.utcoffset() == timedelta(0)
