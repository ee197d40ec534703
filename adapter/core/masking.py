"""Masking personal data: SSINs (national register and BIS numbers) and names.

One convention for every text that leaves the adapter for people or other systems: the log
processor (``adapter.logging``), the reasons and violation messages of dead letters and
``REJECTED`` status events. An SSIN keeps its birth-date part (useful to support) and loses
its sequence and check digits; a name, or any other value of a personal field, is replaced
by ``***``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

SSIN_PATTERN = re.compile(
    r"(?<!\d)(\d{2})[.\- ]?(\d{2})[.\- ]?(\d{2})[.\- ]?(\d{3})[.\- ]?(\d{2})(?!\d)"
)
NAME_FIELDS = frozenset(
    {
        "familyName",
        "givenName",
        "family_name",
        "given_name",
        "name",
        "placeOfBirth",
        "place_of_birth",
        "first_name",
        "last_name",
        "firstName",
        "lastName",
        "WorkerName",
        "WorkerFirstName",
        "WorkerBirthplace",
        "UsingEmployerName",
    }
)
"""Fields whose values are dropped wherever they appear in a structure."""
SSIN_FIELDS = frozenset({"ssin", "workerSsin", "worker_ssin"})
"""Fields that hold an SSIN, well-formed or not."""
PERSONAL_FIELDS = NAME_FIELDS | SSIN_FIELDS
MASK = "***"

_INDEX = re.compile(r"\[\d+\]$")
_BARE_MINIMUM = 3


def mask_ssin(text: str) -> str:
    """Keep the birth date part (useful to support), hide sequence and check digits."""
    return SSIN_PATTERN.sub(lambda m: f"{m[1]}{m[2]}{m[3]}-***-**", text)


def mask_structure(value: Any) -> Any:
    """SSINs masked in every string, values of name fields dropped, at any depth."""
    if isinstance(value, str):
        return mask_ssin(value)
    if isinstance(value, Mapping):
        return {k: MASK if k in NAME_FIELDS else mask_structure(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_structure(v) for v in value]
    return value


def is_personal_field(path: str) -> bool:
    """``worker.ssin``, ``worker.familyName``, ``contract.usingEmployer.name``, ``names[2]``…"""
    leaf = _INDEX.sub("", path.rsplit(".", 1)[-1])
    return leaf in PERSONAL_FIELDS


def mask_value(value: str) -> str:
    """How a personal value is shown: an SSIN by its birth date part, anything else ``***``."""
    if SSIN_PATTERN.fullmatch(value.strip()):
        return mask_ssin(value.strip())
    return MASK


def conceal(text: str, value: object) -> str:
    """``text`` without ``value`` (a personal field's value), and with every SSIN masked.

    For messages built by code that may echo what it was given (pydantic's validators do).
    """
    if isinstance(value, str | int) and not isinstance(value, bool):
        raw = str(value)
        if raw.strip():
            masked = mask_value(raw)
            text = text.replace(repr(raw), repr(masked))
            if len(raw) >= _BARE_MINIMUM:  # a shorter one would hit ordinary words
                text = text.replace(raw, masked)
    return mask_ssin(text)
