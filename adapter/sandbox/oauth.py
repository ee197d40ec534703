"""The OAuth2 server: client_credentials with a private_key_jwt assertion (reference §2).

Assertions are RS256 JWTs signed with the key of the client's registered certificate;
``iss`` and ``sub`` are the client id, ``aud`` the token URL. An assertion is single use and
short-lived: ``exp - iat`` may not exceed ``max_assertion_lifetime`` and ``iat`` may not be
ahead of the clock, so ``exp`` is never far in the future either (RFC 7523 §3 lets a server
refuse an ``exp`` unreasonably far in the future; a leaked ten-year assertion would be a
ten-year credential). Every assertion problem is ``invalid_client`` (RFC 7523 §3.2). Access
tokens are opaque random strings held in memory (a restart revokes them, as a real server may).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from adapter.sandbox.models import Client

DECLARANT = "scope:dimona:declaration:declarant"
CONSULT = "scope:dimona:declaration:consult"
ALL_SCOPES = (DECLARANT, CONSULT)
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
PRODUCTION_AUDIENCE = "https://services.socialsecurity.be/REST/oauth/v5/token"
CLOCK_SKEW_SECONDS = 30
MAX_ASSERTION_LIFETIME_SECONDS = 300.0
"""Five minutes: the longest a real client was seen to use (reference §2.3); ours sends 60 s."""


class TokenError(Exception):
    """An RFC 6749 §5.2 error answer."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass(frozen=True, slots=True)
class AccessToken:
    value: str
    client_id: str
    scopes: frozenset[str]
    expires_at: float


def public_key_of(certificate_pem: str) -> RSAPublicKey:
    """The RSA key of an X.509 certificate (or of a bare public key) in PEM."""
    data = certificate_pem.encode()
    key: object
    if b"BEGIN CERTIFICATE" in data:
        key = x509.load_pem_x509_certificate(data).public_key()
    else:
        key = load_pem_public_key(data)
    if not isinstance(key, RSAPublicKey):
        raise ValueError("only RSA keys are supported (RS256)")
    return key


class OAuthServer:
    """Verifies assertions, issues and checks bearer tokens."""

    def __init__(
        self,
        find_client: Callable[[str], Client | None],
        audiences: list[str],
        token_ttl: float = 600.0,
        clock: Callable[[], float] = time.time,
        max_assertion_lifetime: float = MAX_ASSERTION_LIFETIME_SECONDS,
    ) -> None:
        self._find_client = find_client
        self.audiences = list(audiences)
        self.token_ttl = token_ttl
        self.max_assertion_lifetime = max_assertion_lifetime
        self._clock = clock
        self._tokens: dict[str, AccessToken] = {}
        self._seen_jti: dict[str, float] = {}
        self._keys: dict[str, tuple[str, RSAPublicKey]] = {}

    def _key(self, client: Client) -> RSAPublicKey:
        cached = self._keys.get(client.client_id)
        if cached is not None and cached[0] == client.certificate_pem:
            return cached[1]
        key = public_key_of(client.certificate_pem)
        self._keys[client.client_id] = (client.certificate_pem, key)
        return key

    def issue(self, form: dict[str, str], token_url: str) -> AccessToken:
        """Answer a token request or raise :class:`TokenError`."""
        if form.get("grant_type") is None:
            raise TokenError("invalid_request", "grant_type is required")
        if form["grant_type"] != "client_credentials":
            raise TokenError("unsupported_grant_type", "only client_credentials is supported")
        if "client_secret" in form:
            raise TokenError("invalid_client", "client secrets are not supported")
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise TokenError("invalid_request", f"client_assertion_type must be {ASSERTION_TYPE}")
        assertion = form.get("client_assertion")
        if not assertion:
            raise TokenError("invalid_request", "client_assertion is required")
        client, claims = self._verify(assertion, token_url)
        allowed = frozenset(client.scopes or ALL_SCOPES)
        requested = form.get("scope")
        if requested:
            scopes = frozenset(requested.split())
            if not scopes <= allowed:
                raise TokenError("invalid_scope", "scope not granted to this client")
        else:
            scopes = allowed
        now = self._clock()
        self._remember_jti(str(claims["jti"]), float(claims["exp"]), now)
        token = AccessToken(
            secrets.token_urlsafe(32), client.client_id, scopes, now + self.token_ttl
        )
        self._tokens[token.value] = token
        return token

    def _verify(self, assertion: str, token_url: str) -> tuple[Client, dict[str, Any]]:
        try:
            header = jwt.get_unverified_header(assertion)
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise TokenError("invalid_client", f"malformed client assertion: {exc}") from exc
        if header.get("alg") != "RS256":
            raise TokenError("invalid_client", "the client assertion must be signed with RS256")
        client_id = unverified.get("iss")
        client = self._find_client(str(client_id)) if client_id else None
        if client is None:
            raise TokenError("invalid_client", "unknown client (iss)")
        if unverified.get("sub") != client_id:
            raise TokenError("invalid_client", "sub must equal iss (the client id)")
        try:
            claims: dict[str, Any] = jwt.decode(
                assertion,
                self._key(client),
                algorithms=["RS256"],
                audience=[token_url, *self.audiences],
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "sub", "aud", "exp", "iat", "jti"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenError("invalid_client", "client assertion expired (exp)") from exc
        except jwt.InvalidAudienceError as exc:
            raise TokenError("invalid_client", "client assertion audience (aud) refused") from exc
        except jwt.PyJWTError as exc:
            raise TokenError("invalid_client", f"client assertion refused: {exc}") from exc
        now = self._clock()
        issued, expires = float(claims["iat"]), float(claims["exp"])
        if issued > now + CLOCK_SKEW_SECONDS:
            raise TokenError("invalid_client", "client assertion issued in the future (iat)")
        # With iat at most the skew ahead, this also keeps exp within limit + skew of now.
        limit = self.max_assertion_lifetime
        if expires - issued > limit:
            raise TokenError(
                "invalid_client", f"client assertion lifetime (exp - iat) exceeds {limit:.0f} s"
            )
        if str(claims["jti"]) in self._seen_jti:
            raise TokenError("invalid_client", "client assertion replayed (jti already used)")
        return client, claims

    def _remember_jti(self, jti: str, expires: float, now: float) -> None:
        if len(self._seen_jti) > 10_000:
            self._seen_jti = {
                j: e for j, e in self._seen_jti.items() if e + CLOCK_SKEW_SECONDS > now
            }
        self._seen_jti[jti] = expires

    def check(self, authorization: str | None, scope: str) -> tuple[AccessToken | None, str]:
        """The token behind an ``Authorization`` header, or None and why it was refused."""
        if not authorization or not authorization.startswith("Bearer "):
            return None, "missing"
        token = self._tokens.get(authorization[7:].strip())
        if token is None:
            return None, "invalid"
        if token.expires_at <= self._clock():
            self._tokens.pop(token.value, None)
            return None, "expired"
        if scope not in token.scopes:
            return token, "scope"
        return token, "ok"

    def purge(self) -> None:
        now = self._clock()
        for value in [v for v, t in self._tokens.items() if t.expires_at <= now]:
            del self._tokens[value]
        self._seen_jti = {j: e for j, e in self._seen_jti.items() if e + CLOCK_SKEW_SECONDS > now}
