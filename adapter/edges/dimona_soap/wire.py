"""REST v2 JSON ↔ the XML of our SOAP contract, on the client side.

``submit`` takes the same JSON body as the REST client; ``declaration_to_xml`` turns it into
the keyword arguments zeep serialises (element names of the XSD). Consultation answers, parsed
by zeep, come back through ``item_from_xml`` as REST v2 declaration items, so reconciliation
reads SOAP and REST answers alike (``models.py`` builds the core results from them).
Written independently of the sandbox's mapping: a shared bug would hide itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from adapter.core.declarations import DeclarationKind
from adapter.core.errors import PermanentError

BLOCKS = {
    "DimonaIn": ("dimonaIn", DeclarationKind.IN),
    "DimonaOut": ("dimonaOut", DeclarationKind.OUT),
    "DimonaUpdate": ("dimonaUpdate", DeclarationKind.UPDATE),
    "DimonaCancel": ("dimonaCancel", DeclarationKind.CANCEL),
}
_JSON_BLOCKS = {json: xml for xml, (json, _) in BLOCKS.items()}
# XML tag -> JSON key, block by block (the nested blocks have their own helpers).
_IN = {
    "StartingDate": "startDate",
    "StartingHour": "startHour",
    "EndingDate": "endDate",
    "EndingHour": "endHour",
    "PlannedHoursNbr": "plannedHoursNumber",
}
_FLAT = {
    "DimonaOut": {"DimonaPeriodId": "periodId", "EndingDate": "endDate"},
    "DimonaUpdate": {"DimonaPeriodId": "periodId", **_IN},
    "DimonaCancel": {"DimonaPeriodId": "periodId"},
}
_WORKER = {
    "INSS": "ssin",
    "WorkerName": "familyName",
    "WorkerFirstName": "givenName",
    "WorkerBirthdate": "birthDate",
    "WorkerBirthplace": "placeOfBirth",
    "WorkerBirthplaceCountry": "countryOfBirth",
    "WorkerSex": "gender",
    "Nationality": "nationality",
}
_EMPLOYER = {"NOSSRegistrationNbr": "employerId", "CompanyID": "enterpriseNumber"}
_FEATURES = {"JointCommissionNbr": "jointCommissionNumber", "WorkerType": "workerType"}
_WORKER_ADDRESS = {
    "WorkerStreet": "street",
    "WorkerHouseNbr": "houseNumber",
    "WorkerPostBox": "boxNumber",
    "WorkerZIPCode": "postCode",
    "WorkerCountry": "country",
}
_ADDRESS = {
    "Street": "street",
    "HouseNbr": "houseNumber",
    "PostBox": "boxNumber",
    "ZIPCode": "postCode",
    "Country": "country",
}


class WireError(PermanentError):
    """A body the SOAP contract cannot express."""


# ------------------------------------------------------------------ JSON -> XML (submit)
def _pick(source: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """``{xml: source[json]}`` for the keys present."""
    return {xml: source[json] for xml, json in names.items() if source.get(json) is not None}


def _address_xml(
    address: Mapping[str, Any], city: str, code: str, names: Mapping[str, str]
) -> dict[str, Any]:
    out = _pick(address, names)
    municipality = address.get("municipality") or {}
    if municipality.get("name") is not None:
        out[city] = municipality["name"]
    if municipality.get("code") is not None:
        out[code] = municipality["code"]
    return out


def _employer_xml(employer: Mapping[str, Any]) -> dict[str, Any]:
    return _pick(employer, _EMPLOYER)


def _worker_xml(worker: Mapping[str, Any]) -> dict[str, Any]:
    out = _pick(worker, _WORKER)
    out.update(
        _address_xml(worker.get("address") or {}, "WorkerCity", "WorkerCityCode", _WORKER_ADDRESS)
    )
    return out


def _features_xml(features: Mapping[str, Any]) -> dict[str, Any]:
    out = _pick(
        features, {"JointCommissionNbr": "jointCommissionNumber", "WorkerType": "workerType"}
    )
    user = features.get("usingEmployer")
    if user:
        using = _pick(
            user,
            {
                "JointCommissionNbr": "jointCommissionNumber",
                "UsingEmployerName": "name",
                "UsingEmployerCompanyID": "enterpriseNumber",
            },
        )
        if user.get("address"):
            using["Address"] = _address_xml(user["address"], "City", "CityCode", _ADDRESS)
        out["UsingEmployer"] = using
    return out


def declaration_to_xml(body: Mapping[str, Any]) -> dict[str, Any]:
    """zeep keyword arguments of ``submitDeclaration`` for a REST v2 body."""
    present = [b for b in _JSON_BLOCKS if b in body]
    if len(present) != 1:
        raise WireError("exactly one of dimonaIn, dimonaOut, dimonaUpdate, dimonaCancel")
    unknown = set(body) - {"employer", "worker", *present}
    if unknown:
        raise WireError(f"fields the SOAP contract has no place for: {sorted(unknown)}")
    name = present[0]
    tag = _JSON_BLOCKS[name]
    action: Mapping[str, Any] = body[name]
    employer, worker = body.get("employer"), body.get("worker")
    if tag == "DimonaIn":
        block = _pick(action, _IN)
        block["EmployerId"] = _employer_xml(employer or {})
        block["NaturalPerson"] = _worker_xml(worker or {})
        block["DimonaFeatures"] = _features_xml(action.get("features") or {})
        place = action.get("studentPlaceOfWork")
        if place:
            block["StudentPlaceOfWork"] = {
                "Denomination": place.get("name"),
                "Address": _address_xml(place.get("address") or {}, "City", "CityCode", _ADDRESS),
            }
        return {tag: block}
    block = _pick(action, _FLAT[tag])
    if worker:
        if set(worker) - {"ssin"}:
            raise WireError(f"{tag} carries only the worker's INSS")
        block["INSS"] = worker["ssin"]
    if employer:
        block["EmployerId"] = _employer_xml(employer)
    return {tag: block}


# ------------------------------------------------------------------ XML -> JSON (consult)
def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _keep(source: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """``{json: source[xml]}`` for the elements present."""
    return {json: _plain(source[xml]) for xml, json in names.items() if source.get(xml) is not None}


def _address_json(
    source: Mapping[str, Any], city: str, code: str, names: Mapping[str, str]
) -> dict[str, Any]:
    out = _keep(source, names)
    municipality = _keep(source, {city: "name", code: "code"})
    if municipality:
        out["municipality"] = municipality
    return out


def _worker_json(person: Mapping[str, Any]) -> dict[str, Any]:
    out = _keep(person, _WORKER)
    address = _address_json(person, "WorkerCity", "WorkerCityCode", _WORKER_ADDRESS)
    if address:
        out["address"] = address
    return out


def _employer_json(employer: Mapping[str, Any]) -> dict[str, Any]:
    return _keep(employer, _EMPLOYER)


def _features_json(features: Mapping[str, Any]) -> dict[str, Any]:
    out = _keep(
        features, {"JointCommissionNbr": "jointCommissionNumber", "WorkerType": "workerType"}
    )
    user = features.get("UsingEmployer")
    if user:
        using = _keep(
            user,
            {
                "JointCommissionNbr": "jointCommissionNumber",
                "UsingEmployerName": "name",
                "UsingEmployerCompanyID": "enterpriseNumber",
            },
        )
        if user.get("Address"):
            using["address"] = _address_json(user["Address"], "City", "CityCode", _ADDRESS)
        out["usingEmployer"] = using
    return out


def _status_json(status: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"declarationId": status["DeclarationId"], "result": status["Result"]}
    if status.get("DimonaPeriodId") is not None:
        out["period"] = {"id": status["DimonaPeriodId"]}
    anomalies = [
        _keep(
            a,
            {
                "ErrorID": "errorId",
                "AnomalyClass": "severity",
                "AnomalyLabelFr": "labelFr",
                "AnomalyLabelNl": "labelNl",
            },
        )
        for a in status.get("Anomaly") or []
    ]
    if anomalies:
        out["anomalies"] = anomalies
    received = status.get("ReceptionDateTime")
    if isinstance(received, datetime):
        out["receivedAt"] = received.isoformat()
    return out


def item_from_xml(declaration: Mapping[str, Any]) -> dict[str, Any]:
    """A REST v2 declaration item from one ``Declaration`` of a consultation answer."""
    item: dict[str, Any] = {"declarationStatus": _status_json(declaration["DeclarationStatus"])}
    for tag, (name, _kind) in BLOCKS.items():
        block = declaration.get(tag)
        if not block:
            continue
        if tag == "DimonaIn":
            action = _keep(block, _IN)
            action["features"] = _features_json(block.get("DimonaFeatures") or {})
            place = block.get("StudentPlaceOfWork")
            if place:
                action["studentPlaceOfWork"] = {
                    "name": place.get("Denomination"),
                    "address": _address_json(
                        place.get("Address") or {}, "City", "CityCode", _ADDRESS
                    ),
                }
            item["employer"] = _employer_json(block.get("EmployerId") or {})
            item["worker"] = _worker_json(block.get("NaturalPerson") or {})
        else:
            action = _keep(block, _FLAT[tag])
            if block.get("EmployerId"):
                item["employer"] = _employer_json(block["EmployerId"])
            if block.get("INSS"):
                item["worker"] = {"ssin": block["INSS"]}
        item[name] = action
    return item
