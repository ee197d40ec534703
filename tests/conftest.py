"""Root fixtures: the broker ladder (one broker per test session)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapter.edges.kafka.ladder import BrokerHandle, kafka_broker


@pytest.fixture(scope="session")
def broker() -> Iterator[BrokerHandle]:
    """KAFKA_BOOTSTRAP_SERVERS, else testcontainers when Docker answers, else embedded Tansu."""
    with kafka_broker() as handle:
        yield handle
