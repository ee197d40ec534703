"""One seeded chaos run: produce the workload while the fault plan plays, let the adapters
settle with every fault lifted, then judge the invariants from the outside."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapter.bootstrap import EVENT_SCHEMA, STATUS_SCHEMA
from adapter.chaos.environment import QUIET, ChaosEnvironment, DeliveryChecked, TopicReader
from adapter.chaos.invariants import Verdict, duplicates, judge
from adapter.chaos.observed import DeadLetter, Observed, SandboxRecords, StatusIndex, dead_letter_of
from adapter.chaos.schedule import Action, FaultPlan, Link, Step, make_plan
from adapter.chaos.supervisor import AdapterSupervisor
from adapter.chaos.workload import Record, Workload, build_workload
from adapter.demo_harness import demo_settings
from adapter.edges.avro.codec import SingleObjectCodec
from adapter.edges.kafka.topics import ensure_topics
from adapter.sandbox import admin_client
from adapter.settings import Settings

PARTITIONS = {"sqlite": 3, "postgres-2": 4}
REPLICAS = {"sqlite": 1, "postgres-2": 2}
_SETTLE_CHECK_S = 1.0


@dataclass(frozen=True, slots=True)
class RunConfig:
    seed: int
    events: int = 300
    time_limit_s: float = 150.0
    """The whole run: chaos phase plus settling."""
    chaos_s: float = 45.0
    waves: int = 8
    without: frozenset[str] = frozenset()
    """Fault kinds (``schedule.FAULT_KINDS``) and input kinds (``bad_input.WORKLOAD_KINDS``)
    left out."""
    mode: str = "sqlite"


@dataclass(slots=True)
class RunResult:
    seed: int
    mode: str
    events: int
    invalid: int
    duplicates_sent: int = 0
    kills: int = 0
    cuts: int = 0
    """Broker outages (resets and black holes)."""
    pg_outages: list[str] = field(default_factory=list)
    sandbox_windows: int = 0
    sandbox_kinds: list[str] = field(default_factory=list)
    faults_injected: Counter[str] = field(default_factory=Counter)
    unexpected_exits: list[str] = field(default_factory=list)
    status_events: int = 0
    status_duplicates: int = 0
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
            config.seed,
            chaos_s=config.chaos_s,
            waves=config.waves,
            without=config.without,
            mode=config.mode,
        )
        today = datetime.now(UTC).date()
        self._workload: Workload = build_workload(
            config.seed,
            config.events,
            today=today,
            encode_record=SingleObjectCodec(EVENT_SCHEMA).encode,
            partitions=PARTITIONS[config.mode],
            without=config.without,
        )
        self._settings = self._make_settings()
        self._statuses: list[dict[str, Any]] = []
        self._status_codec = SingleObjectCodec(STATUS_SCHEMA)
        self.result = RunResult(
            config.seed,
            config.mode,
            len(self._workload.records),
            len(self._workload.bad),
            len(self._workload.duplicated),
            log_path=work / "adapter.log",
        )

    def _make_settings(self) -> Settings:
        assert self._env.sandbox is not None
        suffix = f"{self._config.seed}-{uuid.uuid4().hex[:6]}"
        store_url = None
        if self._config.mode == "postgres-2":
            store_url = self._env.store_url(f"run_{suffix.replace('-', '_')}")
        base = demo_settings(
            self._work,
            bootstrap_servers=self._env.bootstrap_servers,
            sandbox=self._env.sandbox,
            group_id=f"chaos-{suffix}",
            partitions=PARTITIONS[self._config.mode],
            store_url=store_url,
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
        admin = self._env.sandbox.admin_url
        admin_client.reset(admin)
        kafka = self._settings.kafka
        topics = (kafka.input_topic, kafka.status_topic, kafka.dead_letter_topic)
        quiet = {**kafka.client_config(), **QUIET}
        ensure_topics(quiet, topics, partitions=kafka.topic_partitions)
        injected_before = self._env.faults_injected()
        producer = DeliveryChecked(self._env.bootstrap_servers)
        waves = self._workload.waves(self._config.waves)
        supervisor = AdapterSupervisor(
            self._settings,
            self.result.log_path or Path("/dev/null"),
            replicas=REPLICAS[self._config.mode],
        )
        reader = TopicReader(self._env.bootstrap_servers, kafka.status_topic)
        started = time.monotonic()
        try:
            supervisor.start()
            for step in self._plan.steps:
                self._wait_until(started + step.at_s, reader, supervisor)
                self._perform(step, supervisor, producer, waves)
            self._lift_faults()
            supervisor.start()  # every replica that is down
            self.result.undelivered = producer.flush(60) + len(producer.failed)
            calm = time.monotonic()
            if self._settle(reader, supervisor, started + self._config.time_limit_s):
                self.result.settled_s = round(time.monotonic() - calm, 1)
            supervisor.stop()
            self._read(reader, supervisor, 1.0, check=False)
            letters = self._dead_letters()
            sandbox = _sandbox_records(admin)
        finally:
            supervisor.stop()
            reader.close()
            self._lift_faults()
        observed = Observed(self._statuses, letters, sandbox, supervisor.unexpected_exits)
        self._summarise(supervisor, observed, started, injected_before)
        write_evidence(self._work / "observed.json", self._workload, observed)
        return self.result

    def _summarise(
        self,
        supervisor: AdapterSupervisor,
        observed: Observed,
        started: float,
        injected_before: Counter[str],
    ) -> None:
        r = self.result
        r.elapsed_s = round(time.monotonic() - started, 1)
        r.kills = supervisor.kills
        r.cuts = len(self._plan.windows(Link.BROKER))
        r.pg_outages = self._plan.windows(Link.POSTGRES)
        r.sandbox_windows = len(self._plan.sandbox_labels)
        r.sandbox_kinds = sorted(
            {k for label in self._plan.sandbox_labels for k in label.split("+")}
        )
        r.faults_injected = self._env.faults_injected() - injected_before
        r.unexpected_exits = supervisor.unexpected_exits
        r.status_events = len(observed.statuses)
        r.status_duplicates = StatusIndex(observed.statuses).duplicates
        r.dead_letter_duplicates = duplicates(observed.letters)
        r.verdicts = judge(self._workload, observed)

    def _lift_faults(self) -> None:
        assert self._env.sandbox is not None
        admin_client.clear_faults(self._env.sandbox.admin_url)
        for proxy in (self._env.proxy, self._env.postgres_proxy):
            if proxy is not None:
                proxy.restore()

    # -- the timeline ---------------------------------------------------------------------------
    def _wait_until(self, moment: float, reader: TopicReader, sup: AdapterSupervisor) -> None:
        while (left := moment - time.monotonic()) > 0:
            self._read(reader, sup, min(0.3, left))

    def _settle(self, reader: TopicReader, sup: AdapterSupervisor, deadline: float) -> bool:
        """Until every valid event is final and every bad record handled today is REJECTED."""
        waiting_for = [
            b for b in self._workload.expected_rejected if b.handled_today and b.event_id
        ]
        valid = self._workload.expected_kinds
        while True:
            index = StatusIndex(self._statuses)
            done = (
                all(index.event_final(i, len(kinds)) for i, kinds in valid.items())
                and not index.open_refs()
                and all("REJECTED" in index.event_statuses(str(b.event_id)) for b in waiting_for)
            )
            if done or time.monotonic() >= deadline:
                return done
            until = min(deadline, time.monotonic() + _SETTLE_CHECK_S)
            self._wait_until(until, reader, sup)

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
        waves: list[list[Record]],
    ) -> None:
        assert self._env.sandbox is not None
        proxy = self._env.proxy if step.link is Link.BROKER else self._env.postgres_proxy
        if step.action is Action.KILL:
            supervisor.kill(step.replica)
        elif step.action is Action.RESTART:
            supervisor.start(step.replica)
        elif step.action is Action.SANDBOX:
            admin_client.set_faults(self._env.sandbox.admin_url, replace=True, **step.faults)
        elif step.action is Action.PRODUCE:
            if waves:
                topic = self._settings.kafka.input_topic
                for record in waves.pop(0):
                    producer.produce(topic, record.key, record.value)
        elif proxy is not None:
            if step.action is Action.CUT:
                proxy.cut()
            elif step.action is Action.BLACKHOLE:
                proxy.blackhole()
            else:
                proxy.restore()

    def _dead_letters(self) -> list[DeadLetter]:
        reader = TopicReader(self._env.bootstrap_servers, self._settings.kafka.dead_letter_topic)
        wanted = {b.identity for b in self._workload.bad if b.handled_today}
        letters: list[DeadLetter] = []
        try:
            deadline = time.monotonic() + 15.0
            while time.monotonic() < deadline and not wanted <= {d.identity for d in letters}:
                letters += [_letter(m) for m in reader.read(0.5)]
            letters += [_letter(m) for m in reader.read(1.0)]
        finally:
            reader.close()
        return letters


def write_evidence(path: Path, workload: Workload, observed: Observed) -> None:
    """Everything the judge saw, for whoever investigates a failed run (kept with its logs)."""
    evidence = {
        "stories": [
            {
                "employment": s.employment_id,
                "kind": s.kind,
                "worker": s.worker_key,
                "events": [str(e["eventId"]) for e in s.events],
                "periods": s.periods,
                "cancelled": s.cancelled,
            }
            for s in workload.stories
        ],
        "bad": [
            {"kind": b.kind, "employment": b.employment_id, "event": b.event_id}
            for b in workload.bad
        ],
        "duplicated": workload.duplicated,
        "statuses": observed.statuses,
        "deadLetters": [
            {
                "key": None if d.key is None else d.key.hex(),
                "value": None if d.value is None else d.value.hex(),
                "code": d.reason_code,
                "reason": d.reason,
                "event": d.event_id,
            }
            for d in observed.letters
        ],
        "sandbox": {
            "counts": observed.sandbox.counts,
            "declarations": observed.sandbox.declarations,
            "periods": observed.sandbox.periods,
        },
        "unexpectedExits": observed.unexpected_exits,
    }
    path.write_text(json.dumps(evidence, default=str, indent=1), encoding="utf-8")


def _letter(message: Any) -> DeadLetter:
    return dead_letter_of(message.key(), message.value(), message.headers())


def _sandbox_records(admin_url: str) -> SandboxRecords:
    state = admin_client.state(admin_url, full=True)
    return SandboxRecords(
        admin_client.period_counts(admin_url),
        state.get("declarationRecords", []),
        state.get("periodRecords", []),
    )
