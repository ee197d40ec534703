"""The two operations: submit a declaration, consult declarations by criteria.

Both take a schema-valid payload and the authorised client, and call the same
:class:`SandboxService` as the REST routes (``submit``, ``get``, ``search_declarations``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from lxml import etree

from adapter.sandbox.models import Client, Declaration, employer_ids
from adapter.sandbox.schema import validate_declaration
from adapter.sandbox.service import SandboxService
from adapter.sandbox.soap.envelope import SoapFault
from adapter.sandbox.soap.mapping import EMPLOYER, declaration_from_xml, declaration_to_xml, q
from adapter.sandbox.soap.mapping import read_table as _read_table
from adapter.sandbox.views import declaration_view

MAX_RESULTS = 1000
FOUND, NO_RESULT, TOO_MANY = 0, 1, 5


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds")


def _aware(text: str) -> str:
    """An ``xs:dateTime`` without a zone is read as UTC."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SoapFault("invalidRequest", "a reception time this service cannot read", issues=[
            ("ReceptionPeriod", "use YYYY-MM-DDThh:mm:ss[.ffffff][zone]")
        ]) from None  # fmt: skip
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


async def submit(
    service: SandboxService, client: Client, request: etree._Element
) -> etree._Element:
    body = declaration_from_xml(request)
    issues = validate_declaration(body)
    if issues:
        raise SoapFault(
            "schemaViolation",
            "the declaration breaks the Dimona rules of form",
            issues=[(str(i.get("name", "$")), str(i.get("detail", ""))) for i in issues],
        )
    if not service.may_declare(client, body):
        raise SoapFault("missingPermission", "no mandate to declare for this employer")
    declaration = service.submit(body, client.client_id, flush=False)
    await service.commit()
    answer = etree.Element(q("SubmitDeclarationResponse"))
    etree.SubElement(answer, q("DeclarationId")).text = str(declaration.id)
    etree.SubElement(answer, q("ReceptionDateTime")).text = _iso(declaration.received_at)
    return answer


def criteria_from_xml(request: etree._Element) -> dict[str, Any]:
    """The criteria in our own words: the REST search filter plus the SOAP-only ones."""
    criteria: dict[str, Any] = {}
    simple = {
        "DeclarationId": "declarationId",
        "DimonaPeriodId": "periodId",
        "JointCommissionNbr": "jointCommission",
        "WorkerType": "workerType",
        "UsingEmployerCompanyID": "usingEmployer",
    }
    for tag, name in simple.items():
        element = request.find(q(tag))
        if element is not None and element.text:
            text = element.text.strip()
            criteria[name] = int(text) if name in ("declarationId", "periodId") else text
    inss = request.find(q("INSS"))
    if inss is not None and inss.text:
        criteria["worker"] = {"ssin": inss.text.strip()}
    employer = request.find(q("EmployerId"))
    if employer is not None:
        found: dict[str, Any] = {}
        _read_table(employer, EMPLOYER, found, {})
        if not found:
            raise SoapFault("schemaViolation", "EmployerId needs a number", issues=[
                ("EmployerId", "NOSSRegistrationNbr or CompanyID is required")
            ])  # fmt: skip
        criteria["employer"] = found
    reception = request.find(q("ReceptionPeriod"))
    if reception is not None:
        for tag, name in (("ReceptionFrom", "receivedFrom"), ("ReceptionTo", "receivedTo")):
            element = reception.find(q(tag))
            if element is not None and element.text:
                criteria[name] = _aware(element.text.strip())
    if not criteria:
        raise SoapFault("missingCriteria", "give at least one consultation criterion")
    return criteria


def _features(service: SandboxService, declaration: Declaration) -> dict[str, Any]:
    if declaration.kind == "IN":
        features: dict[str, Any] = declaration.action.get("features", {})
        return features
    period = service.store.periods.get(declaration.period_id or 0)
    if period is None:
        return {}
    found: dict[str, Any] = {
        "jointCommissionNumber": period.joint_committee,
        "workerType": period.worker_type,
    }
    if period.using_employer is not None:
        found["usingEmployer"] = period.using_employer
    return found


def _matches(
    criteria: dict[str, Any],
    declaration: Declaration,
    view: dict[str, Any],
    features: dict[str, Any],
) -> bool:
    checks: list[bool] = []
    if "periodId" in criteria:
        checks.append(declaration.period_id == criteria["periodId"])
    if "worker" in criteria:
        checks.append(view.get("worker", {}).get("ssin") == criteria["worker"]["ssin"])
    if "employer" in criteria:
        wanted = set(employer_ids(criteria["employer"]))
        checks.append(bool(wanted & set(employer_ids(view.get("employer", {})))))
    if "receivedFrom" in criteria:
        start = datetime.fromisoformat(criteria["receivedFrom"]).timestamp()
        checks.append(declaration.received_at >= start)
    if "receivedTo" in criteria:
        end = datetime.fromisoformat(criteria["receivedTo"]).timestamp()
        checks.append(declaration.received_at <= end)
    if "jointCommission" in criteria:
        checks.append(features.get("jointCommissionNumber") == criteria["jointCommission"])
    if "workerType" in criteria:
        checks.append(features.get("workerType") == criteria["workerType"])
    if "usingEmployer" in criteria:
        user = features.get("usingEmployer") or {}
        number = str(user.get("enterpriseNumber", ""))
        checks.append(bool(number) and number.zfill(10) == criteria["usingEmployer"].zfill(10))
    return all(checks)


def consult(service: SandboxService, client: Client, request: etree._Element) -> etree._Element:
    criteria = criteria_from_xml(request)
    if "declarationId" in criteria:
        one = service.get(criteria["declarationId"])
        candidates = [] if one is None else [one]
    else:
        candidates = service.search_declarations(criteria)
    found: list[tuple[Declaration, dict[str, Any]]] = []
    for declaration in candidates:
        period = service.store.periods.get(declaration.period_id or 0)
        view = declaration_view(declaration, "", period)
        if client.employers is not None and not client.may_declare_for(
            employer_ids(view.get("employer", {}))
        ):
            continue
        if _matches(criteria, declaration, view, _features(service, declaration)):
            found.append((declaration, view))
    answer = etree.Element(q("ConsultDeclarationsResponse"))
    code = FOUND if found else NO_RESULT
    if len(found) > MAX_RESULTS:
        code, found = TOO_MANY, []
    etree.SubElement(answer, q("ResultCodeResearch")).text = str(code)
    for declaration, view in found:
        item = etree.SubElement(answer, q("Declaration"))
        _status(etree.SubElement(item, q("DeclarationStatus")), declaration)
        declaration_to_xml(item, view)
    return answer


def _status(status: etree._Element, declaration: Declaration) -> None:
    etree.SubElement(status, q("DeclarationId")).text = str(declaration.id)
    etree.SubElement(status, q("ReceptionDateTime")).text = _iso(declaration.received_at)
    etree.SubElement(status, q("Result")).text = declaration.result or ""
    if declaration.period_id is not None:
        etree.SubElement(status, q("DimonaPeriodId")).text = str(declaration.period_id)
    for anomaly in declaration.anomalies:
        element = etree.SubElement(status, q("Anomaly"))
        etree.SubElement(element, q("ErrorID")).text = anomaly.code
        etree.SubElement(element, q("AnomalyClass")).text = anomaly.severity
        etree.SubElement(element, q("AnomalyLabelFr")).text = anomaly.label_fr
        etree.SubElement(element, q("AnomalyLabelNl")).text = anomaly.label_nl
