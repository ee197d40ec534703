"""Shared plumbing of the demo, the end-to-end tests and the benchmark: configure the adapter
against a local broker and sandbox, produce events, read status events back."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient
from pydantic import BaseModel, SecretStr

from adapter.bootstrap import STATUS_SCHEMA, run_until_stopped
from adapter.core.events import EmploymentEvent
from adapter.core.polling import PollSchedule, PollTier
from adapter.edges.avro.codec import SingleObjectCodec
from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.dimona_rest.keys import create_key_pair
from adapter.edges.kafka.topics import ensure_topics
from adapter.settings import ENV_PREFIX, HttpSettings, KafkaSettings, Settings, StoreSettings

if TYPE_CHECKING:
    from rich.console import Console

    from adapter.sandbox.process import SandboxProcess

FAST_POLLING = PollSchedule(
    first_wait=0.2,
    tiers=(PollTier(until=60.0, interval=0.2), PollTier(until=1200.0, interval=5.0)),
    identification_tiers=(PollTier(until=120.0, interval=0.5),),
    identification_final_interval=10.0,
)
"""Polling for a local sandbox that answers in well under a second (demo, tests, benchmark)."""
FINAL = frozenset({"REJECTED", "ACCEPTED", "ACCEPTED_WITH_WARNINGS", "REFUSED", "FAILED"})


def demo_settings(
    work: Path,
    *,
    bootstrap_servers: str,
    sandbox: SandboxProcess,
    group_id: str,
    partitions: int = 3,
    store_url: str | None = None,
) -> Settings:
    """Settings for a local run: keys made and registered with the sandbox, topics created."""
    from adapter.sandbox.admin_client import register_client

    client_id = "self_service_chaman_demo"
    keys = create_key_pair(work / "keys", client_id)
    register_client(sandbox.admin_url, client_id, keys.certificate.read_text(encoding="ascii"))
    return Settings(
        kafka=KafkaSettings(
            bootstrap_servers=bootstrap_servers,
            group_id=group_id,
            session_timeout_ms=6000,
            create_topics=True,
            topic_partitions=partitions,
        ),
        store=StoreSettings(url=store_url or f"sqlite:///{work / 'adapter.sqlite3'}"),
        dimona=DimonaRestConfig(
            base_url=sandbox.api_base_url,
            token_url=sandbox.token_url,
            client_id=client_id,
            private_key_path=keys.private_key,
            certificate_path=keys.certificate,
        ),
        polling=FAST_POLLING,
        http=HttpSettings(host="127.0.0.1", port=0),
    )


def settings_env(settings: Settings) -> dict[str, str]:
    """The DIMONA_ADAPTER_* variables that reproduce ``settings`` in another process."""

    def plain(value: Any) -> Any:
        if isinstance(value, SecretStr):
            return value.get_secret_value()
        if isinstance(value, BaseModel):
            return {k: plain(getattr(value, k)) for k in type(value).model_fields}
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if isinstance(value, Path):
            return str(value)
        return value

    env = {}
    for name in type(settings).model_fields:
        value = plain(getattr(settings, name))
        env[f"{ENV_PREFIX}{name.upper()}"] = (
            json.dumps(value) if isinstance(value, dict) else str(value)
        )
    return env


def produce_events(settings: Settings, events: Iterable[Mapping[str, Any] | bytes]) -> int:
    """Encode (JSON form → Avro single-object) and produce, keyed by employment."""
    from adapter.bootstrap import EVENT_SCHEMA

    codec = SingleObjectCodec(EVENT_SCHEMA)
    producer = Producer({**settings.kafka.client_config(), "enable.idempotence": True})
    count = 0
    for event in events:
        if isinstance(event, bytes):
            producer.produce(settings.kafka.input_topic, value=event)
        else:
            record = EmploymentEvent.model_validate(event).to_avro_record()
            producer.produce(
                settings.kafka.input_topic,
                key=str(event["employmentId"]).encode(),
                value=codec.encode(record),
            )
        count += 1
        producer.poll(0)
    producer.flush(30)
    return count


class StatusReader:
    """Reads a topic from the beginning of every partition, without joining a group."""

    def __init__(self, settings: Settings, topic: str | None = None) -> None:
        self._topic = topic or settings.kafka.status_topic
        config = settings.kafka.client_config()
        admin = AdminClient(config)
        metadata = admin.list_topics(self._topic, timeout=10)
        partitions = metadata.topics[self._topic].partitions
        self._consumer = Consumer(
            {**config, "group.id": "status-reader", "enable.auto.commit": False}
        )
        self._consumer.assign(
            [TopicPartition(self._topic, p, OFFSET_BEGINNING) for p in partitions]
        )
        self._codec = SingleObjectCodec(STATUS_SCHEMA)

    def read(self, timeout_s: float = 0.2) -> list[dict[str, Any]]:
        return [self._codec.decode(m.value()) for m in self.raw(timeout_s)]

    def collect(
        self,
        into: list[dict[str, Any]],
        *,
        until: Callable[[list[dict[str, Any]]], bool] = lambda _statuses: False,
        time_limit_s: float,
    ) -> bool:
        """Append what arrives to ``into`` until ``until(into)`` holds or the time is up."""
        deadline = time.monotonic() + time_limit_s
        while time.monotonic() < deadline:
            if until(into):
                return True
            into.extend(self.read(0.2))
        return until(into)

    def raw(self, timeout_s: float = 0.2) -> list[Any]:
        return [m for m in self._consumer.consume(1000, timeout_s) if m.error() is None]

    def close(self) -> None:
        self._consumer.close()


def all_final(statuses: Sequence[Mapping[str, Any]], expected_events: Iterable[str]) -> bool:
    """Every expected event has a final status, and every declaration seen has one too."""
    last: dict[str, str] = {}
    finished_events: set[str] = set()
    for status in statuses:
        ref = status.get("declarationRef")
        if ref is not None:  # event-level statuses (RECEIVED, REJECTED) carry no reference
            last[ref] = status["status"]
        if status["status"] in FINAL:
            finished_events.update(status["sourceEventIds"])
    pending = any(s not in FINAL for s in last.values())
    return not pending and set(expected_events) <= finished_events


INTERRUPTED = 130


class DemoHarness:
    """Runs the adapter in-process, feeds it events and shows what comes back."""

    def __init__(self, settings: Settings, console: Console) -> None:
        self.settings = settings
        self.console = console
        self.interrupted = asyncio.Event()
        """Set (e.g. by a SIGINT handler) to stop early: the shutdown stays orderly."""

    async def run(self, events: Sequence[Mapping[str, Any] | bytes], *, timeout_s: float) -> int:
        kafka = self.settings.kafka
        ensure_topics(
            kafka.client_config(),
            (kafka.input_topic, kafka.status_topic, kafka.dead_letter_topic),
            partitions=kafka.topic_partitions,
        )
        stopping = asyncio.Event()
        adapter = asyncio.create_task(run_until_stopped(self.settings, stopping))
        reader = StatusReader(self.settings)
        try:
            produce_events(self.settings, events)
            expected = [str(e["eventId"]) for e in events if not isinstance(e, bytes)]
            self.console.print(f"Produced {len(events)} events on [cyan]{kafka.input_topic}[/].")
            statuses = await self._show(reader, adapter, expected, timeout_s)
        finally:
            stopping.set()
            await adapter
            reader.close()
        return self._summary(statuses, expected)

    async def _show(
        self,
        reader: StatusReader,
        adapter: asyncio.Task[None],
        expected: list[str],
        timeout_s: float,
    ) -> list[dict[str, Any]]:
        statuses: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout_s
        self.console.print(f"\n[bold]Status events on {self.settings.kafka.status_topic}[/]")
        self.console.print(f"[bold]{_line(_HEADER)}[/]", highlight=False)
        while time.monotonic() < deadline and not adapter.done() and not self.interrupted.is_set():
            batch = await asyncio.to_thread(reader.read, 0.3)
            for status in batch:
                statuses.append(status)
                self.console.print(_row(status), highlight=False)
            if all_final(statuses, expected):
                break
        if adapter.done():
            adapter.result()  # surface a crash
        return statuses

    def _summary(self, statuses: list[dict[str, Any]], expected: list[str]) -> int:
        finals: dict[str, int] = {}
        for status in statuses:
            if status["status"] in FINAL:
                finals[status["status"]] = finals.get(status["status"], 0) + 1
        done = all_final(statuses, expected)
        summary = ", ".join(f"{count} {name}" for name, count in sorted(finals.items()))
        colour = "green" if done else "red"
        verdict = "Done" if done else "Interrupted" if self.interrupted.is_set() else "Incomplete"
        self.console.print(
            f"[bold {colour}]{verdict}[/]: {len(statuses)} status events; "
            f"final: {summary or 'none'}. Everything is stopped."
        )
        if self.interrupted.is_set() and not done:
            return INTERRUPTED
        return 0 if done else 1


def _row(status: Mapping[str, Any]) -> str:
    anomalies = ",".join(a["code"] for a in status.get("anomalies") or [])
    detail = anomalies or (status.get("reason") or "")[:60]
    colour = {
        "ACCEPTED": "green",
        "ACCEPTED_WITH_WARNINGS": "yellow",
        "REFUSED": "red",
        "REJECTED": "red",
        "FAILED": "red",
    }.get(status["status"], "cyan")
    cells = (
        status["employmentId"],
        status.get("declarationKind") or "-",
        status["status"],
        status.get("previousStatus") or "-",
        str(status.get("declarationId") or "-"),
        str(status.get("periodId") or "-"),
        detail,
    )
    return _line(cells, colour=colour)


_HEADER = ("employment", "kind", "status", "previous", "declaration id", "period id", "detail")
_WIDTHS = (12, 6, 22, 22, 13, 13, 0)


def _line(cells: tuple[str, ...], *, colour: str | None = None) -> str:
    padded = [
        cell.ljust(width) if width else cell for cell, width in zip(cells, _WIDTHS, strict=True)
    ]
    if colour:
        padded[2] = f"[{colour}]{padded[2]}[/]"
    return " ".join(padded)
