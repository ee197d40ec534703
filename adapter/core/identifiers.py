"""Belgian identifiers used by Dimona: parse, validate, normalise and format.

- SSIN (INSZ/NISS): national register numbers and BIS numbers, with the post-2000 rule.
- Enterprise (CBE/KBO) numbers.
- NOSS (ONSS/RSZ) registration numbers, definitive and provisional.
- Dimona period and declaration ids (12 digits; the mod-97 check is inferred, reference §7.4).

Every ``parse_*`` function accepts the usual printed forms (dots, dashes, spaces, slashes)
and raises :class:`InvalidIdentifier` with a stable ``reason`` when the value is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from adapter.core.errors import InvalidInput

_SEPARATORS = re.compile(r"[\s./-]")
_DIGITS = re.compile(r"\d+")

NOSS_DEFINITIVE_MIN = 100006
NOSS_DEFINITIVE_MAX = 199999934
NOSS_PROVISIONAL_MIN = 5000000120
NOSS_PROVISIONAL_MAX = 5999999989
DIMONA_ID_LENGTH = 12


class InvalidIdentifier(InvalidInput, ValueError):  # noqa: N818 - reads as the domain's own word
    """A value that is not a valid identifier of the expected kind.

    Also a ``ValueError``: the event model's pydantic validators raise it, and pydantic turns
    only ``ValueError`` (and ``AssertionError``) into a validation error.
    """

    def __init__(self, kind: str, reason: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.reason = reason
        self.message = message


def normalise_digits(value: str | int) -> str:
    """Strip the usual separators; the result must be digits only (or ``InvalidIdentifier``)."""
    text = str(value).strip()
    text = _SEPARATORS.sub("", text)
    if not _DIGITS.fullmatch(text):
        # Never echo the value: it may be an SSIN, and the message reaches dead letters.
        raise InvalidIdentifier(
            "digits", "FORMAT", "must contain digits only (with . - / or spaces as separators)"
        )
    return text


def _mod97_complement(number: int) -> int:
    return 97 - (number % 97)


# --------------------------------------------------------------------------- SSIN


class SsinKind(StrEnum):
    NATIONAL = "NATIONAL"
    BIS = "BIS"


@dataclass(frozen=True, slots=True)
class Ssin:
    """A validated SSIN: 11 digits, with what its digits tell about the person."""

    digits: str
    kind: SsinKind
    born_after_2000: bool
    birth_date: date | None
    gender_known: bool
    male: bool | None

    def __str__(self) -> str:
        return self.digits

    def formatted(self) -> str:
        """The printed form ``YY.MM.DD-SSS.CC``."""
        d = self.digits
        return f"{d[0:2]}.{d[2:4]}.{d[4:6]}-{d[6:9]}.{d[9:11]}"


def ssin_check_digits(first_nine: str, *, born_after_2000: bool) -> str:
    """The two check digits of an SSIN whose first nine digits are given."""
    base = int(first_nine) + (2_000_000_000 if born_after_2000 else 0)
    return f"{_mod97_complement(base):02d}"


def parse_ssin(value: str | int) -> Ssin:
    digits = normalise_digits(value)
    if len(digits) != 11:
        raise InvalidIdentifier("ssin", "LENGTH", "an SSIN has 11 digits")
    first, check = digits[:9], digits[9:]
    if check == ssin_check_digits(first, born_after_2000=False):
        after_2000 = False
    elif check == ssin_check_digits(first, born_after_2000=True):
        after_2000 = True
    else:
        raise InvalidIdentifier("ssin", "CHECK_DIGITS", "the SSIN check digits are wrong")
    year, month, day = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    kind = SsinKind.NATIONAL
    gender_known = True
    if month >= 40:
        kind, month = SsinKind.BIS, month - 40
    elif month >= 20:
        kind, month, gender_known = SsinKind.BIS, month - 20, False
    if month > 12 or day > 31:
        raise InvalidIdentifier(
            "ssin", "DATE", "the SSIN does not start with a possible birth date"
        )
    birth: date | None = None
    if month and day:
        try:
            birth = date((2000 if after_2000 else 1900) + year, month, day)
        except ValueError:
            raise InvalidIdentifier(
                "ssin", "DATE", "the SSIN does not start with a possible birth date"
            ) from None
    sequence = int(digits[6:9])
    male = (sequence % 2 == 1) if gender_known else None
    return Ssin(digits, kind, after_2000, birth, gender_known, male)


def is_valid_ssin(value: str | int) -> bool:
    try:
        parse_ssin(value)
    except InvalidIdentifier:
        return False
    return True


def make_ssin(birth: date, sequence: int, *, bis: int = 0) -> str:
    """Build a check-digit-valid SSIN (``bis`` is 0, 20 or 40); used by tests and the sandbox."""
    if bis not in (0, 20, 40) or not 1 <= sequence <= 998:
        raise ValueError("bis must be 0, 20 or 40 and the sequence 1..998")
    first = f"{birth.year % 100:02d}{birth.month + bis:02d}{birth.day:02d}{sequence:03d}"
    return first + ssin_check_digits(first, born_after_2000=birth.year >= 2000)


# --------------------------------------------------------------------------- CBE


def enterprise_check_digits(first_eight: str) -> str:
    return f"{_mod97_complement(int(first_eight)):02d}"


def parse_enterprise_number(value: str | int) -> str:
    """Return the 10-digit enterprise number (a leading 0 is restored when 9 digits are given)."""
    digits = normalise_digits(value)
    if len(digits) == 9:
        digits = "0" + digits
    if len(digits) != 10:
        raise InvalidIdentifier("enterpriseNumber", "LENGTH", "an enterprise number has 10 digits")
    if digits[0] not in "01" or int(digits) == 0:
        raise InvalidIdentifier(
            "enterpriseNumber", "FORMAT", "an enterprise number starts with 0 or 1"
        )
    if digits[8:] != enterprise_check_digits(digits[:8]):
        raise InvalidIdentifier(
            "enterpriseNumber", "CHECK_DIGITS", "the enterprise number check digits are wrong"
        )
    return digits


def format_enterprise_number(value: str | int) -> str:
    """The printed form ``0412.345.614``."""
    d = parse_enterprise_number(value)
    return f"{d[0:4]}.{d[4:7]}.{d[7:10]}"


def is_valid_enterprise_number(value: str | int) -> bool:
    try:
        parse_enterprise_number(value)
    except InvalidIdentifier:
        return False
    return True


# --------------------------------------------------------------------------- NOSS


class NossKind(StrEnum):
    DEFINITIVE = "DEFINITIVE"
    PROVISIONAL = "PROVISIONAL"


@dataclass(frozen=True, slots=True)
class NossNumber:
    number: int
    kind: NossKind

    def __str__(self) -> str:
        return str(self.number)


def noss_check_digits(base: int) -> int:
    """Check digits of a NOSS number without its last two digits (reference §7.3)."""
    check = 96 - (base * 100) % 97
    return 97 if check == 0 else check


def parse_noss_number(value: str | int) -> NossNumber:
    digits = normalise_digits(value)
    number = int(digits)
    if NOSS_DEFINITIVE_MIN <= number <= NOSS_DEFINITIVE_MAX:
        kind = NossKind.DEFINITIVE
    elif NOSS_PROVISIONAL_MIN <= number <= NOSS_PROVISIONAL_MAX:
        kind = NossKind.PROVISIONAL
    else:
        raise InvalidIdentifier(
            "nossRegistrationNumber",
            "RANGE",
            "a NOSS registration number is 100006-199999934 (definitive) "
            "or 5000000120-5999999989 (provisional)",
        )
    if number % 100 != noss_check_digits(number // 100):
        raise InvalidIdentifier(
            "nossRegistrationNumber", "CHECK_DIGITS", "the NOSS number check digits are wrong"
        )
    return NossNumber(number, kind)


def make_noss_number(base: int) -> int:
    return base * 100 + noss_check_digits(base)


def is_valid_noss_number(value: str | int) -> bool:
    try:
        parse_noss_number(value)
    except InvalidIdentifier:
        return False
    return True


# --------------------------------------------------------------------------- Dimona ids


def dimona_id_check_digits(first_ten: int) -> int:
    """Inferred rule (reference §5.5): the first ten digits modulo 97."""
    return first_ten % 97


def make_dimona_id(first_ten: int) -> int:
    if not 0 < first_ten < 10**10:
        raise ValueError("a Dimona id has ten significant digits before its check digits")
    return first_ten * 100 + dimona_id_check_digits(first_ten)


def parse_dimona_id(value: str | int, *, verify_check_digits: bool = True) -> int:
    """A period or declaration id as an int; at most 12 digits, checked unless told not to."""
    digits = normalise_digits(value)
    if not 1 <= len(digits) <= DIMONA_ID_LENGTH or int(digits) == 0:
        raise InvalidIdentifier("dimonaId", "LENGTH", "a Dimona id has at most 12 digits")
    number = int(digits)
    if verify_check_digits and number % 100 != dimona_id_check_digits(number // 100):
        raise InvalidIdentifier("dimonaId", "CHECK_DIGITS", "the Dimona id check digits are wrong")
    return number


def format_dimona_id(value: int) -> str:
    """The 12-digit form with leading zeros."""
    return f"{value:0{DIMONA_ID_LENGTH}d}"
