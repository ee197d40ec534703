"""The broker ladder: which Kafka to use when none is configured for production.

1. ``KAFKA_BOOTSTRAP_SERVERS`` when set (an external cluster);
2. an Apache Kafka container through testcontainers when a Docker engine answers;
3. the embedded Tansu broker.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from adapter.edges.kafka.embedded import EmbeddedBroker

KAFKA_IMAGE = "apache/kafka:3.9.0"


@dataclass(frozen=True, slots=True)
class BrokerHandle:
    """Where the broker is and which rung of the ladder provided it."""

    bootstrap_servers: str
    kind: str  # "external", "testcontainers" or "embedded"


def docker_engine_answers() -> bool:
    """True when a Docker engine (not just the client) is reachable."""
    try:
        import docker
    except ImportError:
        return False
    try:
        client = docker.from_env(timeout=2)
        client.ping()
    except Exception:  # noqa: BLE001 - any failure means "no engine"
        return False
    return True


@contextmanager
def kafka_broker(*, allow_containers: bool = True) -> Iterator[BrokerHandle]:
    """Yield a broker from the first rung of the ladder that is available."""
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    if external:
        yield BrokerHandle(external, "external")
        return
    if allow_containers and docker_engine_answers():
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer(KAFKA_IMAGE) as container:
            yield BrokerHandle(container.get_bootstrap_server(), "testcontainers")
        return
    with EmbeddedBroker() as broker:
        yield BrokerHandle(broker.bootstrap_servers, "embedded")
