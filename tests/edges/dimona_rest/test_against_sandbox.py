"""The REST client against the running sandbox: real HTTP on loopback, real OAuth, real faults."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from adapter.core.results import DimonaResult
from adapter.edges.dimona_rest.client import DimonaRestClient
from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.dimona_rest.errors import (
    DimonaAuthRefused,
    DimonaAuthUnavailable,
    DimonaPermanentError,
    DimonaTransientError,
    DimonaUncertainSubmission,
)
from adapter.edges.dimona_rest.keys import KeyPairPaths, create_key_pair
from adapter.edges.dimona_rest.token import TokenProvider
from adapter.sandbox import admin_client
from adapter.sandbox.process import SandboxProcess

pytestmark = pytest.mark.slow

CLIENT_ID = "self_service_chaman_424242_sandbox"
EMPLOYER = 123456749


def in_body(ssin: str = "90051512391", start: str = "2026-03-02") -> dict[str, object]:
    return {
        "employer": {"employerId": EMPLOYER},
        "worker": {"ssin": ssin},
        "dimonaIn": {
            "startDate": start,
            "features": {"jointCommissionNumber": "XXX", "workerType": "OTH"},
        },
    }


@pytest.fixture(scope="module")
def sandbox_keys(tmp_path_factory: pytest.TempPathFactory) -> KeyPairPaths:
    return create_key_pair(tmp_path_factory.mktemp("sandbox-keys"), CLIENT_ID)


@pytest.fixture(scope="module")
def sandbox(sandbox_keys: KeyPairPaths) -> Iterator[SandboxProcess]:
    with SandboxProcess(processing_delay=0) as running:
        admin_client.register_client(
            running.admin_url, CLIENT_ID, sandbox_keys.certificate.read_text()
        )
        yield running


@pytest.fixture
def sandbox_config(
    sandbox: SandboxProcess, sandbox_keys: KeyPairPaths
) -> Iterator[DimonaRestConfig]:
    yield DimonaRestConfig(
        base_url=sandbox.api_base_url,
        token_url=sandbox.token_url,
        client_id=CLIENT_ID,
        private_key_path=sandbox_keys.private_key,
        certificate_path=sandbox_keys.certificate,
        read_timeout_s=5,
    )
    admin_client.clear_faults(sandbox.admin_url)
    admin_client.update_settings(sandbox.admin_url, tokenTtl=600)


@pytest.fixture
async def dimona(sandbox_config: DimonaRestConfig) -> AsyncIterator[DimonaRestClient]:
    async with DimonaRestClient.from_config(sandbox_config) as client:
        yield client


async def _answer(client: DimonaRestClient, sandbox: SandboxProcess, declaration_id: int):  # type: ignore[no-untyped-def]
    for _ in range(50):
        answer = await client.get_answer(declaration_id)
        if answer is not None:
            return answer
        admin_client.process_now(sandbox.admin_url)
    raise AssertionError("the sandbox never processed the declaration")


async def test_submit_poll_and_consult(dimona: DimonaRestClient, sandbox: SandboxProcess) -> None:
    declaration_id = await dimona.submit_body(in_body())
    answer = await _answer(dimona, sandbox, declaration_id)
    assert answer.declaration_id == declaration_id
    assert answer.result in (DimonaResult.ACCEPTED, DimonaResult.ACCEPTED_WITH_WARNING)
    assert answer.period_id is not None
    period = await dimona.get_period(answer.period_id)
    assert period is not None
    assert await dimona.get_period(999999999999) is None
    criteria = {"employer": {"employerId": EMPLOYER}}
    declarations = [d async for d in dimona.search_declarations(criteria)]
    assert declaration_id in {d["declarationStatus"]["declarationId"] for d in declarations}
    assert [p async for p in dimona.search_periods(criteria)]
    assert [r async for r in dimona.search_relations(criteria)]


async def test_search_pages_through_the_sandbox(
    sandbox_config: DimonaRestConfig, sandbox: SandboxProcess
) -> None:
    small_pages = sandbox_config.model_copy(update={"search_page_size": 1})
    async with DimonaRestClient.from_config(small_pages) as client:
        for ssin in ("04022924678", "90051512391"):
            await client.submit_body(in_body(ssin, start="2026-05-04"))
        admin_client.process_now(sandbox.admin_url, everything=True)
        items = [
            d async for d in client.search_declarations({"employer": {"employerId": EMPLOYER}})
        ]
    assert len(items) >= 2
    assert len({d["declarationStatus"]["declarationId"] for d in items}) == len(items)


async def test_schema_error_is_permanent_with_issues(dimona: DimonaRestClient) -> None:
    body = in_body()
    body["dimonaIn"] = {**body["dimonaIn"], "startHour": "18:00"}  # type: ignore[dict-item]
    with pytest.raises(DimonaPermanentError) as info:
        await dimona.submit_body(body)
    assert info.value.status == 400
    assert info.value.issues


async def test_no_mandate_is_permanent_403(
    sandbox: SandboxProcess, sandbox_config: DimonaRestConfig, tmp_path: Path
) -> None:
    keys = create_key_pair(tmp_path, "self_service_chaman_1_limited")
    admin_client.register_client(
        sandbox.admin_url,
        "self_service_chaman_1_limited",
        keys.certificate.read_text(),
        employers=["100000015"],
    )
    limited = sandbox_config.model_copy(
        update={
            "client_id": "self_service_chaman_1_limited",
            "private_key_path": keys.private_key,
            "certificate_path": keys.certificate,
        }
    )
    async with DimonaRestClient.from_config(limited) as client:
        with pytest.raises(DimonaPermanentError) as info:
            await client.submit_body(in_body())
    assert info.value.status == 403


async def test_unknown_client_is_refused_as_configuration(
    sandbox_config: DimonaRestConfig,
) -> None:
    stranger = sandbox_config.model_copy(update={"client_id": "self_service_chaman_0_unknown"})
    async with DimonaRestClient.from_config(stranger) as client:
        with pytest.raises(DimonaAuthRefused):
            await client.submit_body(in_body())


async def test_token_outage_is_transient(
    sandbox: SandboxProcess, sandbox_config: DimonaRestConfig
) -> None:
    admin_client.set_faults(sandbox.admin_url, tokenOutage=True)
    async with DimonaRestClient.from_config(sandbox_config) as client:
        with pytest.raises(DimonaAuthUnavailable):
            await client.get_answer(1)


async def test_429_with_retry_after(dimona: DimonaRestClient, sandbox: SandboxProcess) -> None:
    await dimona.get_answer(1)  # token first, so the script hits the API call
    admin_client.set_faults(sandbox.admin_url, script={"submit": ["429"]}, retryAfterSeconds=7)
    with pytest.raises(DimonaTransientError) as info:
        await dimona.submit_body(in_body())
    assert info.value.status == 429
    assert info.value.retry_after == 7.0


@pytest.mark.parametrize("transport", ["raw", "aiohttp", "httpx-pool", "httpx"])
@pytest.mark.parametrize("action", ["lost", "reset"])
async def test_lost_answer_to_submit_is_uncertain_and_reconcilable(
    sandbox: SandboxProcess, sandbox_config: DimonaRestConfig, action: str, transport: str
) -> None:
    config = sandbox_config.model_copy(update={"transport": transport})
    criteria = {"employer": {"employerId": EMPLOYER}}
    async with DimonaRestClient.from_config(config) as dimona:
        before = len([d async for d in dimona.search_declarations(criteria)])
        admin_client.set_faults(sandbox.admin_url, script={"submit": [action]})
        with pytest.raises(DimonaUncertainSubmission):
            await dimona.submit_body(in_body("04022924678", start="2026-06-01"))
        after = len([d async for d in dimona.search_declarations(criteria)])
    # "lost": recorded, answer lost. "reset": maybe recorded. The search tells which.
    if action == "lost":
        assert after == before + 1


async def test_expired_token_is_refreshed_once(
    sandbox: SandboxProcess, sandbox_config: DimonaRestConfig
) -> None:
    admin_client.update_settings(sandbox.admin_url, tokenTtl=1)
    # Our clock lags 5 s behind the sandbox's (within its 30 s skew allowance), so the
    # provider still trusts a token the sandbox has already expired.
    lagging_config = sandbox_config.model_copy(update={"token_refresh_margin_s": 0})
    tokens = TokenProvider.from_config(lagging_config, clock=lambda: time.time() - 5)
    async with (
        tokens,
        DimonaRestClient.from_config(sandbox_config, token_provider=tokens) as client,
    ):
        await client.get_answer(1)
        await asyncio.sleep(1.2)  # let the sandbox expire the token (not a timing assertion)
        assert await client.get_answer(1) is None
    assert tokens.fetch_count == 2
