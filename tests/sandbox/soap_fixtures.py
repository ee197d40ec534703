"""Fixtures of a sandbox subprocess on loopback with a registered SOAP client, shared by the
SOAP endpoint's tests (tests/sandbox/soap) and the SOAP client's (tests/edges/dimona_soap):
each conftest imports them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapter.edges.dimona_rest.keys import KeyPairPaths, create_key_pair
from adapter.sandbox import admin_client
from adapter.sandbox.process import SandboxProcess
from tests.sandbox.loopback import running_sandbox

CLIENT_ID = "self_service_chaman_777_soap"


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> KeyPairPaths:
    return create_key_pair(tmp_path_factory.mktemp("soap-keys"), CLIENT_ID)


@pytest.fixture(scope="module")
def sandbox(keys: KeyPairPaths) -> Iterator[SandboxProcess]:
    with running_sandbox(keys, CLIENT_ID, processing_delay=0) as running:
        yield running


@pytest.fixture
def clean(sandbox: SandboxProcess) -> Iterator[SandboxProcess]:
    """The sandbox with no declarations and no faults (clients stay registered)."""
    admin_client.reset(sandbox.admin_url)
    yield sandbox
    admin_client.clear_faults(sandbox.admin_url)
