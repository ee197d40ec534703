"""One seeded chaos run: produce the workload while the fault plan plays, let the adapter
settle with every fault lifted, then judge the invariants."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapter.bootstrap import EVENT_SCHEMA, STATUS_SCHEMA
from adapter.chaos.environment import QUIET, ChaosEnvironment, DeliveryChecked, TopicReader
from adapter.chaos.invariants import DeadLetter, Verdict, dead_letter_of, duplicates, judge
from adapter.chaos.schedule import Action, FaultPlan, Step, make_plan
from adapter.chaos.supervisor import AdapterSupervisor
from adapter.chaos.workload import Workload, build_workload
from adapter.core.events import EmploymentEvent
from adapter.demo_harness import all_final, demo_settings
from adapter.edges.avro.codec import SingleObjectCodec
from adapter.edges.kafka.topics import ensure_topics
from adapter.sandbox import admin_client
from adapter.settings import Settings


@dataclass(frozen=True, slots=True)
class RunConfig:
    seed: int
    events: int = 300
    time_limit_s: float = 150.0
    """The whole run: chaos phase plus settling."""
    chaos_s: float = 45.0
    waves: int = 8
    without: frozenset[str] = frozenset()
    """Fault kinds left out of the plan (``schedule.FAULT_KINDS``)."""


@dataclass(slots=True)
class RunResult:
    seed: int
    events: int
    invalid: int
    kills: int = 0
    cuts: int = 0
    sandbox_windows: int = 0
    sandbox_kinds: list[str] = field(default_factory=list)
    faults_injected: Counter[str] = field(default_factory=Counter)
    unexpected_exits: list[int] = field(default_factory=list)
    status_events: int = 0
    dead_letter_duplicates: int = 0
    undelivered: int = 0
    elapsed_s: float = 0.0
    settled_s: float | None = None
    """Seconds after the last fault until every event was final (None: never)."""
    verdicts: list[Verdict] = field(default_factory=list)
    log_path: Path | None = None

    @property
    def ok(self) -> bool:
        return bool(self.verdicts) and all(v.ok for v in self.verdicts)


class ChaosRun:
    def __init__(self, env: ChaosEnvironment, config: RunConfig, work: Path) -> None:
        self._env = env
        self._config = config
        self._work = work
        self._plan: FaultPlan = make_plan(
            config.seed, chaos_s=config.chaos_s, waves=config.waves, without=config.without
        )
        today = datetime.now(UTC).date()
        self._workload: Workload = build_workload(config.seed, config.events, today=today)
        self._settings = self._make_settings()
        self._statuses: list[dict[str, Any]] = []
        self._status_codec = SingleObjectCodec(STATUS_SCHEMA)
        self.result = RunResult(
            config.seed,
            len(self._workload.events),
            len(self._workload.rejected_ids) + len(self._workload.undecodable),
            log_path=work / "adapter.log",
        )

    def _make_settings(self) -> Settings:
        assert self._env.sandbox is not None
        suffix = f"{self._config.seed}-{uuid.uuid4().hex[:6]}"
        base = demo_settings(
            self._work,
            bootstrap_servers=self._env.bootstrap_servers,
            sandbox=self._env.sandbox,
            group_id=f"chaos-{suffix}",
        )
        kafka = base.kafka.model_copy(
            update={
                "input_topic": f"chaos.events.{suffix}",
                "status_topic": f"chaos.status.{suffix}",
                "dead_letter_topic": f"chaos.dlq.{suffix}",
            }
        )
        pipeline = base.pipeline.model_copy(
            update={"reconcile_window_s": 30.0, "reconcile_interval_s": 1.0}
        )
        return base.model_copy(update={"kafka": kafka, "pipeline": pipeline, "drain_budget_s": 5.0})

    def run(self) -> RunResult:
        assert self._env.sandbox is not None
        assert self._env.proxy is not None
        admin = self._env.sandbox.admin_url
        admin_client.reset(admin)
        kafka = self._settings.kafka
        topics = (kafka.input_topic, kafka.status_topic, kafka.dead_letter_topic)
        quiet = {**kafka.client_config(), **QUIET}
        ensure_topics(quiet, topics, partitions=kafka.topic_partitions)
        injected_before = self._env.faults_injected()
        producer = DeliveryChecked(self._env.bootstrap_servers)
        waves = self._workload.waves(self._config.waves)
        supervisor = AdapterSupervisor(self._settings, self.result.log_path or Path("/dev/null"))
        reader = TopicReader(self._env.bootstrap_servers, kafka.status_topic)
        started = time.monotonic()
        try:
            supervisor.start()
            for step in self._plan.steps:
                self._wait_until(started + step.at_s, reader, supervisor)
                self._perform(step, supervisor, producer, waves)
            admin_client.clear_faults(admin)
            self._env.proxy.restore()
            supervisor.start()  # no-op when it runs
            self.result.undelivered = producer.flush(60) + len(producer.failed)
            calm = time.monotonic()
            deadline = started + self._config.time_limit_s
            expected = self._workload.expected_final
            while time.monotonic() < deadline and not all_final(self._statuses, expected):
                self._read(reader, supervisor, 0.3)
            if all_final(self._statuses, expected):
                self.result.settled_s = round(time.monotonic() - calm, 1)
            supervisor.stop()
            self._read(reader, supervisor, 1.0, check=False)
            letters = self._dead_letters()
            counts = admin_client.period_counts(admin)
        finally:
            supervisor.stop()
            reader.close()
            admin_client.clear_faults(admin)
            self._env.proxy.restore()
        r = self.result
        r.elapsed_s = round(time.monotonic() - started, 1)
        r.kills, r.cuts = supervisor.kills, self._plan.count(Action.CUT)
        r.sandbox_windows = len(self._plan.sandbox_labels)
        r.sandbox_kinds = sorted(
            {k for label in self._plan.sandbox_labels for k in label.split("+")}
        )
        r.faults_injected = self._env.faults_injected() - injected_before
        r.unexpected_exits = supervisor.unexpected_exits
        r.status_events = len(self._statuses)
        r.dead_letter_duplicates = duplicates(letters)
        r.verdicts = judge(self._workload, self._statuses, letters, counts, r.unexpected_exits)
        return r

    # -- the timeline ---------------------------------------------------------------------------
    def _wait_until(self, moment: float, reader: TopicReader, sup: AdapterSupervisor) -> None:
        while (left := moment - time.monotonic()) > 0:
            self._read(reader, sup, min(0.3, left))

    def _read(
        self, reader: TopicReader, sup: AdapterSupervisor, timeout_s: float, *, check: bool = True
    ) -> None:
        for message in reader.read(timeout_s):
            self._statuses.append(self._status_codec.decode(message.value()))
        if check:
            sup.check()

    def _perform(
        self,
        step: Step,
        supervisor: AdapterSupervisor,
        producer: DeliveryChecked,
        waves: list[list[dict[str, Any] | bytes]],
    ) -> None:
        assert self._env.sandbox is not None
        assert self._env.proxy is not None
        if step.action is Action.KILL:
            supervisor.kill()
        elif step.action is Action.RESTART:
            supervisor.start()
        elif step.action is Action.CUT:
            self._env.proxy.cut()
        elif step.action is Action.RESTORE:
            self._env.proxy.restore()
        elif step.action is Action.SANDBOX:
            admin_client.set_faults(self._env.sandbox.admin_url, replace=True, **step.faults)
        elif step.action is Action.PRODUCE and waves:
            self._produce(producer, waves.pop(0))

    def _produce(self, producer: DeliveryChecked, events: list[dict[str, Any] | bytes]) -> None:
        codec = SingleObjectCodec(EVENT_SCHEMA)
        topic = self._settings.kafka.input_topic
        for event in events:
            if isinstance(event, bytes):
                producer.produce(topic, None, event)
            else:
                record = EmploymentEvent.model_validate(event).to_avro_record()
                producer.produce(topic, str(event["employmentId"]).encode(), codec.encode(record))

    def _dead_letters(self) -> list[DeadLetter]:
        reader = TopicReader(self._env.bootstrap_servers, self._settings.kafka.dead_letter_topic)
        wanted = len(self._workload.rejected_ids) + len(self._workload.undecodable)
        letters: list[DeadLetter] = []
        try:
            deadline = time.monotonic() + 15.0
            while time.monotonic() < deadline and len(letters) < wanted:
                letters += [dead_letter_of(m.value(), m.headers()) for m in reader.read(0.5)]
            letters += [dead_letter_of(m.value(), m.headers()) for m in reader.read(1.0)]
        finally:
            reader.close()
        return letters
