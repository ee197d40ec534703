"""Reconciliation over REST finds the declaration ONSS recorded, and only that one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from adapter.edges.dimona_rest.reconcile import find_recorded, matches, search_criteria

IN_BODY = {
    "employer": {"employerId": 123456749},
    "worker": {"ssin": "90051512391"},
    "dimonaIn": {
        "startDate": "2026-12-01",
        "features": {"jointCommissionNumber": "XXX", "workerType": "OTH"},
    },
}


class SearchableOnss:
    """Answers searches from a fixed list (a real class, not a mock)."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items
        self.criteria: list[Mapping[str, Any]] = []

    async def search_declarations(
        self, criteria: Mapping[str, Any]
    ) -> AsyncIterator[dict[str, Any]]:
        self.criteria.append(criteria)
        for item in self.items:
            yield item


def item(declaration_id: int, **blocks: Any) -> dict[str, Any]:
    return {"declarationStatus": {"declarationId": declaration_id, "result": "A"}, **blocks}


def test_criteria_name_employer_worker_and_period() -> None:
    assert search_criteria(IN_BODY) == {
        "employer": {"employerId": 123456749},
        "worker": {"ssin": "90051512391"},
    }
    assert search_criteria({"dimonaOut": {"periodId": 656310000072, "endDate": "2027-01-31"}}) == {
        "periodId": 656310000072
    }


def test_match_requires_the_same_action_block_content() -> None:
    echoed = {**IN_BODY["dimonaIn"], "endDate": None}  # ONSS may echo extra fields
    assert matches(item(1, dimonaIn=echoed), IN_BODY)
    other_start = {**IN_BODY["dimonaIn"], "startDate": "2026-12-02"}
    assert not matches(item(1, dimonaIn=other_start), IN_BODY)
    assert not matches(item(1, dimonaOut={"periodId": 1}), IN_BODY)


async def test_finds_the_recorded_declaration_and_skips_known_ones() -> None:
    onss = SearchableOnss(
        [
            item(656310000072, dimonaIn=IN_BODY["dimonaIn"]),
            item(656310000173, dimonaIn=IN_BODY["dimonaIn"]),
        ]
    )
    found = await find_recorded(
        onss.search_declarations, IN_BODY, exclude=frozenset({656310000072})
    )
    assert found == 656310000173
    assert onss.criteria[0]["worker"] == {"ssin": "90051512391"}


async def test_nothing_recorded_means_none() -> None:
    onss = SearchableOnss(
        [item(656310000072, dimonaIn={**IN_BODY["dimonaIn"], "startDate": "2027-01-01"})]
    )
    assert await find_recorded(onss.search_declarations, IN_BODY, exclude=frozenset()) is None


NO_SSIN_BODY = {
    "employer": {"employerId": 123456749},
    "worker": {"familyName": "KOWALSKA", "givenName": "Anna", "birthDate": "1990-02-28"},
    "dimonaIn": IN_BODY["dimonaIn"],
}


def test_an_in_without_ssin_matches_only_the_same_person() -> None:
    """Searched by employer only, such an IN must name the same person in the item (the
    chaos suite saw another worker's IN of the same day adopted)."""
    same = {**NO_SSIN_BODY["worker"], "ssin": "90022812345"}  # identified meanwhile: fine
    other = {**NO_SSIN_BODY["worker"], "familyName": "NOWAK"}
    block = NO_SSIN_BODY["dimonaIn"]
    assert matches(item(1, dimonaIn=block, worker=same), NO_SSIN_BODY)
    assert not matches(item(1, dimonaIn=block, worker=other), NO_SSIN_BODY)
    assert not matches(item(1, dimonaIn=block), NO_SSIN_BODY)  # cannot tell: not adopted


def test_an_in_with_ssin_never_matches_another_ssin() -> None:
    block = IN_BODY["dimonaIn"]
    assert matches(item(1, dimonaIn=block, worker={"ssin": "90051512391"}), IN_BODY)
    assert not matches(item(1, dimonaIn=block, worker={"ssin": "85073003328"}), IN_BODY)
