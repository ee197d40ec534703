"""Root fixtures: the broker ladder (one broker per test session)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import settings

from adapter.edges.kafka.ladder import BrokerHandle, kafka_broker

# No timing in tests: Hypothesis' per-example deadline (200 ms) fails on a loaded machine.
settings.register_profile("dimona", deadline=None)
settings.load_profile("dimona")


@pytest.fixture(scope="session")
def broker() -> Iterator[BrokerHandle]:
    """KAFKA_BOOTSTRAP_SERVERS, else testcontainers when Docker answers, else embedded Tansu."""
    with kafka_broker() as handle:
        yield handle
