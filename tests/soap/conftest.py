"""A sandbox subprocess on loopback with a registered client, and SOAP clients for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from adapter.edges.dimona_rest.keys import KeyPairPaths, create_key_pair, load_pem_files
from adapter.edges.dimona_rest.token import TokenProvider
from adapter.edges.dimona_soap import DimonaSoapClient
from adapter.sandbox import admin_client
from adapter.sandbox.process import SandboxProcess

CLIENT_ID = "self_service_chaman_777_soap"


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> KeyPairPaths:
    return create_key_pair(tmp_path_factory.mktemp("soap-keys"), CLIENT_ID)


@pytest.fixture(scope="module")
def sandbox(keys: KeyPairPaths) -> Iterator[SandboxProcess]:
    with SandboxProcess(processing_delay=0) as running:
        admin_client.register_client(running.admin_url, CLIENT_ID, keys.certificate.read_text())
        yield running


@pytest.fixture
def clean(sandbox: SandboxProcess) -> Iterator[SandboxProcess]:
    """The sandbox with no declarations and no faults (clients stay registered)."""
    admin_client.reset(sandbox.admin_url)
    yield sandbox
    admin_client.clear_faults(sandbox.admin_url)


def token_provider(sandbox: SandboxProcess, keys: KeyPairPaths, client_id: str) -> TokenProvider:
    return TokenProvider(
        client_id=client_id,
        token_url=sandbox.token_url,
        signing=load_pem_files(keys.private_key, keys.certificate),
    )


@pytest.fixture
async def soap(clean: SandboxProcess, keys: KeyPairPaths) -> AsyncIterator[DimonaSoapClient]:
    client = DimonaSoapClient(
        endpoint=clean.soap_url,
        token_provider=token_provider(clean, keys, CLIENT_ID),
        owns_token_provider=True,
    )
    async with client:
        yield client
