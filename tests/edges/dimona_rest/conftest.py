from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapter.edges.dimona_rest.client import DimonaRestClient
from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.dimona_rest.keys import KeyPairPaths, create_key_pair
from adapter.edges.dimona_rest.token import TokenProvider

from .fake_onss import BASE_URL, TOKEN_URL, FakeOnss

CLIENT_ID = "self_service_chaman_1_test"


class FakeClock:
    """Wall-clock seconds that only move when a test says so."""

    def __init__(self, now: float = 1_767_225_600.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="session")
def key_pair(tmp_path_factory: pytest.TempPathFactory) -> KeyPairPaths:
    return create_key_pair(tmp_path_factory.mktemp("keys"), CLIENT_ID)


@pytest.fixture
def config(key_pair: KeyPairPaths) -> DimonaRestConfig:
    return DimonaRestConfig(
        base_url=BASE_URL,
        token_url=TOKEN_URL,
        client_id=CLIENT_ID,
        private_key_path=key_pair.private_key,
        certificate_path=key_pair.certificate,
        max_in_flight=8,
        max_per_client=3,
        transport="httpx-pool",
    )


@pytest.fixture
def onss(key_pair: KeyPairPaths) -> FakeOnss:
    return FakeOnss(certificate_pem=key_pair.certificate.read_bytes(), client_id=CLIENT_ID)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def tokens(
    config: DimonaRestConfig, onss: FakeOnss, clock: FakeClock
) -> AsyncIterator[TokenProvider]:
    async with TokenProvider.from_config(config, transport=onss.transport(), clock=clock) as tp:
        yield tp


@pytest.fixture
async def client(
    config: DimonaRestConfig, onss: FakeOnss, clock: FakeClock
) -> AsyncIterator[DimonaRestClient]:
    async with DimonaRestClient.from_config(
        config, transport=onss.transport(), clock=clock
    ) as dimona:
        yield dimona
