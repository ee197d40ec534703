"""The sandbox's own identifier checks, against the worked examples of reference §7."""

from __future__ import annotations

import pytest

from adapter.sandbox import ids


@pytest.mark.parametrize("ssin", ["90051512391", "04022924678"])
def test_valid_ssins(ssin: str) -> None:
    assert ids.is_ssin(ssin)


@pytest.mark.parametrize("ssin", ["90051512390", "9005151239", "9005151239x", ""])
def test_invalid_ssins(ssin: str) -> None:
    assert not ids.is_ssin(ssin)


@pytest.mark.parametrize("noss", [123456749, 100000015, 5123456773, 125482497, 100006, 199999934])
def test_valid_noss_numbers(noss: int) -> None:
    assert ids.is_noss(noss)


@pytest.mark.parametrize("noss", [123456748, 99999, 200000000, 4999999999])
def test_invalid_noss_numbers(noss: int) -> None:
    assert not ids.is_noss(noss)


def test_enterprise_numbers() -> None:
    assert ids.is_enterprise_number("0412345614")
    assert ids.is_enterprise_number(ids.normalise_enterprise_number("412345614"))
    assert not ids.is_enterprise_number("0412345615")
    assert not ids.is_enterprise_number("2412345614")


def test_dimona_ids() -> None:
    assert ids.dimona_id(6563093001) == 656309300157
    for known in (656309292174, 656309296521, 656309314911, 656309322385):
        assert ids.is_dimona_id(known)
    assert not ids.is_dimona_id(656309300158)


def test_allocator_resumes_above_the_highest_id() -> None:
    first = ids.IdAllocator().next_id()
    assert ids.is_dimona_id(first)
    resumed = ids.IdAllocator(highest_used=first).next_id()
    assert resumed > first
    assert ids.is_dimona_id(resumed)
