"""OAuth 2.0 access tokens for ONSS: client credentials with a signed JWT client assertion.

The assertion (RFC 7523) is signed RS256 with the key registered in Chaman: ``iss`` = ``sub``
= client id, ``aud`` = the token URL, a fresh random ``jti``, ``iat`` now and a short ``exp``.
Tokens are cached per scope set and refreshed ``refresh_margin`` seconds before they expire;
under concurrency only one refresh per scope set is in flight. ``invalidate`` drops a token
the API answered 401 to, unless it has already been replaced.

The token endpoint refusing us (400/401/403, ``invalid_client``...) is a configuration
problem (:class:`DimonaAuthRefused`); it being down is transient (:class:`DimonaAuthUnavailable`).
Neither the assertion, the key nor the access token is ever logged or shown in a repr.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
import jwt

from adapter.edges.dimona_rest.classify import (
    TRANSPORT_FAILURES,
    problem_details,
)
from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.dimona_rest.errors import DimonaAuthRefused, DimonaAuthUnavailable
from adapter.edges.dimona_rest.keys import SigningMaterial, load_signing_material
from adapter.edges.retry_after import retry_after_seconds

log = logging.getLogger(__name__)

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
DEFAULT_EXPIRES_IN = 300.0
Clock = Callable[[], float]
OnRequest = Callable[[str, int | str, float], None]


@dataclass(frozen=True, slots=True)
class _CachedToken:
    value: str
    refresh_at: float


class TokenProvider:
    """Hands out a valid bearer token for a scope set, fetching and caching as needed."""

    def __init__(
        self,
        *,
        client_id: str,
        token_url: str,
        signing: SigningMaterial,
        scopes: Iterable[str] = (),
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | None = None,
        clock: Clock = time.time,
        assertion_lifetime_s: float = 60.0,
        refresh_margin_s: float = 60.0,
        on_request: OnRequest | None = None,
    ) -> None:
        if not client_id:
            raise DimonaAuthRefused("no Dimona client id configured")
        self.client_id = client_id
        self.token_url = token_url
        self.scopes = tuple(scopes)
        self._default_key = frozenset(self.scopes)  # computed once: token() runs per request
        self._signing = signing
        self._clock = clock
        self._assertion_lifetime = assertion_lifetime_s
        self._refresh_margin = refresh_margin_s
        self._on_request = on_request
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=timeout or httpx.Timeout(10.0, connect=5.0),
            headers={"Accept": "application/json", "User-Agent": "dimona-adapter"},
        )
        self._cache: dict[frozenset[str], _CachedToken] = {}
        self._locks: dict[frozenset[str], asyncio.Lock] = {}
        self.fetch_count = 0

    @classmethod
    def from_config(
        cls,
        config: DimonaRestConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock = time.time,
        on_request: OnRequest | None = None,
    ) -> TokenProvider:
        return cls(
            client_id=config.client_id,
            token_url=config.token_url,
            signing=load_signing_material(config),
            scopes=config.scopes,
            transport=transport,
            timeout=httpx.Timeout(
                config.read_timeout_s,
                connect=config.connect_timeout_s,
                write=config.write_timeout_s,
                pool=config.pool_timeout_s,
            ),
            clock=clock,
            assertion_lifetime_s=config.assertion_lifetime_s,
            refresh_margin_s=config.token_refresh_margin_s,
            on_request=on_request,
        )

    def __repr__(self) -> str:
        return (
            f"TokenProvider(client_id={self.client_id!r}, token_url={self.token_url!r}, "
            f"scopes={self.scopes!r}, key=<redacted>)"
        )

    async def __aenter__(self) -> TokenProvider:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def client_assertion(self) -> str:
        """A fresh signed JWT client assertion (single use: new ``jti`` every time)."""
        now = int(self._clock())
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.token_url,
            "jti": uuid.uuid4().hex,
            "iat": now,
            "nbf": now,
            "exp": now + int(self._assertion_lifetime),
        }
        return jwt.encode(
            claims, self._signing.private_key, algorithm="RS256", headers={"typ": "JWT"}
        )

    async def token(self, scopes: Iterable[str] | None = None) -> str:
        """A bearer token valid for ``scopes`` (default: the configured scope set)."""
        key = self._default_key if scopes is None else frozenset(scopes)
        cached = self._cache.get(key)
        if cached is not None and self._clock() < cached.refresh_at:
            return cached.value
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            # Whoever held the lock before us may have refreshed already.
            cached = self._cache.get(key)
            if cached is not None and self._clock() < cached.refresh_at:
                return cached.value
            fresh = await self._fetch(key)
            self._cache[key] = fresh
            return fresh.value

    def invalidate(self, token: str) -> None:
        """Forget ``token`` (the API refused it) so the next ``token()`` fetches a new one."""
        for key, cached in list(self._cache.items()):
            if cached.value == token:
                del self._cache[key]

    async def _fetch(self, scopes: frozenset[str]) -> _CachedToken:
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": CLIENT_ASSERTION_TYPE,
            "client_assertion": self.client_assertion(),
        }
        ordered = [s for s in self.scopes if s in scopes] + sorted(scopes - set(self.scopes))
        if ordered:
            form["scope"] = " ".join(ordered)
        started = time.perf_counter()
        try:
            response = await self._http.post(self.token_url, data=form)
        except TRANSPORT_FAILURES as exc:
            self._report(type(exc).__name__, started)
            raise DimonaAuthUnavailable(
                f"token endpoint unreachable ({type(exc).__name__})", endpoint="token"
            ) from None
        self._report(response.status_code, started)
        self.fetch_count += 1
        if response.status_code == 200:
            return self._parse(response)
        raise self._error(response)

    def _report(self, status: int | str, started: float) -> None:
        if self._on_request is None:
            return
        try:
            self._on_request("token", status, time.perf_counter() - started)
        except Exception:  # a broken metrics hook must not break authentication
            log.warning("on_request hook failed", exc_info=True)

    def _parse(self, response: httpx.Response) -> _CachedToken:
        try:
            body: Any = response.json()
        except ValueError:
            raise DimonaAuthUnavailable(
                "token endpoint answered non-JSON", endpoint="token"
            ) from None
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise DimonaAuthUnavailable("token answer without access_token", endpoint="token")
        token_type = body.get("token_type", "Bearer")
        if not isinstance(token_type, str) or token_type.lower() != "bearer":
            raise DimonaAuthRefused(f"unsupported token type {str(token_type)[:20]!r}")
        expires_in = body.get("expires_in", DEFAULT_EXPIRES_IN)
        try:
            lifetime = max(0.0, float(expires_in))
        except (TypeError, ValueError):
            lifetime = DEFAULT_EXPIRES_IN
        margin = min(self._refresh_margin, lifetime / 2)
        log.info("dimona access token obtained", extra={"expires_in": lifetime})
        return _CachedToken(body["access_token"], self._clock() + lifetime - margin)

    def _error(self, response: httpx.Response) -> Exception:
        status = response.status_code
        if status in (429, 408) or status >= 500:
            return DimonaAuthUnavailable(
                f"token endpoint HTTP {status}",
                retry_after=retry_after_seconds(response.headers, now=self._clock()),
                status=status,
                endpoint="token",
            )
        reason = _oauth_error(response)
        return DimonaAuthRefused(
            f"token endpoint refused the client {self.client_id!r}: HTTP {status}"
            + (f" ({reason})" if reason else ""),
            status=status,
        )


def _oauth_error(response: httpx.Response) -> str | None:
    """RFC 6749 ``error``/``error_description``, or problem-details ``title``/``detail``."""
    try:
        body: Any = response.json()
    except ValueError:
        return None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        description = body.get("error_description")
        text = str(body["error"]) + (f": {description}" if isinstance(description, str) else "")
        return text[:200]
    problem_type, detail, _ = problem_details(response)
    return detail or problem_type
