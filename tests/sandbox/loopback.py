"""The sandbox as the adapter's clients meet it: a subprocess on loopback with one registered
key-pair client, and the REST and SOAP clients configured for it.

Shared by the client tests (``tests/edges/dimona_soap``), the gateway contract suite and the
sandbox's own SOAP tests (``tests/sandbox/soap``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from adapter.edges.dimona_rest.client import DimonaRestClient
from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.dimona_rest.keys import KeyPairPaths, load_pem_files
from adapter.edges.dimona_rest.token import TokenProvider
from adapter.edges.dimona_soap import DimonaSoapClient
from adapter.sandbox import admin_client
from adapter.sandbox.process import SandboxProcess


@contextmanager
def running_sandbox(keys: KeyPairPaths, client_id: str, **options: Any) -> Iterator[SandboxProcess]:
    """A sandbox subprocess (``SandboxProcess`` options) that knows the client's certificate."""
    with SandboxProcess(**options) as running:
        admin_client.register_client(running.admin_url, client_id, keys.certificate.read_text())
        yield running


def token_provider(sandbox: SandboxProcess, keys: KeyPairPaths, client_id: str) -> TokenProvider:
    return TokenProvider(
        client_id=client_id,
        token_url=sandbox.token_url,
        signing=load_pem_files(keys.private_key, keys.certificate),
    )


def rest_client(sandbox: SandboxProcess, keys: KeyPairPaths, client_id: str) -> DimonaRestClient:
    config = DimonaRestConfig(
        base_url=sandbox.api_base_url,
        token_url=sandbox.token_url,
        client_id=client_id,
        private_key_path=keys.private_key,
        certificate_path=keys.certificate,
        read_timeout_s=5,
    )
    return DimonaRestClient.from_config(config)


def soap_client(sandbox: SandboxProcess, keys: KeyPairPaths, client_id: str) -> DimonaSoapClient:
    return DimonaSoapClient(
        endpoint=sandbox.soap_url,
        token_provider=token_provider(sandbox, keys, client_id),
        owns_token_provider=True,
    )
