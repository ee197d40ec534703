"""Rules on who is declared: the employer's numbers and the worker's identity."""

from __future__ import annotations

from datetime import date

from adapter.core.errors import Violation
from adapter.core.events import Address, Employer, Worker
from adapter.core.identifiers import (
    InvalidIdentifier,
    parse_enterprise_number,
    parse_noss_number,
    parse_ssin,
)
from adapter.core.rules.catalogue import RuleCode

BELGIUM = 150

_WORKER_LENGTHS = {
    "family_name": ("familyName", 48),
    "given_name": ("givenName", 24),
    "place_of_birth": ("placeOfBirth", 40),
}
_ADDRESS_LENGTHS = {
    "street": ("street", 35),
    "house_number": ("houseNumber", 10),
    "box_number": ("boxNumber", 4),
    "post_code": ("postCode", 9),
    "municipality": ("municipality", 40),
}
_IDENTIFICATION = (
    ("family_name", "familyName"),
    ("given_name", "givenName"),
    ("birth_date", "birthDate"),
    ("place_of_birth", "placeOfBirth"),
    ("country_of_birth", "countryOfBirth"),
    ("nationality", "nationality"),
    ("gender", "gender"),
    ("address", "address"),
)


def check_employer(employer: Employer) -> list[Violation]:
    out: list[Violation] = []
    if employer.noss_registration_number is not None:
        try:
            parse_noss_number(employer.noss_registration_number)
        except InvalidIdentifier as exc:
            out.append(
                Violation(
                    RuleCode.EMPLOYER_NOSS_INVALID, "employer.nossRegistrationNumber", exc.message
                )
            )
    if employer.enterprise_number is not None:
        try:
            parse_enterprise_number(employer.enterprise_number)
        except InvalidIdentifier as exc:
            out.append(
                Violation(
                    RuleCode.EMPLOYER_ENTERPRISE_NUMBER_INVALID,
                    "employer.enterpriseNumber",
                    exc.message,
                )
            )
    return out


def check_worker(
    worker: Worker, *, today: date, declared: bool, worker_type: str | None
) -> list[Violation]:
    """``declared``: the worker appears in an IN (identification needed without an SSIN)."""
    out: list[Violation] = []
    if worker.ssin is not None:
        try:
            parse_ssin(worker.ssin)
        except InvalidIdentifier as exc:
            out.append(Violation(RuleCode.WORKER_SSIN_INVALID, "worker.ssin", exc.message))
    elif declared:
        if worker_type == "EXT":
            out.append(
                Violation(
                    RuleCode.WORKER_SSIN_REQUIRED,
                    "worker.ssin",
                    "an occasional worker (EXT) can only be declared with an SSIN",
                )
            )
        for attr, name in _IDENTIFICATION:
            if getattr(worker, attr) in (None, ""):
                out.append(
                    Violation(
                        RuleCode.WORKER_IDENTIFICATION_MISSING,
                        f"worker.{name}",
                        f"without an SSIN the worker's {name} is required",
                    )
                )
    if declared:
        out += _lengths(worker, _WORKER_LENGTHS, "worker")
        if worker.birth_date is not None and not (
            today.year - 120 <= worker.birth_date.year <= today.year
        ):
            out.append(
                Violation(
                    RuleCode.WORKER_BIRTH_DATE_OUT_OF_RANGE,
                    "worker.birthDate",
                    "the birth date must fall within the last 120 years",
                )
            )
        if worker.address is not None and worker.ssin is None:
            out += check_address(worker.address, "worker.address")
    return out


def check_address(address: Address, path: str, *, street_max: int = 35) -> list[Violation]:
    lengths = dict(_ADDRESS_LENGTHS)
    lengths["street"] = ("street", street_max)
    out = _lengths(address, lengths, path)
    if address.country == BELGIUM and not (
        address.post_code.isdigit() and len(address.post_code) == 4
    ):
        out.append(
            Violation(
                RuleCode.POST_CODE_INVALID,
                f"{path}.postCode",
                "a Belgian post code has four digits",
            )
        )
    return out


def _lengths(model: object, limits: dict[str, tuple[str, int]], path: str) -> list[Violation]:
    out: list[Violation] = []
    for attr, (name, limit) in limits.items():
        value = getattr(model, attr)
        if isinstance(value, str) and len(value) > limit:
            out.append(
                Violation(
                    RuleCode.TEXT_TOO_LONG,
                    f"{path}.{name}",
                    f"{name} is longer than the {limit} characters Dimona accepts",
                )
            )
    return out
