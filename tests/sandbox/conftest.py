from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapter.sandbox import admin_client
from adapter.sandbox.process import SandboxProcess
from tests.sandbox.helpers import DimonaClient, Identity, make_identity


@pytest.fixture(scope="session")
def identity() -> Identity:
    return make_identity("self_service_chaman_123456_abcdef1234")


@pytest.fixture(scope="session")
def sandbox(identity: Identity) -> Iterator[SandboxProcess]:
    """One shared sandbox (processing delay 0); every test starts from a reset state."""
    clients = [{"clientId": identity.client_id, "certificatePem": identity.certificate_pem,
                "employers": None}]  # fmt: skip
    with SandboxProcess(processing_delay=0, clients=clients) as process:
        yield process


@pytest.fixture
def fresh(sandbox: SandboxProcess) -> SandboxProcess:
    admin_client.reset(sandbox.admin_url)
    admin_client.update_settings(
        sandbox.admin_url, processingDelay=0, identificationDelay=60, studentQuotaHours=650
    )
    return sandbox


@pytest.fixture
def client(fresh: SandboxProcess, identity: Identity) -> Iterator[DimonaClient]:
    dimona = DimonaClient(fresh, identity)
    yield dimona
    dimona.close()
