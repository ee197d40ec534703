"""One measured run: a fresh set of topics, the adapter as its own process (or several in one
group), a backlog in (or a steady rate), status events back, and what every party spent: the
adapter processes, the sandbox, the broker, the bench itself and, on PostgreSQL, the server."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from confluent_kafka import Producer

from adapter.bench import adapters, baseline, onss, pg, procstat
from adapter.bench.summary import Produced, Snapshot, summarise, timeline
from adapter.bench.tracker import CompletionTracker
from adapter.bootstrap import EVENT_SCHEMA, STATUS_SCHEMA
from adapter.core.events import EmploymentEvent
from adapter.core.polling import PollSchedule
from adapter.demo_harness import StatusReader
from adapter.edges.avro.codec import SingleObjectCodec
from adapter.edges.kafka.topics import ensure_topics
from adapter.processes import RUN
from adapter.sandbox import admin_client
from adapter.sandbox.process import SandboxProcess
from adapter.settings import Settings

Mode = Literal["concurrent", "plain"]
"""concurrent: the adapter as production runs it; plain: the plain-consumer baseline, one event
in flight per partition (``adapter.bench.baseline``)."""
ARGUMENTS: dict[Mode, tuple[str, ...]] = {"concurrent": RUN, "plain": ("-m", baseline.MODULE)}
Encoded = tuple[str, bytes, bytes]
"""(event id, key, Avro single-object value)"""
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class RunConfig:
    mode: Mode
    max_in_flight: int
    max_events_in_flight: int
    polling: PollSchedule
    timeout_s: float
    time_box_s: float | None = None
    """Stop measuring after this many seconds (the plain baseline); rates are over the box."""
    rate_per_s: float | None = None
    """None: the whole backlog is produced up front; else a steady produce rate."""
    profile_to: Path | None = None
    uvloop: bool = False
    processes: int = 1
    """adapter processes in one consumer group (more than one needs PostgreSQL)"""
    store: Literal["sqlite", "postgresql"] = "sqlite"
    """a fresh SQLite file, or a fresh database on ``postgres_server`` (its CPU measured)"""
    postgres_server: str = pg.SERVER
    label: str = ""


@dataclass(slots=True)
class RunResult:
    mode: Mode
    events: int
    summary: dict[str, Any] = field(default_factory=dict)
    timeline: dict[str, list[float]] = field(default_factory=dict)
    latencies_s: list[float] = field(default_factory=list)
    label: str = ""
    """the run's name in the report (``concurrent``, ``scale-10000``, ``postgres-2``, ...)"""
    publish_delays_s: list[float] = field(default_factory=list)
    """record timestamp - occurredAt of every status event (plotted, not in the JSON)"""

    @property
    def name(self) -> str:
        return self.label or self.mode


def encode_events(events: Sequence[Mapping[str, Any]]) -> list[Encoded]:
    """Encode before the clock starts: what is measured is the adapter, not our encoder."""
    codec = SingleObjectCodec(EVENT_SCHEMA)
    return [
        (
            str(e["eventId"]),
            str(e["employmentId"]).encode(),
            codec.encode(EmploymentEvent.model_validate(e).to_avro_record()),
        )
        for e in events
    ]


def run_settings(
    base: Settings, config: RunConfig, work: Path, store_url: str | None = None
) -> Settings:
    suffix = uuid.uuid4().hex[:8]
    kafka = base.kafka.model_copy(
        update={
            "group_id": f"bench-{config.mode}-{suffix}",
            "input_topic": f"bench.events.{suffix}",
            "status_topic": f"bench.status.{suffix}",
            "dead_letter_topic": f"bench.dlq.{suffix}",
            "statistics_interval_ms": 0,
        }
    )
    return base.model_copy(
        update={
            "kafka": kafka,
            "store": base.store.model_copy(
                update={
                    "url": store_url
                    or f"sqlite:///{work / f'adapter-{config.mode}-{suffix}.sqlite3'}"
                }
            ),
            "dimona": base.dimona.model_copy(update={"max_in_flight": config.max_in_flight}),
            "polling": config.polling,
            "max_events_in_flight": config.max_events_in_flight,
            "log_level": "WARNING",
            "drain_budget_s": 5.0,
        }
    )


