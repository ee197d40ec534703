"""What a chaos session runs against: the embedded broker behind a severable TCP proxy, the
Dimona sandbox with short-lived tokens and, in the PostgreSQL mode, a database of its own on
the PostgreSQL server, reached through a second proxy. Shared by the runs of one session."""

from __future__ import annotations

import os
import re
import uuid
from collections import Counter
from contextlib import ExitStack
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote, urlsplit, urlunsplit

import httpx
import psycopg
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient

from adapter.chaos.proxy import TcpProxy
from adapter.edges.kafka.embedded import EmbeddedBroker, free_loopback_port
from adapter.sandbox.process import SandboxProcess

TOKEN_TTL_S = 5
"""Access tokens expire every few seconds, so renewal happens many times per run."""
IDENTIFICATION_DELAY_S = 4
"""How long a worker without SSIN stays at S (WAITING_IDENTIFICATION) before A."""
QUIET = {"log_level": 0}
"""librdkafka would print every refused connection of a broker cut to stderr."""
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
"""A server (and a database to connect to) where the session may create its own database
(``dimona-adapter chaos --postgres-url``)."""


class ChaosEnvironment:
    def __init__(self, *, processing_delay: float = 1.0, postgres_url: str | None = None) -> None:
        """``postgres_url``: create a database for the session on that server (dropped at the
        end) and reach it through a severable proxy; None: SQLite runs only."""
        self._stack = ExitStack()
        self._processing_delay = processing_delay
        self._postgres_admin = postgres_url
        self.proxy: TcpProxy | None = None
        self.postgres_proxy: TcpProxy | None = None
        self.database: str | None = None
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
                    identification_delay=IDENTIFICATION_DELAY_S,
                    extra_args=["--token-ttl", str(TOKEN_TTL_S)],
                )
            )
            if self._postgres_admin is not None:
                self._start_postgres(self._postgres_admin)
        except BaseException:
            self._stack.close()
            raise
        return self

    def _start_postgres(self, admin_url: str) -> None:
        database = f"chaos_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{database}"')
        self.database = database
        self._stack.callback(_drop_database, admin_url, database)
        server = urlsplit(admin_url)
        proxy = TcpProxy(
            listen_port=free_loopback_port(),
            target_port=server.port or 5432,
            target_host=server.hostname or "127.0.0.1",
        )
        self.postgres_proxy = self._stack.enter_context(proxy)

    def store_url(self, schema: str) -> str:
        """A fresh schema in the session's database, reached through the PostgreSQL proxy."""
        assert self._postgres_admin is not None
        assert self.database is not None
        assert self.postgres_proxy is not None
        direct = _with_database(self._postgres_admin, self.database)
        with psycopg.connect(direct, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{schema}"')
        server = urlsplit(direct)
        secret = f":{server.password}" if server.password else ""
        user = f"{server.username}{secret}@" if server.username else ""
        netloc = f"{user}127.0.0.1:{self.postgres_proxy.listen_port}"
        options = quote(f"-csearch_path={schema}", safe="")
        return urlunsplit(("postgresql", netloc, f"/{self.database}", f"options={options}", ""))

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


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


def _drop_database(admin_url: str, database: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


_FAULT_LINE = re.compile(r"^sandbox_faults_injected_total\{([^}]*)\} (\S+)$", re.MULTILINE)


class DeliveryChecked:
    """A producer that never drops a record silently: failures are counted, not ignored."""

    def __init__(self, bootstrap_servers: str) -> None:
        self._producer = Producer(
            {
                "bootstrap.servers": bootstrap_servers,
                "enable.idempotence": True,
                "message.timeout.ms": 300_000,
                # CRC32 of the key (bad_input.partition_of): a wrong key lands elsewhere.
                "partitioner": "consistent_random",
                **QUIET,
            }
        )
        self.failed: list[str] = []

    def produce(self, topic: str, key: bytes | None, value: bytes | None) -> None:
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
