"""One measured run: a fresh set of topics, the adapter as its own process, a backlog in,
status events back, and what the adapter process, the sandbox and the broker spent."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from confluent_kafka import Producer

from adapter.bench import baseline, onss, procstat, stats
from adapter.bench.profile import spawned_adapter
from adapter.bench.tracker import CompletionTracker
from adapter.bootstrap import EVENT_SCHEMA, STATUS_SCHEMA
from adapter.core.events import EmploymentEvent
from adapter.core.polling import PollSchedule
from adapter.demo_harness import StatusReader
from adapter.edges.avro.codec import SingleObjectCodec
from adapter.edges.kafka.topics import ensure_topics
from adapter.processes import RUN, AdapterProcess
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


@dataclass(slots=True)
class RunResult:
    mode: Mode
    events: int
    summary: dict[str, Any] = field(default_factory=dict)
    timeline: dict[str, list[float]] = field(default_factory=dict)
    latencies_s: list[float] = field(default_factory=list)


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


def run_settings(base: Settings, config: RunConfig, work: Path) -> Settings:
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
                update={"url": f"sqlite:///{work / f'adapter-{config.mode}-{suffix}.sqlite3'}"}
            ),
            "dimona": base.dimona.model_copy(update={"max_in_flight": config.max_in_flight}),
            "polling": config.polling,
            "max_events_in_flight": config.max_events_in_flight,
            "log_level": "WARNING",
            "drain_budget_s": 5.0,
        }
    )


class _Sampler(threading.Thread):
    """Samples CPU and RSS of a process every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.5) -> None:
        super().__init__(name="bench-sampler", daemon=True)
        self._pid, self._interval = pid, interval
        self._halt = threading.Event()
        self.points: list[tuple[float, procstat.Sample]] = []

    def run(self) -> None:
        while not self._halt.wait(self._interval):
            with contextlib.suppress(OSError):
                self.points.append((time.time(), procstat.sample(self._pid)))

    def stop(self) -> None:
        self._halt.set()
        self.join()


def _produce(settings: Settings, records: Sequence[Encoded], rate: float | None,
             sent_at: dict[str, float], stop: threading.Event) -> None:  # fmt: skip
    producer = Producer({**settings.kafka.client_config(), "linger.ms": 5})
    topic, started = settings.kafka.input_topic, time.time()
    for index, (event_id, key, value) in enumerate(records):
        if stop.is_set():
            break
        if rate is not None:
            pause = started + index / rate - time.time()
            if pause > 0:
                time.sleep(pause)
        while True:
            try:
                producer.produce(topic, key=key, value=value)
                break
            except BufferError:
                producer.poll(0.05)
        sent_at[event_id] = time.time()
        producer.poll(0)
    producer.flush(60)


def _wait_until_idle(pid: int, limit_s: float = 30.0) -> None:
    """Until the adapter has imported everything and sits polling (CPU < 5 % for 0.5 s)."""
    deadline = time.monotonic() + limit_s
    time.sleep(1.0)
    previous = procstat.sample(pid).cpu_s
    while time.monotonic() < deadline:
        time.sleep(0.5)
        current = procstat.sample(pid).cpu_s
        if current - previous < 0.025:
            return
        previous = current


class _Spawned:
    """Stands for AdapterProcess when the bench spawned the adapter itself."""

    def __init__(self, pid: int) -> None:
        self._pid = pid

    @property
    def alive(self) -> bool:
        return Path(f"/proc/{self._pid}").exists()

    def output(self) -> str:
        return "(spawned by the bench: no log captured)"


@contextlib.contextmanager
def _adapter(settings: Settings, config: RunConfig) -> Iterator[tuple[Any, int]]:
    arguments = ARGUMENTS[config.mode]
    if config.profile_to is not None or config.uvloop:
        with spawned_adapter(
            settings, arguments=arguments, profile_to=config.profile_to, uvloop=config.uvloop
        ) as spied:
            yield _Spawned(spied), spied
        return
    with AdapterProcess(settings, name="bench-adapter", arguments=arguments) as process:
        found = None
        for _ in range(100):
            found = procstat.find_descendant(" ".join(arguments))
            if found is not None:
                break
            time.sleep(0.05)
        if found is None or not process.alive:
            raise RuntimeError(f"the adapter did not start: {process.output()[-2000:]}")
        yield process, found


