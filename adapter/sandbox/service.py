"""`SandboxService`: the channel-independent state layer that REST and SOAP handlers both call.

Submitting records a declaration and schedules its processing ``processing_delay`` seconds
later; reads first process whatever is due, so answers never depend on a background task's
timing. Everything runs on the event loop thread: no locks.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapter.sandbox import ids
from adapter.sandbox.anomalies import anomaly
from adapter.sandbox.models import (
    BLOCK_OF_KIND,
    KINDS,
    PENDING,
    REFUSED,
    Client,
    Declaration,
    Period,
    employer_ids,
    employer_key,
    worker_key,
)
from adapter.sandbox.processing import Processor, RuleSettings
from adapter.sandbox.scenarios import ScenarioBook
from adapter.sandbox.store import Store


@dataclass(slots=True)
class ServiceSettings:
    processing_delay: float = 2.0
    identification_delay: float = 60.0
    student_quota_hours: int = 650


class SandboxService:
    """Declarations, periods, clients and scenarios of one sandbox."""

    def __init__(
        self,
        store: Store,
        settings: ServiceSettings | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.settings = settings or ServiceSettings()
        self.clock = clock
        self.rule_settings = RuleSettings(self.settings.student_quota_hours)
        self.processor = Processor(store, self.rule_settings)
        self.scenarios = ScenarioBook()
        self.extra_processing_delay: Callable[[], float] = lambda: 0.0
        self.on_processed: Callable[[Declaration], None] = lambda _declaration: None
        self._ids = ids.IdAllocator(max(store.declarations, default=None))
        self._seq = itertools.count()
        self._due: list[tuple[float, int, int]] = []
        self._resolutions: list[tuple[float, int, int]] = []
        self._by_worker: dict[str, list[int]] = defaultdict(list)
        self._commit: asyncio.Future[None] | None = None
        self._reschedule()

    def _reschedule(self) -> None:
        self._due.clear()
        self._resolutions.clear()
        self._by_worker.clear()
        for declaration in self.store.declarations.values():
            if declaration.worker_key is not None:
                self._by_worker[declaration.worker_key].append(declaration.id)
            if not declaration.processed:
                heapq.heappush(self._due, (declaration.due_at, next(self._seq), declaration.id))
            elif declaration.resolve_at is not None:
                entry = (declaration.resolve_at, next(self._seq), declaration.id)
                heapq.heappush(self._resolutions, entry)

    def set_student_quota(self, hours: int) -> None:
        self.settings.student_quota_hours = hours
        self.rule_settings.student_quota_hours = hours

    # ------------------------------------------------------------------ clients
    def register_client(self, client: Client) -> None:
        self.store.put_client(client)
        self.store.flush()

    def client(self, client_id: str) -> Client | None:
        return self.store.clients.get(client_id)

    def may_declare(self, client: Client, body: dict[str, Any]) -> bool:
        """403 unless the client holds a mandate for the declaration's employer."""
        if client.employers is None:
            return True
        employer = body.get("employer")
        if employer is None:
            kind = kind_of(body)
            period = self.store.periods.get(_int(body[BLOCK_OF_KIND[kind]].get("periodId")))
            if period is None:
                return True  # processing will answer 00913-354
            employer = period.employer
        return client.may_declare_for(employer_ids(employer))

    # ------------------------------------------------------------------ submit
    def submit(self, body: dict[str, Any], client_id: str, *, flush: bool = True) -> Declaration:
        """Record a schema-valid declaration; it is processed after the processing delay.

        With ``flush=False`` the caller must ``await commit()`` before answering 201.
        """
        now = self.clock()
        kind = kind_of(body)
        worker, employer = body.get("worker"), body.get("employer")
        if worker is None or employer is None:
            period = self.store.periods.get(_int(body[BLOCK_OF_KIND[kind]].get("periodId")))
            if period is not None:
                worker = worker or period.worker
                employer = employer or period.employer
        scenario = self.scenarios.find(kind, worker or {})
        delay = self.settings.processing_delay + self.extra_processing_delay()
        if scenario is not None and scenario.processing_delay_seconds is not None:
            delay = scenario.processing_delay_seconds
        declaration = Declaration(
            id=self._ids.next_id(),
            kind=kind,
            body=body,
            client_id=client_id,
            received_at=now,
            due_at=now + delay,
            employer_key=None if employer is None else employer_key(employer),
            worker_key=None if worker is None else worker_key(worker),
            forced=None if scenario is None else scenario.to_wire(),
        )
        self.store.put_declaration(declaration)
        if flush:
            self.store.flush()
        if declaration.worker_key is not None:
            self._by_worker[declaration.worker_key].append(declaration.id)
        heapq.heappush(self._due, (declaration.due_at, next(self._seq), declaration.id))
        return declaration

    async def commit(self) -> None:
        """Wait until everything recorded so far is durable.

        Concurrent callers share one SQLite transaction (group commit) instead of one each.
        """
        if not self.store.persistent:
            return
        if self._commit is None:
            loop = asyncio.get_running_loop()
            self._commit = loop.create_future()
            loop.call_soon(self._group_commit)
        await asyncio.shield(self._commit)

    def _group_commit(self) -> None:
        waiting, self._commit = self._commit, None
        if waiting is None:
            return
        try:
            self.store.flush()
        except Exception as exc:  # noqa: BLE001 - handed to every waiting request
            waiting.set_exception(exc)
        else:
            waiting.set_result(None)

    # ------------------------------------------------------------------ processing
    def advance(self, everything: bool = False) -> int:
        """Process every declaration (and resolve every S) that is due; returns how many.

        ``everything`` processes and resolves all that is pending, due or not (admin use).
        """
        if not self._due and not self._resolutions:
            return 0
        now = self.clock()
        horizon = float("inf") if everything else now
        done = 0
        while self._due and self._due[0][0] <= horizon:
            _, _, declaration_id = heapq.heappop(self._due)
            declaration = self.store.declarations.get(declaration_id)
            if declaration is not None and not declaration.processed:
                self._process(declaration, now)
                self.on_processed(declaration)
                done += 1
        while self._resolutions and self._resolutions[0][0] <= horizon:
            at, _, declaration_id = heapq.heappop(self._resolutions)
            declaration = self.store.declarations.get(declaration_id)
            if declaration is not None and declaration.resolve_at == at:
                result = declaration.resolve_to or "A"
                codes = declaration.resolve_anomalies
                self.processor.resolve(declaration, result, codes, now)
                self.on_processed(declaration)
                done += 1
        if done:
            self.store.flush()
        return done

    def _process(self, declaration: Declaration, now: float) -> None:
        forced = declaration.forced
        if forced is None:
            self.processor.process(declaration, now)
            if declaration.result == "S":
                self._schedule_resolution(declaration, now + self.settings.identification_delay)
                declaration.resolve_to = "A"
            return
        result = str(forced["result"])
        severity = "B" if result == "B" else "NP"
        anomalies = [anomaly(code, severity) for code in forced["anomalies"]]
        self.processor.conclude(declaration, result, anomalies, now)
        if result == "S":
            after = forced.get("resolveAfterSeconds")
            delay = self.settings.identification_delay if after is None else float(after)
            declaration.resolve_to = str(forced.get("resolveTo") or "A")
            declaration.resolve_anomalies = list(forced.get("resolveAnomalies") or [])
            self._schedule_resolution(declaration, now + delay)

    def _schedule_resolution(self, declaration: Declaration, at: float) -> None:
        declaration.resolve_at = at
        heapq.heappush(self._resolutions, (at, next(self._seq), declaration.id))
        self.store.mark_declaration(declaration)

    # ------------------------------------------------------------------ reads
    def get(self, declaration_id: int) -> Declaration | None:
        """The processed declaration, or None while it is unknown or not processed (404)."""
        self.advance()
        declaration = self.store.declarations.get(declaration_id)
        if declaration is None or not declaration.processed:
            return None
        return declaration

    def received(self, declaration_id: int) -> Declaration | None:
        """A declaration whatever its state (admin and SOAP use)."""
        return self.store.declarations.get(declaration_id)

    def period(self, period_id: int) -> Period | None:
        self.advance()
        period = self.store.periods.get(period_id)
        return None if period is None or period.status == REFUSED else period

    def search_declarations(self, criteria: dict[str, Any]) -> list[Declaration]:
        self.advance()
        wanted_employer = employer_ids(_object(criteria.get("employer")))
        ssin = _object(criteria.get("worker")).get("ssin")
        period_id = _int(criteria.get("periodId"))
        received_from = _timestamp(criteria.get("receivedFrom"))
        received_to = _timestamp(criteria.get("receivedTo"))
        found: list[Declaration] = []
        candidates: Iterable[Declaration] = self.store.declarations.values()
        if ssin is not None:
            known = (self.store.declarations.get(i) for i in self._by_worker.get(ssin, ()))
            candidates = [d for d in known if d is not None]
        for declaration in candidates:
            if not declaration.processed:
                continue
            if period_id and declaration.period_id != period_id:
                continue
            if received_from is not None and declaration.received_at < received_from:
                continue
            if received_to is not None and declaration.received_at > received_to:
                continue
            period = self.store.periods.get(declaration.period_id or 0)
            employer = declaration.body.get("employer") or (period.employer if period else {})
            if wanted_employer and not set(wanted_employer) & set(employer_ids(employer)):
                continue
            worker = declaration.body.get("worker") or (period.worker if period else {})
            if ssin is not None and worker.get("ssin") != ssin:
                continue
            found.append(declaration)
        return sorted(found, key=lambda d: d.id)

    def search_periods(self, criteria: dict[str, Any]) -> list[Period]:
        self.advance()
        wanted_employer = employer_ids(_object(criteria.get("employer")))
        ssin = _object(criteria.get("worker")).get("ssin")
        start, end = _text(criteria.get("startDate")), _text(criteria.get("endDate"))
        found: list[Period] = []
        candidates: Iterable[Period] = self.store.periods.values()
        if ssin is not None:
            known = (self.store.periods.get(i) for i in self._by_worker.get(ssin, ()))
            candidates = [p for p in known if p is not None]
        for period in candidates:
            if period.status == REFUSED:
                continue
            if wanted_employer and not set(wanted_employer) & set(employer_ids(period.employer)):
                continue
            if ssin is not None and period.worker.get("ssin") != ssin:
                continue
            if end is not None and period.start_date > end:
                continue
            if start is not None and period.end_date is not None and period.end_date < start:
                continue
            found.append(period)
        return sorted(found, key=lambda p: p.id)

    def search_relations(self, criteria: dict[str, Any]) -> list[list[Period]]:
        groups: dict[tuple[str, str], list[Period]] = defaultdict(list)
        for period in self.search_periods(criteria):
            if period.counts:
                groups[(period.employer_key, period.worker_key)].append(period)
        return [groups[key] for key in sorted(groups)]

    # ------------------------------------------------------------------ admin
    def period_counts(self) -> list[dict[str, Any]]:
        """Periods per employer and worker: the judge for "declared twice"."""
        counts: dict[tuple[str, str], dict[str, Any]] = {}
        for period in self.store.periods.values():
            key = (period.employer_key, period.worker_key)
            entry = counts.setdefault(
                key,
                {"employer": key[0], "worker": key[1], "periods": 0, "cancelled": 0, "pending": 0},
            )
            if period.counts:
                entry["periods"] += 1
                entry["pending"] += period.status == PENDING
            elif period.status != REFUSED:
                entry["cancelled"] += 1
        return [counts[k] for k in sorted(counts)]

    def lock_period(self, period_id: int, locked: bool) -> Period | None:
        period = self.store.periods.get(period_id)
        if period is not None:
            period.locked = locked
            self.store.mark_period(period)
            self.store.flush()
        return period

    def summary(self) -> dict[str, Any]:
        results: dict[str, int] = defaultdict(int)
        for declaration in self.store.declarations.values():
            results[declaration.result or "pending"] += 1
        statuses: dict[str, int] = defaultdict(int)
        for period in self.store.periods.values():
            statuses[period.status] += 1
        return {
            "store": self.store.description,
            "declarations": len(self.store.declarations),
            "declarationsByResult": dict(results),
            "periods": len(self.store.periods),
            "periodsByStatus": dict(statuses),
            "clients": sorted(self.store.clients),
            "settings": {
                "processingDelay": self.settings.processing_delay,
                "identificationDelay": self.settings.identification_delay,
                "studentQuotaHours": self.settings.student_quota_hours,
            },
        }

    def reset(self, *, clients: bool = False) -> None:
        self.store.clear(clients=clients)
        self.scenarios.clear()
        self._due.clear()
        self._resolutions.clear()
        self._by_worker.clear()
        self.processor.rebuild()


def kind_of(body: dict[str, Any]) -> str:
    for block, kind in KINDS.items():
        if block in body:
            return kind
    raise ValueError("no action block")


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


def _timestamp(value: object) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.timestamp()