class _Sampler(threading.Thread):
    """Samples the RSS of the adapter processes every ``interval`` seconds (their sum)."""

    def __init__(self, pids: Sequence[int], interval: float = 0.5) -> None:
        super().__init__(name="bench-sampler", daemon=True)
        self._pids, self._interval = tuple(pids), interval
        self._halt = threading.Event()
        self.points: list[tuple[float, float]] = []

    def run(self) -> None:
        while not self._halt.wait(self._interval):
            try:
                rss = sum(procstat.sample(p).rss_mb for p in self._pids)
            except OSError:
                continue
            self.points.append((time.time(), rss))

    def stop(self) -> None:
        self._halt.set()
        self.join()


class _Producer(threading.Thread):
    """Produces the records, all at once (a backlog) or at a steady rate.

    At a rate, every record has its due time (``start + index / rate``): the thread sleeps
    until the next one is due, then produces every record due by then in one go, so a late
    wake-up catches up instead of shifting the schedule; ``behind_s`` says how late it got.
    """

    def __init__(self, settings: Settings, records: Sequence[Encoded], rate: float | None) -> None:
        super().__init__(name="bench-producer", daemon=True)
        self._settings, self._records, self._rate = settings, records, rate
        self.halt = threading.Event()
        self.sent_at: dict[str, float] = {}
        self.behind_s = 0.0

    def run(self) -> None:
        producer = Producer({**self._settings.kafka.client_config(), "linger.ms": 5})
        topic, records, rate = self._settings.kafka.input_topic, self._records, self._rate
        started, index = time.time(), 0
        while index < len(records) and not self.halt.is_set():
            if rate is None:
                due = len(records)
            else:
                now = time.time()
                wait = started + index / rate - now
                if wait > 0:
                    time.sleep(wait)
                    now = time.time()
                due = min(len(records), int((now - started) * rate) + 1)
                self.behind_s = max(self.behind_s, now - (started + index / rate))
            for event_id, key, value in records[index:due]:
                while True:
                    try:
                        producer.produce(topic, key=key, value=value)
                        break
                    except BufferError:
                        producer.poll(0.05)
                self.sent_at[event_id] = time.time()
                if rate is None:
                    producer.poll(0)
            index = max(due, index + 1)
            producer.poll(0)
        producer.flush(60)


def _snapshot(pids: Mapping[str, int], postgres_database: str | None) -> Snapshot:
    samples = {name: procstat.sample(pid) for name, pid in pids.items()}
    cpu = {name: sample.cpu_s for name, sample in samples.items()}
    peak = {name: sample.peak_rss_mb for name, sample in samples.items()}
    cpu["bench"] = procstat.own_cpu_s()
    cpu["machine"] = procstat.machine_busy_s()[0]
    if postgres_database is not None:
        server = procstat.postgres_cpu_s(postgres_database)
        cpu["postgres"], cpu["postgres-backends"] = server["all"], server["backends"]
    return Snapshot(cpu, {n: v for n, v in peak.items() if n.startswith("adapter")})


def execute(base: Settings, sandbox: SandboxProcess, records: Sequence[Encoded],
            config: RunConfig, work: Path, progress: Progress) -> RunResult:  # fmt: skip
    if config.store == "postgresql":
        with pg.fresh_database(config.postgres_server) as (url, database):
            return _execute(base, sandbox, records, config, work, progress, url, database)
    return _execute(base, sandbox, records, config, work, progress, None, None)


