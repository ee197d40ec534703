"""A fake ONSS for httpx.MockTransport: a token endpoint that verifies client assertions and a
Dimona API whose answers the test scripts. A real class, not a mock object."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx
import jwt
from cryptography import x509

TOKEN_URL = "https://onss.test/REST/oauth/v5/token"
BASE_URL = "https://onss.test/REST/dimona/v2"

Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class FakeOnss:
    """Issues tokens ``tok-1``, ``tok-2``... and routes API calls to scripted handlers."""

    certificate_pem: bytes
    client_id: str = "self_service_chaman_1_test"
    expires_in: int = 600
    token_status: int = 200
    token_body: dict[str, Any] | None = None
    token_headers: dict[str, str] = field(default_factory=dict)
    valid_tokens: set[str] = field(default_factory=set)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    assertions: list[dict[str, Any]] = field(default_factory=list)
    api_requests: list[httpx.Request] = field(default_factory=list)
    routes: dict[tuple[str, str], list[Handler]] = field(default_factory=dict)
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self._public_key = x509.load_pem_x509_certificate(self.certificate_pem).public_key()

    def on(self, method: str, path: str, *handlers: Handler) -> None:
        """Answer the next calls of ``method path`` with ``handlers`` in turn (last one sticks)."""
        self.routes[(method, path)] = list(handlers)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            return self._token(request)
        self.api_requests.append(request)
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.valid_tokens:
            return httpx.Response(
                401,
                json={"type": "urn:problem-type:belgif:expiredAccessToken", "status": 401},
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        path = request.url.path.removeprefix("/REST/dimona/v2")
        handlers = self.routes.get((request.method, path))
        if not handlers:
            return httpx.Response(404)
        handler = handlers.pop(0) if len(handlers) > 1 else handlers[0]
        return handler(request)

    def expire_all_tokens(self) -> None:
        self.valid_tokens.clear()

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        self.token_requests.append(form)
        if self.token_status != 200:
            return httpx.Response(
                self.token_status, json=self.token_body or {}, headers=self.token_headers
            )
        claims = jwt.decode(
            form["client_assertion"],
            self._public_key,  # type: ignore[arg-type]
            algorithms=["RS256"],
            audience=TOKEN_URL,
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
        self.assertions.append(claims)
        assert claims["iss"] == claims["sub"] == self.client_id
        token = f"tok-{next(self._counter)}"
        self.valid_tokens.add(token)
        return httpx.Response(
            200,
            json={
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self.expires_in,
                "scope": form.get("scope", ""),
            },
        )


def json_body(request: httpx.Request) -> Any:
    return json.loads(request.content)
