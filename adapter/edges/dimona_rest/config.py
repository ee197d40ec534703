"""Configuration of the Dimona REST edge (filled by ``adapter/settings.py`` from the environment).

Secrets are ``SecretStr``: their repr is masked. Key files are referenced by path only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr, model_validator

PRODUCTION_BASE_URL = "https://services.socialsecurity.be/REST/dimona/v2"
SIMULATION_BASE_URL = "https://services-sim.socialsecurity.be/REST/dimona/v2"
PRODUCTION_TOKEN_URL = "https://services.socialsecurity.be/REST/oauth/v5/token"  # noqa: S105

SCOPE_DECLARANT = "scope:dimona:declaration:declarant"
SCOPE_CONSULT = "scope:dimona:declaration:consult"

TransportName = Literal["httpx", "httpx-pool", "aiohttp", "raw"]
"""``httpx``: one httpx client; ``httpx-pool``: several; ``aiohttp``: httpx over one aiohttp
session, submit/get_answer straight on aiohttp (``lean.py``); ``raw``: the same, except that
submit/get_answer go over raw HTTP/1.1 connections parsed by httptools (``raw.py``; about
2-3x less client CPU per request than ``aiohttp``, docs/dimona-client.md)."""


def check_http_url(value: str) -> str:
    """An absolute http(s) URL with a host, else a configuration error (exit 3 at start-up).

    Without this, ``services.socialsecurity.be/REST/dimona/v2`` (no scheme) passed the
    configuration check and every declaration then waited forever on a request that could
    never be sent. The message never repeats the value: a URL may carry credentials.
    """
    try:
        parts = urlsplit(value)
        port = parts.port  # raises on a port that is not a number
    except ValueError:
        msg = "not a valid URL"
        raise ValueError(msg) from None
    if parts.scheme not in ("http", "https"):
        msg = "must be an absolute URL starting with https:// (or http:// for a local sandbox)"
        raise ValueError(msg)
    if not parts.hostname:
        msg = "must name a host (https://host/...)"
        raise ValueError(msg)
    del port
    return value


HttpUrl = Annotated[str, AfterValidator(check_http_url)]
"""A URL setting, kept as the text given (no normalisation), checked as an http(s) URL."""


class DimonaRestConfig(BaseModel):
    """How to reach ONSS over REST and how hard to push it.

    Credentials: either ``private_key_path`` + ``certificate_path`` (PEM files), or
    ``private_key_pem`` (inline PEM) with an optional certificate, or ``pkcs12_path`` with
    ``pkcs12_password``.

    Concurrency: at most ``max_in_flight`` requests at once in total. With the ``httpx-pool``
    transport they are spread over ``ceil(max_in_flight / max_per_client)`` httpx clients, because
    one httpx 0.28 ``AsyncClient`` collapses beyond ~35 concurrent requests (docs/performance.md).
    ``rate_limit_per_s`` caps the request rate to the public service (``None`` = no cap).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: HttpUrl = PRODUCTION_BASE_URL
    token_url: HttpUrl = PRODUCTION_TOKEN_URL
    client_id: str = ""
    private_key_path: Path | None = None
    certificate_path: Path | None = None
    pkcs12_path: Path | None = None
    pkcs12_password: SecretStr | None = None
    private_key_pem: SecretStr | None = None

    connect_timeout_s: float = Field(default=5.0, gt=0)
    read_timeout_s: float = Field(default=30.0, gt=0)
    write_timeout_s: float = Field(default=10.0, gt=0)
    pool_timeout_s: float = Field(default=30.0, gt=0)

    max_in_flight: int = Field(default=60, ge=1)
    max_per_client: int = Field(default=10, ge=1)
    rate_limit_per_s: float | None = Field(default=None, gt=0)
    rate_limit_burst: int = Field(default=1, ge=1)
    transport: TransportName = "raw"
    """``raw``: submit and get_answer on raw HTTP/1.1 keep-alive connections (``raw.py``), 2.2–2.9×
    cheaper than the aiohttp path at 30–200 requests in flight (docs/performance.md); tokens,
    searches and periods on httpx over aiohttp. ``aiohttp``: the hot calls on aiohttp."""

    scopes: tuple[str, ...] = (SCOPE_DECLARANT, SCOPE_CONSULT)
    # single use, sent at once: 5 minutes is the most an OAuth server may be expected to take
    assertion_lifetime_s: float = Field(default=60.0, gt=0, le=300)
    token_refresh_margin_s: float = Field(default=60.0, ge=0)
    search_page_size: int = Field(default=50, ge=1, le=1000)
    user_agent: str = "dimona-adapter"

    @model_validator(mode="after")
    def _one_credential_source(self) -> DimonaRestConfig:
        sources = [
            self.private_key_path is not None,
            self.private_key_pem is not None,
            self.pkcs12_path is not None,
        ]
        if sum(sources) > 1:
            raise ValueError("give only one of private_key_path, private_key_pem and pkcs12_path")
        return self

    @property
    def has_credentials(self) -> bool:
        return any(
            (
                self.private_key_path is not None,
                self.private_key_pem is not None,
                self.pkcs12_path is not None,
            )
        )
