"""Identifiers: valid ones round-trip through their printed forms, bad check digits fail."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapter.core.identifiers import (
    InvalidIdentifier,
    enterprise_check_digits,
    format_dimona_id,
    format_enterprise_number,
    make_dimona_id,
    make_noss_number,
    make_ssin,
    parse_dimona_id,
    parse_enterprise_number,
    parse_noss_number,
    parse_ssin,
    ssin_check_digits,
)

births = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))
sequences = st.integers(min_value=1, max_value=998)
bis_offsets = st.sampled_from([0, 20, 40])


@given(births, sequences, bis_offsets)
def test_ssin_round_trips(birth: date, sequence: int, bis: int) -> None:
    digits = make_ssin(birth, sequence, bis=bis)
    ssin = parse_ssin(digits)
    assert ssin.digits == digits
    assert ssin.birth_date == birth
    assert parse_ssin(ssin.formatted()) == ssin
    assert ssin.male is (None if bis == 20 else sequence % 2 == 1)


@given(births, sequences, bis_offsets, st.integers(min_value=0, max_value=99))
def test_ssin_with_wrong_check_digits_is_refused(
    birth: date, sequence: int, bis: int, check: int
) -> None:
    digits = make_ssin(birth, sequence, bis=bis)
    first = digits[:9]
    valid = {ssin_check_digits(first, born_after_2000=c) for c in (False, True)}
    candidate = f"{check:02d}"
    if candidate in valid:
        return
    with pytest.raises(InvalidIdentifier):
        parse_ssin(first + candidate)


enterprise_bases = st.integers(min_value=1, max_value=19_999_999)


@given(enterprise_bases)
def test_enterprise_number_round_trips(base: int) -> None:
    first = f"{base:08d}"
    number = first + enterprise_check_digits(first)
    assert parse_enterprise_number(number) == number
    assert parse_enterprise_number(format_enterprise_number(number)) == number
    if number.startswith("0"):  # ONSS may answer without the leading zero
        assert parse_enterprise_number(number[1:]) == number


@given(enterprise_bases, st.integers(min_value=0, max_value=99))
def test_enterprise_number_with_wrong_check_digits_is_refused(base: int, check: int) -> None:
    first = f"{base:08d}"
    if f"{check:02d}" == enterprise_check_digits(first):
        return
    with pytest.raises(InvalidIdentifier):
        parse_enterprise_number(f"{first}{check:02d}")


noss_bases = st.one_of(
    st.integers(min_value=1001, max_value=1_999_998),
    st.integers(min_value=50_000_002, max_value=59_999_998),
)


@given(noss_bases)
def test_noss_number_round_trips(base: int) -> None:
    number = make_noss_number(base)
    assert parse_noss_number(number).number == number
    assert parse_noss_number(str(number)).number == number


@given(noss_bases, st.integers(min_value=0, max_value=99))
def test_noss_number_with_wrong_check_digits_is_refused(base: int, check: int) -> None:
    if base * 100 + check == make_noss_number(base):
        return
    with pytest.raises(InvalidIdentifier):
        parse_noss_number(base * 100 + check)


dimona_bases = st.integers(min_value=1, max_value=9_999_999_999)


@given(dimona_bases)
def test_dimona_id_round_trips(base: int) -> None:
    value = make_dimona_id(base)
    assert parse_dimona_id(value) == value
    assert parse_dimona_id(format_dimona_id(value)) == value


@given(dimona_bases, st.integers(min_value=0, max_value=99))
def test_dimona_id_with_wrong_check_digits_is_refused(base: int, check: int) -> None:
    if base * 100 + check == make_dimona_id(base):
        return
    with pytest.raises(InvalidIdentifier):
        parse_dimona_id(base * 100 + check)
