"""Fixtures of the command tests: a real sandbox (one per session) and a client registered in it.

Settings given as environment variables are in ``settings_env.py`` (a helper module, so no
test imports from a conftest)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.dimona_rest.keys import create_key_pair
from adapter.sandbox.process import SandboxProcess


@pytest.fixture(scope="session")
def onss_sandbox() -> Iterator[SandboxProcess]:
    with SandboxProcess(processing_delay=0) as process:
        yield process


@pytest.fixture
def onss_config(tmp_path: Path, onss_sandbox: SandboxProcess) -> DimonaRestConfig:
    from adapter.sandbox.admin_client import register_client

    client_id = f"self_service_chaman_{tmp_path.name[-12:]}"
    keys = create_key_pair(tmp_path / "keys", client_id)
    register_client(onss_sandbox.admin_url, client_id, keys.certificate.read_text(encoding="ascii"))
    return DimonaRestConfig(
        base_url=onss_sandbox.api_base_url,
        token_url=onss_sandbox.token_url,
        client_id=client_id,
        private_key_path=keys.private_key,
        certificate_path=keys.certificate,
    )
