"""Core declarations to the exact Dimona REST v2 JSON bodies (reference §4 and §9).

Empty fields are omitted: ONSS answers 400 to nulls and empty strings (reference §8.4).
Hours are ``HHMM`` in Belgian local time; the event already gives local times.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Any

from adapter.core.declarations import (
    CancelDeclaration,
    Declaration,
    DeclaredUsingEmployer,
    InDeclaration,
    OutDeclaration,
    UpdateDeclaration,
)
from adapter.core.errors import PermanentError
from adapter.core.events import Address, Employer, Gender, Worker

DEFAULT_GENDER_CODES: Mapping[Gender, int] = {Gender.MALE: 1, Gender.FEMALE: 2}
"""Glossary zone 00029: 1 = male, 2 = female (Odoo sends 0/1; see docs/decisions.md)."""


class UnresolvedPeriod(PermanentError, ValueError):  # noqa: N818
    """A follow-up declaration whose period id is not known yet cannot be sent.

    Also a ``ValueError``: the driver catches ``ValueError`` from its ``render_body`` to tell
    "render later" (at plan time) and "this declaration fails" (at submit time).
    """


def hhmm(value: time | None) -> str | None:
    return value.strftime("%H%M") if value is not None else None


def iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def prune(value: Any) -> Any:
    """Drop None, empty strings, empty objects and empty lists, recursively."""
    if isinstance(value, dict):
        pruned = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, "", {}, [])}
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value


def address_body(address: Address | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {
        "street": address.street,
        "houseNumber": address.house_number,
        "boxNumber": address.box_number,
        "postCode": address.post_code,
        "municipality": {"code": address.municipality_code, "name": address.municipality},
        "country": address.country,
    }


def employer_body(employer: Employer) -> dict[str, Any]:
    noss = employer.noss_registration_number
    return {
        "employerId": int(noss) if noss is not None else None,
        "enterpriseNumber": employer.enterprise_number,
    }


def worker_body(worker: Worker, gender_codes: Mapping[Gender, int]) -> dict[str, Any]:
    return {
        "ssin": worker.ssin,
        "familyName": worker.family_name,
        "givenName": worker.given_name,
        "birthDate": iso(worker.birth_date),
        "placeOfBirth": worker.place_of_birth,
        "countryOfBirth": worker.country_of_birth,
        "nationality": worker.nationality,
        "gender": gender_codes[worker.gender] if worker.gender is not None else None,
        "address": address_body(worker.address),
    }


def _using_employer(user: DeclaredUsingEmployer | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {
        "jointCommissionNumber": user.joint_committee,
        "enterpriseNumber": user.enterprise_number,
        "name": user.name,
        "address": address_body(user.address),
    }


def _in_body(d: InDeclaration, gender_codes: Mapping[Gender, int]) -> dict[str, Any]:
    place = d.student_place_of_work
    cards = d.construction_cards
    statutes = d.small_statutes
    return {
        "employer": employer_body(d.employer),
        "worker": worker_body(d.worker, gender_codes),
        "dimonaIn": {
            "startDate": iso(d.start_date),
            "startHour": hhmm(d.start_time),
            "endDate": iso(d.end_date),
            "endHour": hhmm(d.end_time),
            "plannedHoursNumber": d.planned_hours,
            "features": {
                "jointCommissionNumber": d.joint_committee,
                "workerType": d.worker_type,
                "usingEmployer": _using_employer(d.using_employer),
            },
            "studentPlaceOfWork": (
                {"name": place.name, "address": address_body(place.address)} if place else None
            ),
            "constructionControlCards": (
                {
                    "firstMonthC32ANumber": cards.first_month,
                    "nextMonthC32ANumber": cards.next_month,
                }
                if cards
                else None
            ),
            "smallStatutesInformation": (
                {
                    "employmentNature": statutes.employment_nature.value,
                    "activityWithRisk": statutes.activity_with_risk,
                    "workerStatus": statutes.worker_status.value,
                }
                if statutes
                else None
            ),
        },
    }


def _period_id(declaration: OutDeclaration | UpdateDeclaration | CancelDeclaration) -> int:
    if declaration.period_id is None:
        raise UnresolvedPeriod(
            f"the {declaration.kind} of the period starting {declaration.period_start} "
            "has no period id yet"
        )
    return declaration.period_id


def declaration_to_body(
    declaration: Declaration, *, gender_codes: Mapping[Gender, int] = DEFAULT_GENDER_CODES
) -> dict[str, Any]:
    """The JSON body of ``POST /declarations`` for one declaration."""
    body: dict[str, Any]
    if isinstance(declaration, InDeclaration):
        body = _in_body(declaration, gender_codes)
    elif isinstance(declaration, OutDeclaration):
        body = {
            "dimonaOut": {
                "periodId": _period_id(declaration),
                "endDate": iso(declaration.end_date),
            }
        }
    elif isinstance(declaration, UpdateDeclaration):
        body = {
            "dimonaUpdate": {
                "periodId": _period_id(declaration),
                "startDate": iso(declaration.start_date),
                "startHour": hhmm(declaration.start_time),
                "endDate": iso(declaration.end_date),
                "endHour": hhmm(declaration.end_time),
                "plannedHoursNumber": declaration.planned_hours,
            }
        }
    else:
        body = {"dimonaCancel": {"periodId": _period_id(declaration)}}
    result: dict[str, Any] = prune(body)
    return result