def execute(base: Settings, sandbox: SandboxProcess, records: Sequence[Encoded],
            config: RunConfig, work: Path, progress: Progress) -> RunResult:  # fmt: skip
    settings = run_settings(base, config, work)
    kafka = settings.kafka
    topics = (kafka.input_topic, kafka.status_topic, kafka.dead_letter_topic)
    ensure_topics(kafka.client_config(), topics, partitions=kafka.topic_partitions)
    admin_client.reset(sandbox.admin_url)
    tracker = CompletionTracker({r[0] for r in records})
    codec = SingleObjectCodec(STATUS_SCHEMA)
    sent_at: dict[str, float] = {}
    broker_pid = procstat.find_descendant("tansu")
    with _adapter(settings, config) as (process, pid):
        _wait_until_idle(pid)
        reader = StatusReader(settings)
        sampler = _Sampler(pid)
        others = {"sandbox": sandbox.process.pid if sandbox.process else None, "broker": broker_pid}
        before = {
            "adapter": procstat.sample(pid),
            **{n: procstat.sample(p) for n, p in others.items() if p},
        }
        requests_before = onss.fetch_requests(sandbox.metrics_url)
        load_before = procstat.load_average()
        halt = threading.Event()
        started = time.time()
        producer = threading.Thread(
            target=_produce, args=(settings, records, config.rate_per_s, sent_at, halt),
            name="bench-producer", daemon=True,
        )  # fmt: skip
        sampler.start()
        producer.start()
        box_end = started + (config.time_box_s or config.timeout_s)
        try:
            while time.time() < box_end and not tracker.done:
                if not process.alive:
                    raise RuntimeError(f"the adapter died: {process.output()[-3000:]}")
                for message in reader.raw(0.2):
                    at = message.timestamp()[1] / 1000
                    tracker.add(codec.decode(message.value()), at)
                progress(tracker.completed, len(records))
            ended = min(time.time(), box_end)
            after = {
                "adapter": procstat.sample(pid),
                **{n: procstat.sample(p) for n, p in others.items() if p},
            }
            requests_after = onss.fetch_requests(sandbox.metrics_url)
        finally:
            halt.set()
            sampler.stop()
            reader.close()
            producer.join(timeout=60)
    return _result(config, records, tracker, sent_at, started, ended,
                   before, after, onss.difference(requests_after, requests_before),
                   sampler, load_before)  # fmt: skip


def _result(config: RunConfig, records: Sequence[Encoded], tracker: CompletionTracker,
            sent_at: dict[str, float], started: float, ended: float,
            before: dict[str, procstat.Sample], after: dict[str, procstat.Sample],
            requests: onss.Counts, sampler: _Sampler,
            load_before: tuple[float, float, float]) -> RunResult:  # fmt: skip
    finished = {e: t for e, t in tracker.finished().items() if t <= ended}
    decl_times = [t for t in tracker.declaration_finals.values() if t <= ended]
    declarations = len(decl_times)
    timed_out = config.time_box_s is None and not tracker.done
    window = (max(decl_times) - started) if (tracker.done and decl_times) else ended - started
    latencies = sorted(t - sent_at[e] for e, t in finished.items() if e in sent_at)
    cpu = {n: after[n].cpu_s - before[n].cpu_s for n in after if n in before}
    api = onss.api_requests(requests)

    def per_k(seconds: float) -> float | None:
        return 1000 * seconds / declarations if declarations else None

    summary: dict[str, Any] = {
        "mode": config.mode,
        "events_produced": len(sent_at),
        "events_finished": len(finished),
        "declarations_finished": declarations,
        "results": tracker.results,
        "time_boxed": config.time_box_s is not None,
        "timed_out": timed_out,
        "window_s": round(window, 3),
        "events_per_s": round(stats.rate(len(finished), window), 1),
        "declarations_per_s": round(stats.rate(declarations, window), 1),
        "declarations_per_s_middle_half": _middle_rate(decl_times),
        "latency_s": {
            k: None if v is None else round(v, 3) for k, v in stats.summary(latencies).items()
        },
        "adapter_cpu_s": round(cpu["adapter"], 2),
        "adapter_cpu_s_per_1000_declarations": _round(per_k(cpu["adapter"])),
        "adapter_cpu_cores": round(cpu["adapter"] / window, 2) if window > 0 else None,
        "sandbox_cpu_s_per_1000_declarations": _round(per_k(cpu.get("sandbox", 0.0))),
        "broker_cpu_s_per_1000_declarations": _round(per_k(cpu.get("broker", 0.0))),
        "adapter_peak_rss_mb": round(after["adapter"].peak_rss_mb, 1),
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
        },
    }
    points = sampler.points
    timeline = {
        "declarations_per_s": [
            float(x) for x in stats.per_second(decl_times, start=started, end=ended)
        ],
        "rss_t": [t - started for t, _ in points],
        "rss_mb": [s.rss_mb for _, s in points],
    }
    return RunResult(config.mode, len(records), summary, timeline, latencies)


def _middle_rate(times: Sequence[float]) -> float | None:
    """Declarations/s between the 25th and the 75th percentile of completion times: the
    steady state, without the start (the backlog being taken in) and the tail."""
    low, high = stats.percentile(times, 25), stats.percentile(times, 75)
    if low is None or high is None or high <= low:
        return None
    return round(stats.rate(sum(1 for t in times if low <= t <= high), high - low), 1)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
