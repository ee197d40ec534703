"""The SOAP client against a sandbox subprocess on loopback, with a registered client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapter.edges.dimona_rest.keys import KeyPairPaths
from adapter.edges.dimona_soap import DimonaSoapClient
from adapter.sandbox.process import SandboxProcess
from tests.sandbox.loopback import soap_client
from tests.sandbox.soap_fixtures import CLIENT_ID, clean, keys, sandbox

__all__ = ["CLIENT_ID", "clean", "keys", "sandbox", "soap"]


@pytest.fixture
async def soap(clean: SandboxProcess, keys: KeyPairPaths) -> AsyncIterator[DimonaSoapClient]:
    async with soap_client(clean, keys, CLIENT_ID) as client:
        yield client
