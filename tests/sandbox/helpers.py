"""Test helpers: RSA identities, client assertions and a small REST client for the sandbox."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from adapter.sandbox.process import SandboxProcess

DECLARANT = "scope:dimona:declaration:declarant"
CONSULT = "scope:dimona:declaration:consult"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass(frozen=True)
class Identity:
    client_id: str
    private_key: rsa.RSAPrivateKey
    certificate_pem: str

    def assertion(self, audience: str, **overrides: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": audience,
            "jti": str(uuid.uuid4()),
            "iat": now,
            "exp": now + 300,
        }
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, self.private_key, algorithm="RS256")


def make_identity(client_id: str) -> Identity:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, client_id)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    return Identity(client_id, key, pem)


def token_form(assertion: str, scope: str | None = None) -> dict[str, str]:
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
    }
    if scope is not None:
        form["scope"] = scope
    return form


class DimonaClient:
    """What a real v2 client does: token, POST, poll GET."""

    def __init__(self, sandbox: SandboxProcess, identity: Identity) -> None:
        self.sandbox = sandbox
        self.identity = identity
        self.http = httpx.Client(timeout=10.0)
        self._token: str | None = None

    def token(self, scope: str | None = None) -> str:
        response = self.http.post(
            self.sandbox.token_url,
            data=token_form(self.identity.assertion(self.sandbox.token_url), scope),
        )
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token

    @property
    def headers(self) -> dict[str, str]:
        if self._token is None:
            self._token = self.token()
        return {"Authorization": f"Bearer {self._token}"}

    def post(self, body: dict[str, Any]) -> httpx.Response:
        url = f"{self.sandbox.api_base_url}/declarations"
        return self.http.post(url, json=body, headers=self.headers)

    def submit(self, body: dict[str, Any]) -> int:
        response = self.post(body)
        assert response.status_code == 201, response.text
        return int(response.headers["Location"].rsplit("/", 1)[1])

    def get(self, declaration_id: int) -> httpx.Response:
        url = f"{self.sandbox.api_base_url}/declarations/{declaration_id}"
        return self.http.get(url, headers=self.headers)

    def answer(self, declaration_id: int, timeout: float = 10.0) -> dict[str, Any]:
        """Poll until processed; returns the declarationStatus."""
        deadline = time.monotonic() + timeout
        while True:
            response = self.get(declaration_id)
            if response.status_code == 200:
                status: dict[str, Any] = response.json()["declarationStatus"]
                return status
            assert response.status_code == 404, response.text
            assert time.monotonic() < deadline, "declaration never processed"
            time.sleep(0.02)

    def declare(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.answer(self.submit(body))

    def search(self, what: str, criteria: dict[str, Any], **params: Any) -> httpx.Response:
        url = f"{self.sandbox.api_base_url}/{what}/search"
        return self.http.post(url, json=criteria, params=params, headers=self.headers)

    def period(self, period_id: int) -> httpx.Response:
        return self.http.get(
            f"{self.sandbox.api_base_url}/periods/{period_id}", headers=self.headers
        )

    def close(self) -> None:
        self.http.close()


def codes(status: dict[str, Any]) -> list[str]:
    return [a["errorId"] for a in status.get("anomalies", [])]
