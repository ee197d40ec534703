"""The XML of our SOAP contract, on the client side.

``declaration_to_xml`` renders a core declaration as the keyword arguments zeep serialises for
``submitDeclaration`` (element names of the XSD, values of the XSD's types: ``date`` for dates,
``HHMM`` strings for hours, ``int`` for numbers). Consultation answers, parsed by zeep, are read
back two ways: ``item_from_xml`` gives REST v2-shaped items (the ``consult`` command shows REST
and SOAP alike; ``models.py`` builds the core results from them), and ``reconcile.py`` matches
them against the XML we would send. Written independently of the sandbox's mapping: a shared
bug would hide itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from adapter.core.declarations import (
    Declaration,
    DeclarationKind,
    DeclaredUsingEmployer,
    InDeclaration,
    OutDeclaration,
    UpdateDeclaration,
    period_id_of,
)
from adapter.core.errors import PermanentError
from adapter.core.events import Address, Employer, Gender, Worker

BLOCKS = {
    "DimonaIn": ("dimonaIn", DeclarationKind.IN),
    "DimonaOut": ("dimonaOut", DeclarationKind.OUT),
    "DimonaUpdate": ("dimonaUpdate", DeclarationKind.UPDATE),
    "DimonaCancel": ("dimonaCancel", DeclarationKind.CANCEL),
}
# XML tag -> JSON key of the REST v2 items, block by block (nested blocks have their helpers).
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
    """A declaration the SOAP contract cannot express."""


# ------------------------------------------------------------------ core -> XML (submit)
SEX: Mapping[Gender, int] = {Gender.MALE: 1, Gender.FEMALE: 2}
"""Glossary zone 00029, as the XSD's ``SexType``: 1 man, 2 woman."""


def _present(values: Mapping[str, Any]) -> dict[str, Any]:
    """The elements that have a value (no empty element is ever sent)."""
    return {k: v for k, v in values.items() if v not in (None, "", {})}


def _hhmm(value: time | None) -> str | None:
    return None if value is None else value.strftime("%H%M")


def _address_xml(address: Address | None) -> dict[str, Any]:
    if address is None:
        return {}
    return _present(
        {
            "Street": address.street,
            "HouseNbr": address.house_number,
            "PostBox": address.box_number,
            "ZIPCode": address.post_code,
            "City": address.municipality,
            "CityCode": address.municipality_code,
            "Country": address.country,
        }
    )


def _employer_xml(employer: Employer) -> dict[str, Any]:
    noss = employer.noss_registration_number
    return _present(
        {
            "NOSSRegistrationNbr": None if noss is None else int(noss),
            "CompanyID": employer.enterprise_number,
        }
    )


def _natural_person_xml(worker: Worker) -> dict[str, Any]:
    person = {
        "INSS": worker.ssin,
        "WorkerName": worker.family_name,
        "WorkerFirstName": worker.given_name,
        "WorkerBirthdate": None if worker.birth_date is None else worker.birth_date.isoformat(),
        "WorkerBirthplace": worker.place_of_birth,
        "WorkerBirthplaceCountry": worker.country_of_birth,
        "WorkerSex": None if worker.gender is None else SEX[worker.gender],
        "Nationality": worker.nationality,
    }
    # The worker's address is flattened into NaturalPerson: WorkerStreet ... WorkerCountry.
    person.update({f"Worker{tag}": v for tag, v in _address_xml(worker.address).items()})
    return _present(person)


def _using_employer_xml(user: DeclaredUsingEmployer | None) -> dict[str, Any]:
    if user is None:
        return {}
    return _present(
        {
            "JointCommissionNbr": user.joint_committee,
            "UsingEmployerName": user.name,
            "UsingEmployerCompanyID": user.enterprise_number,
            "Address": _address_xml(user.address),
        }
    )


def _in_xml(d: InDeclaration) -> dict[str, Any]:
    if d.construction_cards is not None or d.small_statutes is not None:
        # Not in our XSD (nor in the sandbox's REST schema): refuse rather than drop them.
        raise WireError("the SOAP contract has no place for construction cards or small statutes")
    place = d.student_place_of_work
    block = _present(
        {
            "StartingDate": d.start_date,
            "StartingHour": _hhmm(d.start_time),
            "EndingDate": d.end_date,
            "EndingHour": _hhmm(d.end_time),
            "PlannedHoursNbr": d.planned_hours,
            "StudentPlaceOfWork": None
            if place is None
            else {"Denomination": place.name, "Address": _address_xml(place.address)},
        }
    )
    # The required blocks go even when empty: the service says what is missing in them.
    block["EmployerId"] = _employer_xml(d.employer)
    block["NaturalPerson"] = _natural_person_xml(d.worker)
    block["DimonaFeatures"] = _present(
        {
            "JointCommissionNbr": d.joint_committee,
            "WorkerType": d.worker_type,
            "UsingEmployer": _using_employer_xml(d.using_employer),
        }
    )
    return block


def declaration_to_xml(declaration: Declaration) -> dict[str, Any]:
    """zeep keyword arguments of ``submitDeclaration``: ``{"DimonaIn": {...}}`` and so on.

    A follow-up without its period id raises the core's ``UnresolvedPeriod``; what the
    contract cannot express raises ``WireError``. Either way nothing is sent.
    """
    if isinstance(declaration, InDeclaration):
        return {"DimonaIn": _in_xml(declaration)}
    period_id = period_id_of(declaration)
    if isinstance(declaration, OutDeclaration):
        return {"DimonaOut": {"DimonaPeriodId": period_id, "EndingDate": declaration.end_date}}
    if isinstance(declaration, UpdateDeclaration):
        block = {
            "DimonaPeriodId": period_id,
            "StartingDate": declaration.start_date,
            "StartingHour": _hhmm(declaration.start_time),
            "EndingDate": declaration.end_date,
            "EndingHour": _hhmm(declaration.end_time),
            "PlannedHoursNbr": declaration.planned_hours,
        }
        return {"DimonaUpdate": _present(block)}
    return {"DimonaCancel": {"DimonaPeriodId": period_id}}


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
