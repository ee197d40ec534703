"""The token endpoint (RFC 6749 errors) and bearer checks on the API (problem+json 401/403)."""

from __future__ import annotations

import argparse
import time
from typing import Any

import annotated_types
import httpx
import pytest

from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.dimona_rest.keys import SigningMaterial
from adapter.edges.dimona_rest.token import TokenProvider
from adapter.sandbox import admin_client
from adapter.sandbox.app import build_context
from adapter.sandbox.config import add_arguments, from_args
from adapter.sandbox.models import Client
from adapter.sandbox.oauth import OAuthServer, TokenError
from adapter.sandbox.process import SandboxProcess
from tests.sandbox import payloads as p
from tests.sandbox.helpers import (
    CONSULT,
    DECLARANT,
    DimonaClient,
    Identity,
    make_identity,
    token_form,
)

PRODUCTION = "https://services.socialsecurity.be/REST/oauth/v5/token"


def _token(sandbox: SandboxProcess, form: dict[str, str]) -> httpx.Response:
    return httpx.post(sandbox.token_url, data=form)


def _error(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    assert response.headers["cache-control"] == "no-store"
    error: str = response.json()["error"]
    return error


def test_token_response_shape(fresh: SandboxProcess, identity: Identity) -> None:
    response = _token(fresh, token_form(identity.assertion(fresh.token_url)))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] > 0
    assert set(body["scope"].split()) == {DECLARANT, CONSULT}


def test_requested_scope_is_granted_alone(fresh: SandboxProcess, identity: Identity) -> None:
    response = _token(fresh, token_form(identity.assertion(fresh.token_url), CONSULT))
    assert response.json()["scope"] == CONSULT


def test_production_audience_is_accepted(fresh: SandboxProcess, identity: Identity) -> None:
    assert _token(fresh, token_form(identity.assertion(PRODUCTION))).status_code == 200


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"aud": "https://example.org/token"}, "audience"),
        ({"exp": int(time.time()) - 120}, "expired"),
        ({"iat": int(time.time()) + 3600, "exp": int(time.time()) + 3900}, "future"),
        ({"sub": "someone-else"}, "sub"),
        ({"jti": None}, "jti"),
        ({"exp": None}, "exp"),
        ({"exp": int(time.time()) + 10 * 365 * 86400}, "valid for ten years"),
        ({"iat": int(time.time()) - 3600, "exp": int(time.time()) + 60}, "lifetime over 5 min"),
    ],
)
def test_bad_assertions_are_invalid_client(
    fresh: SandboxProcess, identity: Identity, claims: dict[str, Any], reason: str
) -> None:
    response = _token(fresh, token_form(identity.assertion(fresh.token_url, **claims)))
    assert _error(response) == "invalid_client", reason


def test_signature_must_match_the_registered_certificate(
    fresh: SandboxProcess, identity: Identity
) -> None:
    impostor = make_identity(identity.client_id)
    response = _token(fresh, token_form(impostor.assertion(fresh.token_url)))
    assert _error(response) == "invalid_client"


def test_unknown_client(fresh: SandboxProcess) -> None:
    stranger = make_identity("self_service_expeditor_unknown")
    assert _error(_token(fresh, token_form(stranger.assertion(fresh.token_url)))) == (
        "invalid_client"
    )


def test_replayed_jti_is_refused(fresh: SandboxProcess, identity: Identity) -> None:
    assertion = identity.assertion(fresh.token_url)
    assert _token(fresh, token_form(assertion)).status_code == 200
    assert _error(_token(fresh, token_form(assertion))) == "invalid_client"


def test_request_errors(fresh: SandboxProcess, identity: Identity) -> None:
    form = token_form(identity.assertion(fresh.token_url))
    assert _error(_token(fresh, {**form, "grant_type": "password"})) == "unsupported_grant_type"
    assert _error(_token(fresh, {k: v for k, v in form.items() if k != "grant_type"})) == (
        "invalid_request"
    )
    assert _error(_token(fresh, {**form, "client_assertion": ""})) == "invalid_request"
    assert _error(_token(fresh, {**form, "client_assertion_type": "x"})) == "invalid_request"
    unknown_scope = {**form, "scope": "scope:dimona:declare"}
    assert _error(_token(fresh, unknown_scope)) == "invalid_scope"
    as_json = httpx.post(fresh.token_url, json=form)
    assert _error(as_json) == "invalid_request"


