"""XML of the SOAP contract ↔ the REST v2 JSON shape the :class:`SandboxService` keeps.

Table-driven: each entry is (XML tag, JSON path, kind). A path starting with ``/`` is taken
from the root of the declaration (``employer``, ``worker``), any other path from the block
being mapped. Kinds: ``str``, ``int`` or a nested table. The tables follow the XSD's element
order, so JSON → XML writes a valid sequence.
"""

from __future__ import annotations

from typing import Any, Union

from lxml import etree

from adapter.sandbox.soap.contract import NS

Table = list[tuple[str, str, Union[str, "Table"]]]

ADDRESS: Table = [
    ("Street", "street", "str"),
    ("HouseNbr", "houseNumber", "str"),
    ("PostBox", "boxNumber", "str"),
    ("ZIPCode", "postCode", "str"),
    ("City", "municipality.name", "str"),
    ("CityCode", "municipality.code", "int"),
    ("Country", "country", "int"),
]
EMPLOYER: Table = [
    ("NOSSRegistrationNbr", "employerId", "int"),
    ("CompanyID", "enterpriseNumber", "str"),
]
NATURAL_PERSON: Table = [
    ("INSS", "ssin", "str"),
    ("WorkerName", "familyName", "str"),
    ("WorkerFirstName", "givenName", "str"),
    ("WorkerBirthdate", "birthDate", "str"),
    ("WorkerBirthplace", "placeOfBirth", "str"),
    ("WorkerBirthplaceCountry", "countryOfBirth", "int"),
    ("WorkerSex", "gender", "int"),
    ("WorkerStreet", "address.street", "str"),
    ("WorkerHouseNbr", "address.houseNumber", "str"),
    ("WorkerPostBox", "address.boxNumber", "str"),
    ("WorkerZIPCode", "address.postCode", "str"),
    ("WorkerCity", "address.municipality.name", "str"),
    ("WorkerCityCode", "address.municipality.code", "int"),
    ("WorkerCountry", "address.country", "int"),
    ("Nationality", "nationality", "int"),
]
USING_EMPLOYER: Table = [
    ("JointCommissionNbr", "jointCommissionNumber", "str"),
    ("UsingEmployerName", "name", "str"),
    ("UsingEmployerCompanyID", "enterpriseNumber", "str"),
    ("Address", "address", ADDRESS),
]
FEATURES: Table = [
    ("JointCommissionNbr", "jointCommissionNumber", "str"),
    ("WorkerType", "workerType", "str"),
    ("UsingEmployer", "usingEmployer", USING_EMPLOYER),
]
DIMONA_IN: Table = [
    ("StartingDate", "startDate", "str"),
    ("StartingHour", "startHour", "str"),
    ("EndingDate", "endDate", "str"),
    ("EndingHour", "endHour", "str"),
    ("PlannedHoursNbr", "plannedHoursNumber", "int"),
    ("EmployerId", "/employer", EMPLOYER),
    ("NaturalPerson", "/worker", NATURAL_PERSON),
    ("DimonaFeatures", "features", FEATURES),
    ("StudentPlaceOfWork", "studentPlaceOfWork", [
        ("Denomination", "name", "str"),
        ("Address", "address", ADDRESS),
    ]),
]  # fmt: skip
DIMONA_OUT: Table = [
    ("DimonaPeriodId", "periodId", "int"),
    ("EndingDate", "endDate", "str"),
    ("INSS", "/worker.ssin", "str"),
    ("EmployerId", "/employer", EMPLOYER),
]
DIMONA_UPDATE: Table = [
    ("DimonaPeriodId", "periodId", "int"),
    ("StartingDate", "startDate", "str"),
    ("StartingHour", "startHour", "str"),
    ("EndingDate", "endDate", "str"),
    ("EndingHour", "endHour", "str"),
    ("INSS", "/worker.ssin", "str"),
    ("PlannedHoursNbr", "plannedHoursNumber", "int"),
    ("EmployerId", "/employer", EMPLOYER),
]
DIMONA_CANCEL: Table = [
    ("DimonaPeriodId", "periodId", "int"),
    ("INSS", "/worker.ssin", "str"),
    ("EmployerId", "/employer", EMPLOYER),
]
ACTIONS: dict[str, tuple[str, Table]] = {
    "DimonaIn": ("dimonaIn", DIMONA_IN),
    "DimonaOut": ("dimonaOut", DIMONA_OUT),
    "DimonaUpdate": ("dimonaUpdate", DIMONA_UPDATE),
    "DimonaCancel": ("dimonaCancel", DIMONA_CANCEL),
}


def q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _put(target: dict[str, Any], path: str, value: object) -> None:
    *parents, last = path.split(".")
    for name in parents:
        target = target.setdefault(name, {})
    target[last] = value


def _get(source: dict[str, Any], path: str) -> object:
    value: object = source
    for name in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


def _split(path: str, block: dict[str, Any], root: dict[str, Any]) -> tuple[dict[str, Any], str]:
    return (root, path[1:]) if path.startswith("/") else (block, path)


# ------------------------------------------------------------------------ XML → JSON
def read_table(
    element: etree._Element, table: Table, block: dict[str, Any], root: dict[str, Any]
) -> None:
    """Fill ``block`` (and ``root`` for ``/`` paths) from a schema-valid element."""
    for tag, path, kind in table:
        child = element.find(q(tag))
        if child is None:
            continue
        target, where = _split(path, block, root)
        if isinstance(kind, list):
            nested: dict[str, Any] = {}
            existing = _get(target, where)
            if isinstance(existing, dict):
                nested = existing
            else:
                _put(target, where, nested)
            read_table(child, kind, nested, root)
        else:
            text = (child.text or "").strip()
            _put(target, where, int(text) if kind == "int" else text)


def declaration_from_xml(request: etree._Element) -> dict[str, Any]:
    """The REST v2 body of a schema-valid ``SubmitDeclarationRequest``."""
    body: dict[str, Any] = {}
    for tag, (block_name, table) in ACTIONS.items():
        element = request.find(q(tag))
        if element is not None:
            block: dict[str, Any] = {}
            body[block_name] = block
            read_table(element, table, block, body)
    return body


# ------------------------------------------------------------------------ JSON → XML
def write_table(
    parent: etree._Element, table: Table, block: dict[str, Any], root: dict[str, Any]
) -> None:
    for tag, path, kind in table:
        source, where = _split(path, block, root)
        value = _get(source, where)
        if value is None:
            continue
        if isinstance(kind, list):
            if isinstance(value, dict) and value:
                write_table(etree.SubElement(parent, q(tag)), kind, value, root)
        else:
            etree.SubElement(parent, q(tag)).text = str(value)


def declaration_to_xml(parent: etree._Element, view: dict[str, Any]) -> None:
    """Append the action block of a REST v2 declaration view (employer/worker inside it)."""
    for tag, (block_name, table) in ACTIONS.items():
        block = view.get(block_name)
        if isinstance(block, dict):
            write_table(etree.SubElement(parent, q(tag)), table, block, view)
            return
