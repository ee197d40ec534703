"""Reconciliation over SOAP: did ONSS record a declaration whose submission had an unknown outcome?

We consult the declarations of the same employer and worker (or of the same period, for a
follow-up) and look for one whose action block (``DimonaIn``, ``DimonaOut``...) as zeep parsed it
contains the block we would submit, and whose id we do not already know. The comparison is on
the SOAP model: the values of the XSD's types that ``wire.declaration_to_xml`` produces and zeep
returns (``date``, ``int``, ``HHMM`` strings).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from adapter.core.declarations import Declaration, InDeclaration, period_id_of
from adapter.edges.dimona_soap.models import ConsultCriteria

IDENTITY = frozenset({"EmployerId", "NaturalPerson", "INSS"})
"""Who declares for whom: the consultation criteria select on it already, and ONSS fills in the
worker and employer of a follow-up from its period (or identifies a worker declared without
INSS), so the echoed identity may differ from what we sent."""


def consult_criteria(declaration: Declaration) -> ConsultCriteria:
    """The employer and worker of an IN, the period of a follow-up."""
    if isinstance(declaration, InDeclaration):
        employer = declaration.employer
        noss = employer.noss_registration_number
        return ConsultCriteria(
            employer_noss=None if noss is None else int(noss),
            employer_enterprise_number=employer.enterprise_number,
            worker_ssin=declaration.worker.ssin,
        )
    return ConsultCriteria(period_id=period_id_of(declaration))


def _contains(candidate: Any, wanted: Any) -> bool:
    if isinstance(wanted, Mapping):
        return isinstance(candidate, Mapping) and all(
            _contains(candidate.get(key), value) for key, value in wanted.items()
        )
    return bool(candidate == wanted)


WORKER_IDENTITY = ("WorkerName", "WorkerFirstName", "WorkerBirthdate")
"""What names a worker declared without an INSS (the consultation cannot select on it)."""


def _same_worker(consulted_block: Any, block: Mapping[str, Any]) -> bool:
    """For an IN without INSS (consulted by employer only), the consulted declaration must be
    of the same person: same name, first name and birth date (as the REST edge does; see
    ``dimona_rest/reconcile.py`` for what the chaos suite saw without this)."""
    person = block.get("NaturalPerson")
    if not isinstance(person, Mapping) or person.get("INSS"):
        return True
    found = consulted_block.get("NaturalPerson") if isinstance(consulted_block, Mapping) else None
    if not isinstance(found, Mapping):
        return False
    named = [key for key in WORKER_IDENTITY if person.get(key) is not None]
    return bool(named) and all(str(found.get(key)) == str(person[key]) for key in named)


def matches(consulted: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """``consulted`` (one ``Declaration`` of the answer) records the action ``wanted`` sends,
    for the same worker."""
    [(tag, block)] = wanted.items()
    action = {name: value for name, value in block.items() if name not in IDENTITY}
    found = consulted.get(tag)
    return _contains(found, action) and _same_worker(found, block)


def recorded_id(
    consulted: Iterable[Mapping[str, Any]], wanted: Mapping[str, Any], exclude: frozenset[int]
) -> int | None:
    """The id of the first consulted declaration that records ``wanted``, skipping ``exclude``."""
    for declaration in consulted:
        declaration_id = int(declaration["DeclarationStatus"]["DeclarationId"])
        if declaration_id not in exclude and matches(declaration, wanted):
            return declaration_id
    return None
