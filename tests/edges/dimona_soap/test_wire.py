# mypy: allow-untyped-calls
"""The client's XML against the shipped contract, and against the sandbox's own mapping.

The two mappings are written independently. Each core declaration goes client → XML (built by
zeep, validated by lxml against the XSD) → sandbox, and must arrive as the REST v2 body the REST
client renders from the same declaration: REST and SOAP are two renderings of one model. The
other way, sandbox → XML → zeep → client, each body must come back unchanged, and match the
XML we would submit (reconciliation compares on that model).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import zeep
import zeep.helpers
from lxml import etree

from adapter.core.declarations import REOPEN_END_DATE, Declaration, UnresolvedPeriod
from adapter.core.events import (
    ConstructionCards,
    EmploymentNature,
    SmallStatutes,
    SmallStatuteWorkerStatus,
)
from adapter.edges.dimona_rest.wire import declaration_to_body
from adapter.edges.dimona_soap import WSDL_PATH, ConsultCriteria
from adapter.edges.dimona_soap.models import consulted
from adapter.edges.dimona_soap.reconcile import consult_criteria, matches, recorded_id
from adapter.edges.dimona_soap.wire import WireError, declaration_to_xml, item_from_xml
from adapter.sandbox.soap.contract import NS, schema
from adapter.sandbox.soap.envelope import payload_of
from adapter.sandbox.soap.mapping import declaration_from_xml
from adapter.sandbox.soap.mapping import declaration_to_xml as sandbox_to_xml
from tests import declarations as d
from tests.sandbox import payloads as p

PERIOD = 656309292174
DECLARATIONS: dict[str, Declaration] = {
    "ordinary": d.ordinary_in(),
    "flexi": d.flexi_day(),
    "student": d.student(),
    "without_ssin": d.without_ssin(),
    "temp_agency": d.temp_agency(),
    "out": d.out(PERIOD),
    "update": d.update(PERIOD, end_date=d.d(9, 30), planned_hours=20),
    "reopen": d.update(PERIOD, end_date=REOPEN_END_DATE),
    "cancel": d.cancel(PERIOD),
}
BODIES: dict[str, dict[str, Any]] = {
    **{name: declaration_to_body(declaration) for name, declaration in DECLARATIONS.items()},
    # ONSS fills in the worker and employer of a follow-up from its period
    "out_with_ssin": {**p.out(PERIOD), "worker": {"ssin": p.SSIN}},
    "cancel_with_employer": {**p.cancel(PERIOD), "employer": {"enterpriseNumber": p.CBE}},
}
WANTED: dict[str, Declaration] = {
    **DECLARATIONS,
    "out_with_ssin": DECLARATIONS["out"],
    "cancel_with_employer": DECLARATIONS["cancel"],
}
"""The declaration each body records."""


@pytest.fixture(scope="module")
def offline() -> zeep.Client:
    return zeep.Client(str(WSDL_PATH))


def test_the_shipped_wsdl_has_both_operations(offline: zeep.Client) -> None:
    binding = offline.wsdl.bindings[f"{{{NS}}}DimonaBinding"]
    assert set(binding.all()) == {"submitDeclaration", "consultDeclarations"}


def test_the_samples_are_the_payloads_of_the_sandbox_tests() -> None:
    assert declaration_to_body(d.ordinary_in()) == p.ordinary_in()
    assert declaration_to_body(d.flexi_day()) == p.flexi_day()
    assert declaration_to_body(d.student()) == p.student()
    assert declaration_to_body(d.without_ssin()) == p.without_ssin()
    assert declaration_to_body(d.temp_agency()) == p.temp_agency()
    assert declaration_to_body(d.out(PERIOD)) == p.out(PERIOD)
    assert declaration_to_body(d.cancel(PERIOD)) == p.cancel(PERIOD)


@pytest.mark.parametrize("name", sorted(DECLARATIONS))
def test_a_declaration_reaches_the_sandbox_as_its_rest_body(
    offline: zeep.Client, name: str
) -> None:
    declaration = DECLARATIONS[name]
    envelope = offline.create_message(
        offline.service, "submitDeclaration", **declaration_to_xml(declaration)
    )
    request = payload_of(etree.tostring(envelope))
    assert schema().validate(request), schema().error_log
    assert declaration_from_xml(request) == declaration_to_body(declaration)


def _consulted(offline: zeep.Client, body: dict[str, Any]) -> dict[str, Any]:
    """One ``Declaration`` of a consultation answer the sandbox writes for ``body``, as zeep
    hands it to the client."""
    answer = etree.Element(f"{{{NS}}}ConsultDeclarationsResponse")
    etree.SubElement(answer, f"{{{NS}}}ResultCodeResearch").text = "0"
    item = etree.SubElement(answer, f"{{{NS}}}Declaration")
    status = etree.SubElement(item, f"{{{NS}}}DeclarationStatus")
    for tag, text in (
        ("DeclarationId", "656309296521"),
        ("ReceptionDateTime", "2026-11-28T10:00:00.000+00:00"),
        ("Result", "W"),
        ("DimonaPeriodId", str(PERIOD)),
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
    declaration: dict[str, Any] = parsed["Declaration"][0]
    return declaration


@pytest.mark.parametrize("name", sorted(BODIES))
def test_a_consulted_declaration_reaches_the_client_unchanged(
    offline: zeep.Client, name: str
) -> None:
    body = BODIES[name]
    declaration = _consulted(offline, body)
    rest_item = item_from_xml(declaration)
    assert {k: v for k, v in rest_item.items() if k != "declarationStatus"} == body
    assert rest_item["declarationStatus"]["declarationId"] == 656309296521
    assert rest_item["declarationStatus"]["period"] == {"id": PERIOD}
    core = consulted(declaration)
    assert core.answer.result == "W"
    assert core.answer.period_id == PERIOD
    assert core.answer.has_anomaly("90373-460")
    block = next(b for b in body if b.startswith("dimona"))
    assert core.kind.value == block.removeprefix("dimona").upper()


@pytest.mark.parametrize("name", sorted(BODIES))
def test_a_consulted_declaration_matches_the_xml_we_submit(offline: zeep.Client, name: str) -> None:
    declaration = _consulted(offline, BODIES[name])
    wanted = declaration_to_xml(WANTED[name])
    assert matches(declaration, wanted)
    assert recorded_id([declaration], wanted, frozenset()) == 656309296521
    assert recorded_id([declaration], wanted, frozenset({656309296521})) is None
    others = [n for n, other in DECLARATIONS.items() if other.kind != WANTED[name].kind]
    assert not any(matches(declaration, declaration_to_xml(DECLARATIONS[n])) for n in others)


def test_a_changed_field_does_not_match() -> None:
    parsed = {"DimonaIn": {**declaration_to_xml(d.ordinary_in())["DimonaIn"], "EndingDate": None}}
    assert matches(parsed, declaration_to_xml(d.ordinary_in()))
    assert not matches(parsed, declaration_to_xml(d.ordinary_in(start=d.d(3, 3))))
    assert not matches(parsed, declaration_to_xml(d.ordinary_in(end_date=d.d(3, 3))))


def test_declarations_the_contract_cannot_express_are_refused() -> None:
    statutes = SmallStatutes(
        employment_nature=EmploymentNature.EMPLOYEE, worker_status=SmallStatuteWorkerStatus.F2
    )
    with pytest.raises(WireError):
        declaration_to_xml(d.ordinary_in(small_statutes=statutes))
    with pytest.raises(WireError):
        declaration_to_xml(d.ordinary_in(construction_cards=ConstructionCards()))
    with pytest.raises(UnresolvedPeriod):
        declaration_to_xml(d.out(None))


def test_reconciliation_consults_by_employer_and_worker_or_by_period() -> None:
    criteria = consult_criteria(d.ordinary_in())
    assert criteria.to_xml() == {"INSS": p.SSIN, "EmployerId": {"NOSSRegistrationNbr": p.NOSS}}
    assert p.SSIN not in repr(criteria)
    assert consult_criteria(d.flexi_day()).to_xml()["EmployerId"] == {"CompanyID": p.CBE}
    assert consult_criteria(d.without_ssin()).to_xml() == {
        "EmployerId": {"NOSSRegistrationNbr": p.NOSS}
    }
    assert consult_criteria(d.cancel(PERIOD)).to_xml() == {"DimonaPeriodId": PERIOD}
    with pytest.raises(UnresolvedPeriod):
        consult_criteria(d.update(None))


def test_consult_criteria_need_one_criterion_and_aware_times() -> None:
    with pytest.raises(ValueError, match="at least one"):
        ConsultCriteria()
    with pytest.raises(ValueError, match="timezone"):
        ConsultCriteria(received_from="2026-01-01T00:00:00")
    criteria = ConsultCriteria.from_search_filter(
        {"employer": {"employerId": p.NOSS}, "worker": {"ssin": p.SSIN}, "periodId": PERIOD}
    )
    assert criteria.to_xml() == {
        "DimonaPeriodId": PERIOD,
        "INSS": p.SSIN,
        "EmployerId": {"NOSSRegistrationNbr": p.NOSS},
    }
    assert p.SSIN not in repr(criteria)
    naive = ConsultCriteria.from_search_filter({"receivedFrom": "2026-01-01T00:00:00"})
    assert naive.received_from is not None
    assert naive.received_from.utcoffset() == timedelta(0)
