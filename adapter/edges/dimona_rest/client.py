"""The Dimona REST v2 client: submit a declaration, read its answer, search, read a period.

It implements the pipeline's ``DimonaGateway`` port: ``submit`` takes a core declaration and
renders its REST v2 body (``wire.py``), ``find_recorded`` searches and matches on the REST JSON
(``reconcile.py``). ``submit_body`` posts a body as it is (tools, tests, the client benchmark).

Every request goes through the rate limiter, then takes a slot in the connection pool, then
carries a bearer token. A 401 refreshes the token once and repeats the request (safe even for
a POST: ONSS refused it before looking at it). Everything else is classified by
``classify.py`` into transient / permanent / uncertain errors; the client retries nothing else
on its own: the pipeline owns the retry schedule.

With the ``aiohttp`` transport (and no injected transport) the two calls made per declaration,
``submit``/``submit_body`` and ``get_answer``, take the lean path: straight onto the pool's
aiohttp session (``lean.py``), with the same limiter, slot, token, hook and classification;
everything else goes through httpx. With the ``raw`` transport the same two calls go over raw
HTTP/1.1 connections instead (``raw.py``); everything else still goes through httpx.
"""

from __future__ import annotations

import json as jsonlib
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from adapter.core.declarations import Declaration
from adapter.core.results import DeclarationAnswer
from adapter.edges.dimona_rest.answers import UnreadableAnswer, parse_declaration_answer
from adapter.edges.dimona_rest.classify import (
    TRANSPORT_FAILURES,
    error_for_exception,
    error_for_response,
    error_for_status,
)
from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.dimona_rest.errors import DimonaUncertainSubmission
from adapter.edges.dimona_rest.lean import RawAnswer, render_json
from adapter.edges.dimona_rest.pool import HttpClientPool, RateLimiter
from adapter.edges.dimona_rest.reconcile import find_recorded
from adapter.edges.dimona_rest.token import TokenProvider
from adapter.edges.dimona_rest.wire import declaration_to_body

OnRequest = Callable[[str, int | str, float], None]
"""Metrics hook: (endpoint, HTTP status or exception name, seconds)."""

log = logging.getLogger(__name__)

_LOCATION_ID = re.compile(r"/declarations/(\d{1,18})/?$")
_MAX_PAGES = 10_000


def declaration_id_from_location(location: str | None) -> int | None:
    """The id at the end of ``.../declarations/{id}`` (absolute or relative), else ``None``."""
    if not location:
        return None
    path = urlsplit(location.strip()).path
    found = _LOCATION_ID.search("/" + path.lstrip("/"))
    return int(found.group(1)) if found else None