def test_api_without_token_is_401_problem(fresh: SandboxProcess) -> None:
    response = httpx.post(f"{fresh.api_base_url}/declarations", json=p.ordinary_in())
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "urn:problem-type:belgif:noAccessToken"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_api_with_unknown_token_is_401_invalid(fresh: SandboxProcess) -> None:
    response = httpx.get(
        f"{fresh.api_base_url}/declarations/656309300157",
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert response.status_code == 401
    assert response.json()["type"] == "urn:problem-type:belgif:invalidAccessToken"
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_expired_token_is_401_expired(fresh: SandboxProcess, identity: Identity) -> None:
    admin_client.update_settings(fresh.admin_url, tokenTtl=0)
    try:
        token = _token(fresh, token_form(identity.assertion(fresh.token_url))).json()
    finally:
        admin_client.update_settings(fresh.admin_url, tokenTtl=600)
    response = httpx.get(
        f"{fresh.api_base_url}/declarations/656309300157",
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    assert response.status_code == 401
    assert response.json()["type"] == "urn:problem-type:belgif:expiredAccessToken"


def test_consult_token_may_not_declare(fresh: SandboxProcess, identity: Identity) -> None:
    client = DimonaClient(fresh, identity)
    consult = client.token(CONSULT)
    response = httpx.post(
        f"{fresh.api_base_url}/declarations",
        json=p.ordinary_in(),
        headers={"Authorization": f"Bearer {consult}"},
    )
    assert response.status_code == 403
    assert response.json()["type"] == "urn:problem-type:belgif:missingScope"
    declarant = client.token(DECLARANT)
    response = httpx.get(
        f"{fresh.api_base_url}/declarations/656309300157",
        headers={"Authorization": f"Bearer {declarant}"},
    )
    assert response.status_code == 403
    client.close()


def test_extra_audience_from_the_command_line(identity: Identity) -> None:
    clients = [{"clientId": identity.client_id, "certificatePem": identity.certificate_pem}]
    custom = "https://sandbox.example/REST/oauth/v5/token"
    with SandboxProcess(clients=clients, audiences=[custom]) as sandbox:
        assert _token(sandbox, token_form(identity.assertion(custom))).status_code == 200
        # the token URL as addressed is always accepted; production only by default
        assert _token(sandbox, token_form(identity.assertion(sandbox.token_url))).status_code == 200
        assert _error(_token(sandbox, token_form(identity.assertion(PRODUCTION)))) == (
            "invalid_client"
        )


# -- the assertion lifetime cap, on the OAuth server itself ------------------------------------
TOKEN_URL = "http://sandbox.test/REST/oauth/v5/token"


def _server(identity: Identity, now: int, **options: Any) -> OAuthServer:
    """The server with its clock fixed at ``now`` (PyJWT checks ``exp`` on the real clock, so
    ``now`` is taken from it)."""

    def find(client_id: str) -> Client | None:
        if client_id != identity.client_id:
            return None
        return Client(identity.client_id, identity.certificate_pem)

    return OAuthServer(find, [TOKEN_URL], clock=lambda: float(now), **options)


def _refusal(server: OAuthServer, assertion: str) -> TokenError:
    with pytest.raises(TokenError) as refused:
        server.issue(token_form(assertion), TOKEN_URL)
    return refused.value


def test_assertion_lifetime_is_capped(identity: Identity) -> None:
    now = int(time.time())
    server = _server(identity, now)
    assert server.max_assertion_lifetime == 300
    ok = identity.assertion(TOKEN_URL, iat=now, exp=now + 300)
    assert server.issue(token_form(ok), TOKEN_URL).client_id == identity.client_id
    too_long = _refusal(server, identity.assertion(TOKEN_URL, iat=now, exp=now + 301))
    assert too_long.error == "invalid_client"
    assert "exp - iat" in too_long.description
    # an old iat cannot stretch the window either
    stretched = _refusal(server, identity.assertion(TOKEN_URL, iat=now - 3000, exp=now + 60))
    assert stretched.error == "invalid_client"
    ten_years = _refusal(server, identity.assertion(TOKEN_URL, iat=now, exp=now + 315_360_000))
    assert ten_years.error == "invalid_client"


def test_a_far_future_iat_cannot_carry_exp_along(identity: Identity) -> None:
    now = int(time.time())
    refused = _refusal(
        _server(identity, now), identity.assertion(TOKEN_URL, iat=now + 3600, exp=now + 3660)
    )
    assert refused.error == "invalid_client"
    assert "(iat)" in refused.description


def test_the_cap_is_configurable(identity: Identity) -> None:
    now = int(time.time())
    server = _server(identity, now, max_assertion_lifetime=3600)
    long = identity.assertion(TOKEN_URL, iat=now, exp=now + 3000)
    assert server.issue(token_form(long), TOKEN_URL).client_id == identity.client_id
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert from_args(parser.parse_args([])).max_assertion_lifetime == 300
    config = from_args(parser.parse_args(["--max-assertion-lifetime", "60"]))
    assert build_context(config).oauth.max_assertion_lifetime == 60


async def test_the_adapter_s_longest_assertion_stays_accepted(identity: Identity) -> None:
    """What ``TokenProvider`` signs at the longest lifetime its settings allow passes the cap."""
    bounds = DimonaRestConfig.model_fields["assertion_lifetime_s"].metadata
    longest = min(float(b.le) for b in bounds if isinstance(b, annotated_types.Le))
    now = int(time.time())
    async with TokenProvider(
        client_id=identity.client_id,
        token_url=TOKEN_URL,
        signing=SigningMaterial(identity.private_key),
        clock=lambda: float(now),
        assertion_lifetime_s=longest,
    ) as tokens:
        assertion = tokens.client_assertion()
    issued = _server(identity, now).issue(token_form(assertion), TOKEN_URL)
    assert issued.client_id == identity.client_id
    with pytest.raises(ValueError, match="less than or equal"):
        DimonaRestConfig(assertion_lifetime_s=longest + 1)
