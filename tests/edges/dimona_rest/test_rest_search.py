"""The searches (declarations, periods, relations) and ``get_period`` against the fake ONSS."""

from __future__ import annotations

import httpx
import pytest

from adapter.edges.dimona_rest.client import DimonaRestClient
from adapter.edges.dimona_rest.errors import DimonaTransientError

from .fake_onss import BASE_URL, FakeOnss, json_body
from .scripted import fail, respond


@pytest.mark.parametrize("resource", ["declarations", "periods", "relations"])
async def test_search_follows_next_links(
    client: DimonaRestClient, onss: FakeOnss, resource: str
) -> None:
    pages = [
        {"items": [{"n": 1}, {"n": 2}], "next": f"{BASE_URL}/{resource}/search?page=2&pageSize=2"},
        {"items": [{"n": 3}], "next": f"/REST/dimona/v2/{resource}/search?page=3&pageSize=2"},
        {"items": [{"n": 4}]},
    ]
    onss.on("POST", f"/{resource}/search", *(respond(httpx.Response(200, json=p)) for p in pages))
    search = getattr(client, f"search_{resource}")
    criteria = {"employer": {"employerId": 123456749}}
    found = [item["n"] async for item in search(criteria)]
    assert found == [1, 2, 3, 4]
    assert [r.url.params.get("page") for r in onss.api_requests] == ["1", "2", "3"]
    assert all(json_body(r) == criteria for r in onss.api_requests)


async def test_search_stops_on_an_empty_page_or_a_repeated_link(
    client: DimonaRestClient, onss: FakeOnss
) -> None:
    loop = {"items": [{"n": 1}], "next": f"{BASE_URL}/periods/search?page=2"}
    onss.on("POST", "/periods/search", respond(httpx.Response(200, json=loop)))
    assert [i async for i in client.search_periods({})] == [{"n": 1}, {"n": 1}]
    onss.on(
        "POST", "/relations/search", respond(httpx.Response(200, json={"items": [], "next": "x"}))
    )
    assert [i async for i in client.search_relations({})] == []


async def test_search_errors_propagate(client: DimonaRestClient, onss: FakeOnss) -> None:
    onss.on("POST", "/declarations/search", fail(httpx.ReadTimeout))
    with pytest.raises(DimonaTransientError):
        [i async for i in client.search_declarations({})]


async def test_get_period(client: DimonaRestClient, onss: FakeOnss) -> None:
    period = {"periodId": 656309300157, "startDate": "2026-03-02"}
    onss.on("GET", "/periods/656309300157", respond(httpx.Response(200, json=period)))
    assert await client.get_period(656309300157) == period
    assert await client.get_period(656309300258) is None
