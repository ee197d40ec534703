"""REST v2 JSON ↔ the XML of our SOAP contract, on the client side.

``submit`` takes the same JSON body as the REST client; ``declaration_to_xml`` turns it into
the keyword arguments zeep serialises (element names of the XSD). Consultation answers, parsed
by zeep, come back through ``item_from_xml`` as REST v2 declaration items, so reconciliation
reads SOAP and REST answers alike, and through ``consulted`` into the core result model.
Written independently of the sandbox's mapping: a shared bug would hide itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from adapter.core.declarations import DeclarationKind
from adapter.core.results import Anomaly, AnomalySeverity, DeclarationAnswer, DimonaResult

_BLOCKS = {
    "DimonaIn": ("dimonaIn", DeclarationKind.IN),
    "DimonaOut": ("dimonaOut", DeclarationKind.OUT),
    "DimonaUpdate": ("dimonaUpdate", DeclarationKind.UPDATE),
    "DimonaCancel": ("dimonaCancel", DeclarationKind.CANCEL),
}
_JSON_BLOCKS = {json: xml for xml, (json, _) in _BLOCKS.items()}
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


class WireError(ValueError):
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
    for tag, (name, _kind) in _BLOCKS.items():
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


# ------------------------------------------------------------------ the core result model
class ConsultCriteria(BaseModel):
    """The seven consultation criteria of the public description (plus the period id).

    Every given criterion must match; at least one is required.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    declaration_id: int | None = Field(default=None, ge=1, le=999_999_999_999)
    worker_ssin: str | None = Field(default=None, pattern=r"^\d{11}$", repr=False)
    employer_noss: int | None = Field(default=None, ge=1, le=9_999_999_999)
    employer_enterprise_number: str | None = Field(default=None, pattern=r"^\d{9,10}$")
    received_from: AwareDatetime | None = None
    received_to: AwareDatetime | None = None
    joint_committee: str | None = Field(default=None, pattern=r"^(XXX|\d{3}(\.\d{2}){0,2})$")
    worker_type: str | None = Field(default=None, pattern=r"^[A-Z0-9]{3}$")
    user_enterprise_number: str | None = Field(default=None, pattern=r"^\d{9,10}$")
    period_id: int | None = Field(default=None, ge=100_000_000_000, le=999_999_999_999)

    @model_validator(mode="after")
    def _at_least_one(self) -> ConsultCriteria:
        if not any(v is not None for v in self.model_dump().values()):
            raise ValueError("give at least one consultation criterion")
        return self

    @classmethod
    def from_search_filter(cls, criteria: Mapping[str, Any]) -> ConsultCriteria:
        """From the REST-style filter the pipeline's reconciliation builds."""
        employer = criteria.get("employer") or {}
        worker = criteria.get("worker") or {}
        values = {
            "declaration_id": criteria.get("declarationId"),
            "period_id": criteria.get("periodId"),
            "worker_ssin": worker.get("ssin"),
            "employer_noss": employer.get("employerId"),
            "employer_enterprise_number": employer.get("enterpriseNumber"),
            "received_from": criteria.get("receivedFrom"),
            "received_to": criteria.get("receivedTo"),
            "joint_committee": criteria.get("jointCommissionNumber"),
            "worker_type": criteria.get("workerType"),
            "user_enterprise_number": criteria.get("userEnterpriseNumber"),
        }
        return cls.model_validate({k: v for k, v in values.items() if v is not None})

    def to_xml(self) -> dict[str, Any]:
        """zeep keyword arguments of ``consultDeclarations``."""
        out: dict[str, Any] = {}
        plain = {
            "DeclarationId": self.declaration_id,
            "DimonaPeriodId": self.period_id,
            "INSS": self.worker_ssin,
            "JointCommissionNbr": self.joint_committee,
            "WorkerType": self.worker_type,
            "UsingEmployerCompanyID": self.user_enterprise_number,
        }
        out.update({k: v for k, v in plain.items() if v is not None})
        employer = {
            "NOSSRegistrationNbr": self.employer_noss,
            "CompanyID": self.employer_enterprise_number,
        }
        if any(v is not None for v in employer.values()):
            out["EmployerId"] = {k: v for k, v in employer.items() if v is not None}
        reception = {"ReceptionFrom": self.received_from, "ReceptionTo": self.received_to}
        if any(v is not None for v in reception.values()):
            out["ReceptionPeriod"] = {k: v for k, v in reception.items() if v is not None}
        return out


class ConsultedDeclaration(BaseModel):
    """One declaration as the consultation returns it: the core answer plus what it declared."""

    model_config = ConfigDict(frozen=True)

    answer: DeclarationAnswer
    kind: DeclarationKind
    received_at: datetime | None = None
    start_date: date | None = None
    end_date: date | None = None
    joint_committee: str | None = None
    worker_type: str | None = None
    item: dict[str, Any] = Field(default_factory=dict, repr=False)
    """The REST v2-shaped item (it may hold personal data: never log it)."""


def _severity(value: object) -> AnomalySeverity | None:
    if value == "B":
        return AnomalySeverity.BLOCKING
    return AnomalySeverity.NON_BLOCKING if isinstance(value, str) and value else None


def consulted(declaration: Mapping[str, Any]) -> ConsultedDeclaration:
    """The core view of one ``Declaration`` of a consultation answer."""
    status = declaration["DeclarationStatus"]
    anomalies = tuple(
        Anomaly(
            code=a["ErrorID"],
            severity=_severity(a.get("AnomalyClass")),
            label_fr=a.get("AnomalyLabelFr"),
            label_nl=a.get("AnomalyLabelNl"),
        )
        for a in status.get("Anomaly") or []
    )
    answer = DeclarationAnswer(
        declaration_id=int(status["DeclarationId"]),
        result=DimonaResult(status["Result"]),
        period_id=status.get("DimonaPeriodId"),
        anomalies=anomalies,
    )
    item = item_from_xml(declaration)
    kind, block = next((k, item[n]) for t, (n, k) in _BLOCKS.items() if n in item)
    features = block.get("features") or {}
    return ConsultedDeclaration(
        answer=answer,
        kind=kind,
        received_at=status.get("ReceptionDateTime"),
        start_date=block.get("startDate"),
        end_date=block.get("endDate"),
        joint_committee=features.get("jointCommissionNumber"),
        worker_type=features.get("workerType"),
        item=item,
    )
