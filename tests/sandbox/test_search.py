"""Search endpoints with page / pageSize / next (reference §3.5)."""

from __future__ import annotations

from tests.sandbox import payloads as p
from tests.sandbox.helpers import DimonaClient

SSINS = ["90051512391", "04022924678", "85073003328", "91121712345"]


def _valid_ssins() -> list[str]:
    from adapter.sandbox.ids import is_ssin

    found: list[str] = []
    base = 850101001
    while len(found) < 5:
        check = 97 - base % 97
        candidate = f"{base:09d}{check:02d}"
        if is_ssin(candidate):
            found.append(candidate)
        base += 1
    return found


def test_periods_search_pages_through_with_next(client: DimonaClient) -> None:
    workers = _valid_ssins()
    for ssin in workers:
        client.declare(p.ordinary_in(ssin=ssin))
    criteria = {"employer": {"employerId": p.NOSS}}
    first = client.search("periods", criteria, page=1, pageSize=2).json()
    assert first["total"] == 5
    assert len(first["items"]) == 2
    seen = [item["worker"]["ssin"] for item in first["items"]]
    url = first.get("next")
    while url:
        page = client.http.post(url, json=criteria, headers=client.headers).json()
        seen += [item["worker"]["ssin"] for item in page["items"]]
        url = page.get("next")
    assert sorted(seen) == sorted(workers)


def test_declarations_search_by_worker_and_period(client: DimonaClient) -> None:
    period_id = int(client.declare(p.ordinary_in())["period"]["id"])
    client.declare(p.out(period_id))
    client.declare(p.flexi_day(ssin="04022924678"))
    found = client.search("declarations", {"worker": {"ssin": p.SSIN}}).json()
    assert [i["declarationStatus"]["period"]["id"] for i in found["items"]] == [period_id] * 2
    assert "next" not in found
    by_period = client.search("declarations", {"periodId": period_id}).json()
    assert by_period["total"] == 2


def test_declarations_search_by_reception_time(client: DimonaClient) -> None:
    client.declare(p.ordinary_in())
    future = client.search("declarations", {"receivedFrom": "2999-01-01T00:00:00Z"}).json()
    assert future["total"] == 0
    past = client.search("declarations", {"receivedFrom": "2000-01-01T00:00:00Z"}).json()
    assert past["total"] == 1


def test_relations_search(client: DimonaClient) -> None:
    period_id = int(client.declare(p.ordinary_in(start=p.d(1, 5)))["period"]["id"])
    client.declare(p.out(period_id, p.d(1, 31)))
    client.declare(p.ordinary_in(start=p.d(3, 1)))
    relations = client.search("relations", {"employer": {"employerId": p.NOSS}}).json()
    assert relations["items"] == [
        {"employer": {"employerId": p.NOSS}, "worker": {"ssin": p.SSIN}, "startDate": p.d(1, 5)}
    ]


def test_bad_paging_is_400(client: DimonaClient) -> None:
    response = client.search("periods", {}, page=0)
    assert response.status_code == 400
    assert client.search("periods", {}, pageSize=1000).status_code == 400


def test_odd_filters_do_not_break_the_search(client: DimonaClient) -> None:
    client.declare(p.ordinary_in())
    for criteria in ({"worker": "x"}, {"employer": 5}, {"startDate": 3}, {"periodId": "abc"}):
        for what in ("declarations", "periods", "relations"):
            assert client.search(what, criteria).status_code == 200
