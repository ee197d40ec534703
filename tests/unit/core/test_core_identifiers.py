from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from adapter.core.identifiers import (
    InvalidIdentifier,
    NossKind,
    SsinKind,
    format_dimona_id,
    format_enterprise_number,
    make_dimona_id,
    make_noss_number,
    make_ssin,
    parse_dimona_id,
    parse_enterprise_number,
    parse_noss_number,
    parse_ssin,
)


@pytest.mark.parametrize(
    ("value", "digits", "kind", "birth", "male"),
    [
        ("90051512391", "90051512391", SsinKind.NATIONAL, date(1990, 5, 15), True),
        ("90.05.15-123.91", "90051512391", SsinKind.NATIONAL, date(1990, 5, 15), True),
        ("04022924678", "04022924678", SsinKind.NATIONAL, date(2004, 2, 29), False),
        (make_ssin(date(1985, 7, 1), 11, bis=40), None, SsinKind.BIS, date(1985, 7, 1), True),
        (make_ssin(date(1985, 7, 1), 12, bis=20), None, SsinKind.BIS, date(1985, 7, 1), None),
        (make_ssin(date(2001, 1, 9), 998), None, SsinKind.NATIONAL, date(2001, 1, 9), False),
    ],
)
def test_valid_ssins(
    value: str, digits: str | None, kind: SsinKind, birth: date, male: bool | None
) -> None:
    ssin = parse_ssin(value)
    if digits:
        assert ssin.digits == digits
    assert ssin.kind is kind
    assert ssin.birth_date == birth
    assert ssin.male is male
    assert ssin.born_after_2000 is (birth.year >= 2000)


def test_ssin_with_unknown_birth_day_is_accepted() -> None:
    first = "850000123"
    from adapter.core.identifiers import ssin_check_digits

    ssin = parse_ssin(first + ssin_check_digits(first, born_after_2000=False))
    assert ssin.birth_date is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("90051512392", "CHECK_DIGITS"),
        ("9005151239", "LENGTH"),
        ("900515123911", "LENGTH"),
        ("9005151239a", "FORMAT"),
        ("", "FORMAT"),
        # a valid checksum on an impossible date
        ("901315123" + f"{97 - 901315123 % 97:02d}", "DATE"),
        ("900231123" + f"{97 - 900231123 % 97:02d}", "DATE"),
    ],
)
def test_invalid_ssins(value: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        parse_ssin(value)
    assert info.value.reason == reason


def test_ssin_formatting() -> None:
    assert parse_ssin("90051512391").formatted() == "90.05.15-123.91"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0412345614", "0412345614"),
        ("0412.345.614", "0412345614"),
        ("412345614", "0412345614"),  # ONSS answers without the leading zero
        (412345614, "0412345614"),
        ("0812345603", "0812345603"),
    ],
)
def test_valid_enterprise_numbers(value: str | int, expected: str) -> None:
    assert parse_enterprise_number(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("0412345615", "CHECK_DIGITS"),
        ("2412345614", "FORMAT"),
        ("0000000000", "FORMAT"),
        ("04123456", "LENGTH"),
    ],
)
def test_invalid_enterprise_numbers(value: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        parse_enterprise_number(value)
    assert info.value.reason == reason


def test_enterprise_number_format() -> None:
    assert format_enterprise_number("412345614") == "0412.345.614"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("123456749", NossKind.DEFINITIVE),
        ("100000015", NossKind.DEFINITIVE),
        ("125482497", NossKind.DEFINITIVE),  # check digits 97 (Odoo's test number)
        (100006, NossKind.DEFINITIVE),  # glossary lower bound
        (199999934, NossKind.DEFINITIVE),  # glossary upper bound
        ("5123456773", NossKind.PROVISIONAL),
        (5000000120, NossKind.PROVISIONAL),
        (5999999989, NossKind.PROVISIONAL),
    ],
)
def test_valid_noss_numbers(value: str | int, kind: NossKind) -> None:
    assert parse_noss_number(value).kind is kind


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("123456748", "CHECK_DIGITS"),
        ("99999", "RANGE"),
        ("299999999", "RANGE"),
        ("6000000000", "RANGE"),
        ("125482400", "CHECK_DIGITS"),  # 00 is never a check value
    ],
)
def test_invalid_noss_numbers(value: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        parse_noss_number(value)
    assert info.value.reason == reason


def test_make_noss_number() -> None:
    assert make_noss_number(1234567) == 123456749


@pytest.mark.parametrize(
    "value", [656309292174, 656309296521, 656309314911, 656309322385, "656309300157"]
)
def test_dimona_ids_from_the_reference(value: int | str) -> None:
    assert parse_dimona_id(value) == int(value)


def test_dimona_id_check_and_format() -> None:
    assert make_dimona_id(6563093001) == 656309300157
    assert format_dimona_id(1234) == "000000001234"
    with pytest.raises(InvalidIdentifier):
        parse_dimona_id(656309300158)
    assert parse_dimona_id(656309300158, verify_check_digits=False) == 656309300158
    with pytest.raises(InvalidIdentifier):
        parse_dimona_id("1234567890123")


@pytest.mark.parametrize(
    "parse", [parse_ssin, parse_enterprise_number, parse_noss_number], ids=lambda f: f.__name__
)
@pytest.mark.parametrize("value", ["7503030777X", "75.03.03-077.7X", "Jansen"])
def test_an_invalid_identifier_message_never_echoes_the_value(parse: Any, value: str) -> None:
    """The message reaches dead letters and status events: an SSIN must not be in it."""
    with pytest.raises(InvalidIdentifier) as info:
        parse(value)
    assert info.value.reason == "FORMAT"
    assert value not in info.value.message
    assert value not in str(info.value)
