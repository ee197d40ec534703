from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import jwt
import pytest
from cryptography import x509

from adapter.core.errors import FatalConfiguration, TransientError
from adapter.edges.dimona_rest.config import SCOPE_CONSULT, SCOPE_DECLARANT, DimonaRestConfig
from adapter.edges.dimona_rest.errors import DimonaAuthRefused, DimonaAuthUnavailable
from adapter.edges.dimona_rest.keys import KeyPairPaths
from adapter.edges.dimona_rest.token import CLIENT_ASSERTION_TYPE, TokenProvider

from .conftest import CLIENT_ID, FakeClock
from .fake_onss import TOKEN_URL, FakeOnss


async def test_client_assertion_is_an_rs256_jwt_with_the_reference_claims(
    tokens: TokenProvider, key_pair: KeyPairPaths, clock: FakeClock
) -> None:
    first, second = tokens.client_assertion(), tokens.client_assertion()
    assert jwt.get_unverified_header(first) == {"alg": "RS256", "typ": "JWT"}
    claims = [
        jwt.decode(
            a,
            _public_key(key_pair),
            algorithms=["RS256"],
            audience=TOKEN_URL,
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
        for a in (first, second)
    ]
    assert claims[0]["iss"] == claims[0]["sub"] == CLIENT_ID
    assert claims[0]["aud"] == TOKEN_URL
    assert claims[0]["iat"] == int(clock.now)
    assert claims[0]["exp"] - claims[0]["iat"] == 60
    assert claims[0]["jti"] != claims[1]["jti"]


def _public_key(key_pair: KeyPairPaths) -> Any:
    return x509.load_pem_x509_certificate(key_pair.certificate.read_bytes()).public_key()


async def test_token_request_is_client_credentials_with_assertion_and_scopes(
    tokens: TokenProvider, onss: FakeOnss
) -> None:
    assert await tokens.token() == "tok-1"
    form = onss.token_requests[0]
    assert form["grant_type"] == "client_credentials"
    assert form["client_assertion_type"] == CLIENT_ASSERTION_TYPE
    assert form["scope"] == f"{SCOPE_DECLARANT} {SCOPE_CONSULT}"
    assert "client_secret" not in form


async def test_no_scope_parameter_when_no_scopes_are_configured(
    config: DimonaRestConfig, onss: FakeOnss
) -> None:
    bare = config.model_copy(update={"scopes": ()})
    async with TokenProvider.from_config(bare, transport=onss.transport()) as provider:
        await provider.token()
    assert "scope" not in onss.token_requests[0]


async def test_tokens_are_cached_per_scope_set_and_refreshed_before_expiry(
    tokens: TokenProvider, onss: FakeOnss, clock: FakeClock
) -> None:
    onss.expires_in = 600
    assert await tokens.token() == "tok-1"
    assert await tokens.token([SCOPE_CONSULT, SCOPE_DECLARANT]) == "tok-1"  # same set
    assert await tokens.token([SCOPE_CONSULT]) == "tok-2"
    assert await tokens.token([SCOPE_CONSULT]) == "tok-2"
    assert onss.token_requests[1]["scope"] == SCOPE_CONSULT
    clock.advance(600 - 61)
    assert await tokens.token() == "tok-1"
    clock.advance(2)  # now within the 60 s refresh margin
    assert await tokens.token() == "tok-3"
    assert tokens.fetch_count == 3


async def test_short_lived_tokens_refresh_at_half_their_life(
    tokens: TokenProvider, onss: FakeOnss, clock: FakeClock
) -> None:
    onss.expires_in = 20
    assert await tokens.token() == "tok-1"
    clock.advance(9)
    assert await tokens.token() == "tok-1"
    clock.advance(1)
    assert await tokens.token() == "tok-2"


async def test_one_refresh_in_flight_under_concurrency(
    tokens: TokenProvider, onss: FakeOnss
) -> None:
    results = await asyncio.gather(*(tokens.token() for _ in range(50)))
    assert set(results) == {"tok-1"}
    assert len(onss.token_requests) == 1


async def test_invalidate_drops_only_the_refused_token(
    tokens: TokenProvider, onss: FakeOnss
) -> None:
    assert await tokens.token() == "tok-1"
    tokens.invalidate("tok-unknown")
    assert await tokens.token() == "tok-1"
    tokens.invalidate("tok-1")
    assert await tokens.token() == "tok-2"
    tokens.invalidate("tok-1")  # a late 401 for the old token does not drop the new one
    assert await tokens.token() == "tok-2"


@pytest.mark.parametrize("status", [400, 401, 403])
async def test_token_endpoint_refusal_is_fatal_configuration(
    tokens: TokenProvider, onss: FakeOnss, status: int
) -> None:
    onss.token_status = status
    onss.token_body = {"error": "invalid_client", "error_description": "unknown certificate"}
    with pytest.raises(DimonaAuthRefused, match="invalid_client: unknown certificate") as info:
        await tokens.token()
    assert isinstance(info.value, FatalConfiguration)
    assert info.value.status == status


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_token_endpoint_outage_is_transient(
    tokens: TokenProvider, onss: FakeOnss, status: int
) -> None:
    onss.token_status = status
    onss.token_headers = {"Retry-After": "7"}
    with pytest.raises(DimonaAuthUnavailable) as info:
        await tokens.token()
    assert isinstance(info.value, TransientError)
    assert info.value.retry_after == 7.0


async def test_unreachable_token_endpoint_is_transient(config: DimonaRestConfig) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with TokenProvider.from_config(config, transport=httpx.MockTransport(refuse)) as tp:
        with pytest.raises(DimonaAuthUnavailable, match="ConnectError"):
            await tp.token()


async def test_malformed_token_answers(tokens: TokenProvider, onss: FakeOnss) -> None:
    cases = [
        (httpx.Response(200, text="<html>"), DimonaAuthUnavailable),
        (httpx.Response(200, json={"token_type": "Bearer"}), DimonaAuthUnavailable),
        (httpx.Response(200, json={"access_token": "t", "token_type": "MAC"}), DimonaAuthRefused),
    ]
    for response, error in cases:
        transport = httpx.MockTransport(lambda request, r=response: r)
        provider = TokenProvider(
            client_id=CLIENT_ID,
            token_url=TOKEN_URL,
            signing=tokens._signing,
            transport=transport,
        )
        async with provider:
            with pytest.raises(error):
                await provider.token()


async def test_missing_client_id_is_fatal(config: DimonaRestConfig) -> None:
    with pytest.raises(DimonaAuthRefused, match="client id"):
        TokenProvider.from_config(config.model_copy(update={"client_id": ""}))


async def test_no_secret_in_logs_or_repr(
    tokens: TokenProvider, onss: FakeOnss, key_pair: KeyPairPaths, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = await tokens.token()
    assertion = tokens.client_assertion()
    key_line = key_pair.private_key.read_text().splitlines()[1]
    texts = [caplog.text, repr(tokens), str(tokens)]
    texts += [str(r.__dict__) for r in caplog.records]
    for text in texts:
        assert token not in text
        assert assertion.split(".")[2] not in text
        assert key_line not in text
        assert onss.token_requests[0]["client_assertion"] not in text
