"""The rules on the worker and the employer, and on the last day of a LEAVE."""

from __future__ import annotations

from typing import Any

import pytest

from adapter.core.rules import RuleCode
from tests.unit.core.core_factories import (
    ADDRESS,
    IDENTIFIED_WORKER,
    hire,
    leave,
    with_employer,
    with_worker,
)
from tests.unit.core.rules_cases import EXT, codes

WORKER_CASES: list[tuple[dict[str, Any], dict[str, Any], str | None, str | None]] = [
    ({"ssin": "90051512392"}, {}, RuleCode.WORKER_SSIN_INVALID, "worker.ssin"),
    (IDENTIFIED_WORKER, {}, None, None),
    (IDENTIFIED_WORKER, EXT, RuleCode.WORKER_SSIN_REQUIRED, "worker.ssin"),
    (
        {k: v for k, v in IDENTIFIED_WORKER.items() if k != "placeOfBirth"},
        {},
        RuleCode.WORKER_IDENTIFICATION_MISSING,
        "worker.placeOfBirth",
    ),
    (
        {k: v for k, v in IDENTIFIED_WORKER.items() if k != "gender"},
        {},
        RuleCode.WORKER_IDENTIFICATION_MISSING,
        "worker.gender",
    ),
    (
        {k: v for k, v in IDENTIFIED_WORKER.items() if k != "address"},
        {},
        RuleCode.WORKER_IDENTIFICATION_MISSING,
        "worker.address",
    ),
    (
        IDENTIFIED_WORKER | {"birthDate": "1900-01-01"},
        {},
        RuleCode.WORKER_BIRTH_DATE_OUT_OF_RANGE,
        "worker.birthDate",
    ),
    (IDENTIFIED_WORKER | {"familyName": "X" * 49}, {}, RuleCode.TEXT_TOO_LONG, "worker.familyName"),
    (IDENTIFIED_WORKER | {"givenName": "X" * 25}, {}, RuleCode.TEXT_TOO_LONG, "worker.givenName"),
    (
        IDENTIFIED_WORKER | {"address": ADDRESS | {"street": "S" * 36}},
        {},
        RuleCode.TEXT_TOO_LONG,
        "worker.address.street",
    ),
    (
        IDENTIFIED_WORKER | {"address": ADDRESS | {"postCode": "B-1000"}},
        {},
        RuleCode.POST_CODE_INVALID,
        "worker.address.postCode",
    ),
    (
        IDENTIFIED_WORKER | {"address": ADDRESS | {"postCode": "75001", "country": 111}},
        {},
        None,
        None,
    ),
]


@pytest.mark.parametrize(("worker", "contract", "code", "field"), WORKER_CASES)
def test_worker_rules(
    worker: dict[str, Any], contract: dict[str, Any], code: str | None, field: str | None
) -> None:
    found = codes(with_worker(hire(**contract), worker))
    if code is None:
        assert found == set()
    else:
        assert (code, field) in found


def test_identification_is_not_needed_to_leave() -> None:
    event = with_worker(leave("2026-03-31"), {"familyName": "X"})
    assert codes(event) == set()


@pytest.mark.parametrize(
    ("employer", "code", "field"),
    [
        ({"nossRegistrationNumber": "123456749"}, None, None),
        ({"nossRegistrationNumber": "5123456773"}, None, None),
        (
            {"nossRegistrationNumber": "123456748"},
            RuleCode.EMPLOYER_NOSS_INVALID,
            "employer.nossRegistrationNumber",
        ),
        (
            {"nossRegistrationNumber": "099999"},
            RuleCode.EMPLOYER_NOSS_INVALID,
            "employer.nossRegistrationNumber",
        ),
        (
            {"enterpriseNumber": "0412345615"},
            RuleCode.EMPLOYER_ENTERPRISE_NUMBER_INVALID,
            "employer.enterpriseNumber",
        ),
    ],
)
def test_employer_rules(employer: dict[str, Any], code: str | None, field: str | None) -> None:
    found = codes(with_employer(hire(), employer))
    assert found == (set() if code is None else {(code, field)})


def test_leave_day_range() -> None:
    assert (RuleCode.END_DATE_OUT_OF_RANGE, "leave.lastDay") in codes(leave("1990-01-01"))