class DimonaRestClient:
    """Async client of ``{base_url}/declarations``, ``/periods`` and ``/relations``."""

    def __init__(
        self,
        *,
        base_url: str,
        pool: HttpClientPool,
        token_provider: TokenProvider,
        rate_limiter: RateLimiter | None = None,
        page_size: int = 50,
        on_request: OnRequest | None = None,
        clock: Callable[[], float] = time.time,
        owns_token_provider: bool = False,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._pool = pool
        self._tokens = token_provider
        self._rate = rate_limiter
        self._page_size = page_size
        self._on_request = on_request
        self._clock = clock
        self._owns_tokens = owns_token_provider
        self._lean = pool.lean
        self.request_count = 0

    @classmethod
    def from_config(
        cls,
        config: DimonaRestConfig,
        *,
        token_provider: TokenProvider | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        on_request: OnRequest | None = None,
        clock: Callable[[], float] = time.time,
        lean: bool = True,
    ) -> DimonaRestClient:
        """``lean=False`` keeps submit and get_answer on httpx (the benchmark's comparison)."""
        owns = token_provider is None
        tokens = token_provider or TokenProvider.from_config(
            config, transport=transport, clock=clock, on_request=on_request
        )
        limiter = (
            RateLimiter(config.rate_limit_per_s, burst=config.rate_limit_burst)
            if config.rate_limit_per_s
            else None
        )
        return cls(
            base_url=config.base_url,
            pool=HttpClientPool.from_config(config, transport=transport, lean=lean),
            token_provider=tokens,
            rate_limiter=limiter,
            page_size=config.search_page_size,
            on_request=on_request,
            clock=clock,
            owns_token_provider=owns,
        )

    def __repr__(self) -> str:
        return (
            f"DimonaRestClient(base_url={self.base_url!r}, clients={self._pool.size}, "
            f"max_in_flight={self._pool.max_in_flight}, tokens={self._tokens!r})"
        )

    async def __aenter__(self) -> DimonaRestClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._pool.aclose()
        if self._owns_tokens:
            await self._tokens.aclose()

    # -- operations -----------------------------------------------------------------------

    async def submit(self, declaration: Declaration) -> int:
        """POST one core declaration as its REST v2 body; return its declaration id.

        A follow-up without its period id raises ``UnresolvedPeriod`` before any request.
        """
        return await self.submit_body(declaration_to_body(declaration))

    async def find_recorded(
        self, declaration: Declaration, *, exclude: frozenset[int]
    ) -> int | None:
        """The id ONSS recorded for this declaration (one not in ``exclude``), or None.

        Only processed declarations are listed by the search: an id found here has an answer.
        """
        body = declaration_to_body(declaration)
        return await find_recorded(self.search_declarations, body, exclude=exclude)

    async def submit_body(self, body: Mapping[str, Any]) -> int:
        """POST one REST v2 body; return the declaration id from the ``Location`` header.

        Raises ``DimonaUncertainSubmission`` when ONSS may have recorded it without us knowing
        its id (lost answer, gateway 502/504, unreadable ``Location``).
        """
        url = f"{self.base_url}/declarations"
        if self._lean is not None:
            answer = await self._send_lean(
                "POST", url, endpoint="submit", body=render_json(dict(body)), submission=True
            )
            status, location = answer.status, answer.headers.get("location")
        else:
            response = await self._send(
                "POST", url, endpoint="submit", json=dict(body), submission=True
            )
            status, location = response.status_code, response.headers.get("location")
        declaration_id = declaration_id_from_location(location)
        if declaration_id is None:
            raise DimonaUncertainSubmission(
                f"submit: HTTP {status} without a readable Location; reconcile",
                location=(location or "")[:200] or None,
            )
        return declaration_id

    async def get_answer(self, declaration_id: int) -> DeclarationAnswer | None:
        """The processing result, or ``None`` while ONSS has not processed it (404)."""
        url = f"{self.base_url}/declarations/{int(declaration_id)}"
        if self._lean is not None:
            answer = await self._send_lean("GET", url, endpoint="get_answer", not_found_ok=True)
            status, content = answer.status, answer.content
        else:
            response = await self._send("GET", url, endpoint="get_answer", not_found_ok=True)
            status, content = response.status_code, response.content
        if status == 404:
            return None
        try:
            body = jsonlib.loads(content)
        except ValueError:
            raise UnreadableAnswer(
                "declaration answer is not JSON", endpoint="get_answer"
            ) from None
        return parse_declaration_answer(body, declaration_id=int(declaration_id))

    async def get_period(self, period_id: int) -> dict[str, Any] | None:
        """One Dimona period as ONSS returns it, or ``None`` if unknown (404)."""
        response = await self._send(
            "GET",
            f"{self.base_url}/periods/{int(period_id)}",
            endpoint="get_period",
            not_found_ok=True,
        )
        if response.status_code == 404:
            return None
        return _json_object(response, "get_period")

    def search_declarations(self, filter: Mapping[str, Any]) -> AsyncIterator[dict[str, Any]]:  # noqa: A002
        return self._search("declarations", filter)

    def search_periods(self, filter: Mapping[str, Any]) -> AsyncIterator[dict[str, Any]]:  # noqa: A002
        return self._search("periods", filter)

    def search_relations(self, filter: Mapping[str, Any]) -> AsyncIterator[dict[str, Any]]:  # noqa: A002
        return self._search("relations", filter)

    async def _search(
        self, resource: str, criteria: Mapping[str, Any]
    ) -> AsyncIterator[dict[str, Any]]:
        """POST ``/{resource}/search`` page after page, following ``next`` until it is absent."""
        endpoint = f"search_{resource}"
        url: str | None = f"{self.base_url}/{resource}/search"
        params: dict[str, int] | None = {"page": 1, "pageSize": self._page_size}
        seen: set[str] = set()
        for _ in range(_MAX_PAGES):
            if url is None:
                return
            response = await self._send(
                "POST", url, endpoint=endpoint, json=dict(criteria), params=params
            )
            page = _json_object(response, endpoint)
            items = page.get("items") or []
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict):
                    yield item
            following = page.get("next")
            if not isinstance(following, str) or not following or not items:
                return
            url = urljoin(str(response.url), following)
            params = None  # the next link carries its own page parameters
            if url in seen:
                return
            seen.add(url)

    # -- plumbing -------------------------------------------------------------------------

    async def _send(
        self,
        method: str,
        url: str,
        *,
        endpoint: str,
        json: Any = None,
        params: Mapping[str, int] | None = None,
        submission: bool = False,
        not_found_ok: bool = False,
    ) -> httpx.Response:
        for attempt in (1, 2):
            token = await self._tokens.token()
            response = await self._once(
                method,
                url,
                endpoint=endpoint,
                token=token,
                json=json,
                params=params,
                submission=submission,
            )
            if response.status_code == 401 and attempt == 1:
                self._tokens.invalidate(token)
                continue
            if 200 <= response.status_code < 300 or (not_found_ok and response.status_code == 404):
                return response
            raise error_for_response(
                response, endpoint=endpoint, submission=submission, now=self._clock()
            )
        raise AssertionError("unreachable")  # pragma: no cover

    async def _once(
        self,
        method: str,
        url: str,
        *,
        endpoint: str,
        token: str,
        json: Any,
        params: Mapping[str, int] | None,
        submission: bool,
    ) -> httpx.Response:
        if self._rate is not None:
            await self._rate.acquire()
        started = time.perf_counter()
        try:
            async with self._pool.lease() as http:
                started = time.perf_counter()  # the hook times the exchange, not the queue
                self.request_count += 1
                response = await http.request(
                    method,
                    url,
                    json=json,
                    params=params,
                    headers={"Authorization": f"Bearer {token}"},
                )
        except TRANSPORT_FAILURES as exc:
            self._report(endpoint, type(exc).__name__, started)
            raise error_for_exception(exc, endpoint=endpoint, submission=submission) from None
        self._report(endpoint, response.status_code, started)
        return response

    async def _send_lean(
        self,
        method: str,
        url: str,
        *,
        endpoint: str,
        body: bytes | None = None,
        submission: bool = False,
        not_found_ok: bool = False,
    ) -> RawAnswer:
        """``_send`` on the lean path: the same limiter, slot, token refresh, hook, errors."""
        lean = self._lean
        assert lean is not None
        for attempt in (1, 2):
            token = await self._tokens.token()
            if self._rate is not None:
                await self._rate.acquire()
            started = time.perf_counter()
            try:
                async with self._pool.slot:
                    started = time.perf_counter()  # the hook times the exchange, not the queue
                    self.request_count += 1
                    answer = await lean.exchange(method, url, token=token, body=body)
            except TRANSPORT_FAILURES as exc:
                self._report(endpoint, type(exc).__name__, started)
                raise error_for_exception(exc, endpoint=endpoint, submission=submission) from None
            status = answer.status
            self._report(endpoint, status, started)
            if status == 401 and attempt == 1:
                self._tokens.invalidate(token)
                continue
            if 200 <= status < 300 or (not_found_ok and status == 404):
                return answer
            raise error_for_status(
                status,
                answer.headers,
                answer.content,
                endpoint=endpoint,
                submission=submission,
                now=self._clock(),
            )
        raise AssertionError("unreachable")  # pragma: no cover

    def _report(self, endpoint: str, status: int | str, started: float) -> None:
        if self._on_request is None:
            return
        try:
            self._on_request(endpoint, status, time.perf_counter() - started)
        except Exception:  # a broken metrics hook must not lose a declaration id
            log.warning("on_request hook failed", exc_info=True)


def _json_object(response: httpx.Response, endpoint: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise UnreadableAnswer(f"{endpoint}: answer is not JSON", endpoint=endpoint) from None
    if not isinstance(body, dict):
        raise UnreadableAnswer(f"{endpoint}: answer is not a JSON object", endpoint=endpoint)
    return body
