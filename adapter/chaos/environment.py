"""What a chaos session runs against: the embedded broker behind a severable TCP proxy, and
the Dimona sandbox with short-lived tokens. Shared by the runs of one session."""

from __future__ import annotations

import re
from collections import Counter
from contextlib import ExitStack
from types import TracebackType
from typing import Any, Self

import httpx
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient

from adapter.chaos.proxy import TcpProxy
from adapter.edges.kafka.embedded import EmbeddedBroker, free_loopback_port
from adapter.sandbox.process import SandboxProcess

TOKEN_TTL_S = 5
"""Access tokens expire every few seconds, so renewal happens many times per run."""
QUIET = {"log_level": 0}
"""librdkafka would print every refused connection of a broker cut to stderr."""


class ChaosEnvironment:
    def __init__(self, *, processing_delay: float = 1.0) -> None:
        self._stack = ExitStack()
        self._processing_delay = processing_delay
        self.proxy: TcpProxy | None = None
        self.sandbox: SandboxProcess | None = None

    @property
    def bootstrap_servers(self) -> str:
        assert self.proxy is not None
        return self.proxy.address

    def start(self) -> Self:
        try:
            broker_port, proxy_port = free_loopback_port(), free_loopback_port()
            proxy = TcpProxy(listen_port=proxy_port, target_port=broker_port)
            self.proxy = self._stack.enter_context(proxy)
            self._stack.enter_context(EmbeddedBroker(port=broker_port, advertised_port=proxy_port))
            self.sandbox = self._stack.enter_context(
                SandboxProcess(
                    processing_delay=self._processing_delay,
                    extra_args=["--token-ttl", str(TOKEN_TTL_S)],
                )
            )
        except BaseException:
            self._stack.close()
            raise
        return self

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def faults_injected(self) -> Counter[str]:
        """The sandbox's own count of injected faults, by fault kind (cumulative)."""
        assert self.sandbox is not None
        text = httpx.get(self.sandbox.metrics_url, timeout=10).text
        counts: Counter[str] = Counter()
        for match in _FAULT_LINE.finditer(text):
            fault = re.search(r'fault="([^"]*)"', match.group(1))
            counts[fault.group(1) if fault else "?"] += int(float(match.group(2)))
        return counts


_FAULT_LINE = re.compile(r"^sandbox_faults_injected_total\{([^}]*)\} (\S+)$", re.MULTILINE)


class DeliveryChecked:
    """A producer that never drops a record silently: failures are counted, not ignored."""

    def __init__(self, bootstrap_servers: str) -> None:
        self._producer = Producer(
            {
                "bootstrap.servers": bootstrap_servers,
                "enable.idempotence": True,
                "message.timeout.ms": 300_000,
                **QUIET,
            }
        )
        self.failed: list[str] = []

    def produce(self, topic: str, key: bytes | None, value: bytes) -> None:
        self._producer.produce(topic, key=key, value=value, on_delivery=self._delivered)
        self._producer.poll(0)

    def _delivered(self, error: Any, _message: Any) -> None:
        if error is not None:
            self.failed.append(str(error))

    def flush(self, timeout_s: float) -> int:
        """Records still undelivered after ``timeout_s``."""
        remaining: int = self._producer.flush(timeout_s)
        return remaining


class TopicReader:
    """Every partition of a topic from the beginning, without a consumer group."""

    def __init__(self, bootstrap_servers: str, topic: str) -> None:
        config: dict[str, Any] = {"bootstrap.servers": bootstrap_servers, **QUIET}
        partitions = AdminClient(config).list_topics(topic, timeout=10).topics[topic].partitions
        self._consumer = Consumer(
            {**config, "group.id": "chaos-reader", "enable.auto.commit": False}
        )
        self._consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])

    def read(self, timeout_s: float) -> list[Any]:
        return [m for m in self._consumer.consume(1000, timeout_s) if m.error() is None]

    def close(self) -> None:
        self._consumer.close()