def _execute(base: Settings, sandbox: SandboxProcess, records: Sequence[Encoded],
             config: RunConfig, work: Path, progress: Progress, store_url: str | None,
             database: str | None) -> RunResult:  # fmt: skip
    settings = run_settings(base, config, work, store_url)
    kafka = settings.kafka
    topics = (kafka.input_topic, kafka.status_topic, kafka.dead_letter_topic)
    ensure_topics(kafka.client_config(), topics, partitions=kafka.topic_partitions)
    admin_client.reset(sandbox.admin_url)
    tracker = CompletionTracker({r[0] for r in records})
    codec = SingleObjectCodec(STATUS_SCHEMA)
    broker_pid = procstat.find_descendant("tansu")
    producer = _Producer(settings, records, config.rate_per_s)
    # at a slow rate producing takes a while: the timeout counts from the last record due
    produce_s = 0.0 if config.rate_per_s is None else len(records) / config.rate_per_s
    group_settled: bool | None = None
    arguments, count = ARGUMENTS[config.mode], config.processes
    with adapters.started(settings, arguments, count=count, profile_to=config.profile_to,
                          uvloop=config.uvloop) as running:  # fmt: skip
        if config.processes > 1:
            group_settled = adapters.wait_for_group(
                kafka.client_config(), kafka.group_id, config.processes, limit_s=60
            )
            if not group_settled:  # the broker cannot tell: give the joins time to finish
                time.sleep(2 * kafka.session_timeout_ms / 1000)
        reader = StatusReader(settings)
        sampler = _Sampler([a.pid for a in running])
        pids = _pids(running, sandbox, broker_pid)
        before = _snapshot(pids, database)
        requests_before = onss.fetch_requests(sandbox.metrics_url)
        load_before = procstat.load_average()
        started = time.time()
        sampler.start()
        producer.start()
        box_end = started + (config.time_box_s or config.timeout_s + produce_s)
        try:
            while time.time() < box_end and not tracker.done:
                for adapter in running:
                    if not adapter.process.alive:
                        output = adapter.process.output()[-3000:]
                        raise RuntimeError(f"{adapter.name} died: {output}")
                for message in reader.raw(0.2):
                    tracker.add(codec.decode(message.value()), message.timestamp()[1] / 1000)
                progress(tracker.completed, len(records))
            ended = min(time.time(), box_end)
            after = _snapshot(pids, database)
            requests_after = onss.fetch_requests(sandbox.metrics_url)
            per_process = {a.name: adapters.declarations(a) for a in running}
        finally:
            producer.halt.set()
            sampler.stop()
            reader.close()
            producer.join(timeout=60)
    requests = onss.difference(requests_after, requests_before)
    measured = _Measured(tracker, producer, sampler, started, ended, before, after, per_process)
    return _result(config, records, measured, requests, load_before, group_settled)


def _pids(running: Sequence[adapters.Adapter], sandbox: SandboxProcess,
          broker: int | None) -> dict[str, int]:  # fmt: skip
    pids = {a.name: a.pid for a in running}
    if sandbox.process is not None:
        pids["sandbox"] = sandbox.process.pid
    if broker is not None:
        pids["broker"] = broker
    return pids


@dataclass(frozen=True, slots=True)
class _Measured:
    tracker: CompletionTracker
    producer: _Producer
    sampler: _Sampler
    started: float
    ended: float
    before: Snapshot
    after: Snapshot
    per_process: dict[str, float | None]


def _result(config: RunConfig, records: Sequence[Encoded], m: _Measured,
            requests: onss.Counts, load_before: tuple[float, float, float],
            group_settled: bool | None) -> RunResult:  # fmt: skip
    tracker, producer, started, ended = m.tracker, m.producer, m.started, m.ended
    summary = summarise(
        tracker=tracker,
        produced=Produced(producer.sent_at, config.rate_per_s, producer.behind_s),
        started=started, ended=ended, time_boxed=config.time_box_s is not None,
        before=m.before, after=m.after, per_process=m.per_process,
    )  # fmt: skip
    declarations = summary["declarations_finished"]
    api = onss.api_requests(requests)
    summary = {
        "mode": config.mode,
        **summary,
        "onss_requests": requests,
        "onss_requests_per_declaration": round(api / declarations, 3) if declarations else None,
        "load_average_before": load_before,
        "load_average_after": procstat.load_average(),
        "config": {
            "max_in_flight": config.max_in_flight,
            "max_events_in_flight": config.max_events_in_flight,
            "time_box_s": config.time_box_s,
            "produce": "backlog" if config.rate_per_s is None else f"{config.rate_per_s}/s",
            "event_loop": "uvloop" if config.uvloop else "asyncio",
            "profiled": config.profile_to is not None,
            "processes": config.processes,
            "store": config.store,
            "group_settled_before_start": group_settled,
        },
    }
    decl_times = [t for t in tracker.declaration_finals.values() if t <= ended]
    line = {
        **timeline(decl_times, started, ended),
        "rss_t": [t - started for t, _ in m.sampler.points],
        "rss_mb": [rss for _, rss in m.sampler.points],
    }
    latencies = sorted(
        t - producer.sent_at[e]
        for e, t in tracker.finished().items()
        if t <= ended and e in producer.sent_at
    )
    return RunResult(config.mode, len(records), summary, line, latencies, config.label,
                     tracker.publish_delays)  # fmt: skip
