"""What a chaos run saw from the outside, and the indexes the invariants read it through.

Only three witnesses: the status topic, the dead-letter topic and the sandbox's own records
(``/admin/period-counts`` and ``/admin/state?full=1``), plus the exit codes of the adapter
processes. Nothing is read from the adapter's store.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

FINAL = frozenset({"REJECTED", "ACCEPTED", "ACCEPTED_WITH_WARNINGS", "REFUSED", "FAILED"})
GOOD = frozenset({"ACCEPTED", "ACCEPTED_WITH_WARNINGS"})

Status = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class DeadLetter:
    key: bytes | None
    value: bytes | None
    reason_code: str
    reason: str
    event_id: str | None

    @property
    def identity(self) -> tuple[bytes | None, bytes | None]:
        return self.key, self.value


def dead_letter_of(
    key: bytes | None, value: bytes | None, headers: Sequence[tuple[str, bytes]] | None
) -> DeadLetter:
    found = {name: raw.decode(errors="replace") for name, raw in headers or [] if raw is not None}
    return DeadLetter(
        key,
        value,
        found.get("dlq.reason.code", ""),
        found.get("dlq.reason.message", ""),
        found.get("dlq.event.id"),
    )


@dataclass(frozen=True, slots=True)
class SandboxRecords:
    """The sandbox's view: periods per worker, and every declaration it received."""

    counts: list[dict[str, Any]]
    declarations: list[dict[str, Any]] = field(default_factory=list)
    periods: list[dict[str, Any]] = field(default_factory=list)

    def counts_of(self) -> dict[str, Mapping[str, Any]]:
        """Worker key → its ``period-counts`` row (one employer in the chaos workload)."""
        return {c["worker"]: c for c in self.counts}

    def worker_of_period(self) -> dict[int, str]:
        return {int(p["id"]): str(p["worker_key"]) for p in self.periods}

    def _received(self) -> list[tuple[int, str, str, dict[str, Any]]]:
        """(declaration id, worker key, kind, action block) of every declaration received.

        OUT, UPDATE and CANCEL carry no worker: they belong to the worker of their period."""
        periods = self.worker_of_period()
        out = []
        for record in self.declarations:
            body: dict[str, Any] = record["body"]
            block: dict[str, Any] = next((v for k, v in body.items() if k.startswith("dimona")), {})
            worker = record.get("worker_key")
            if worker is None:
                worker = periods.get(int(block.get("periodId", 0)), "?")
            out.append((int(record["id"]), str(worker), str(record["kind"]), block))
        return out

    def posted_by_worker(self) -> dict[str, list[tuple[str, str]]]:
        """Worker key → (kind, action block as canonical JSON) of every declaration received."""
        posted: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for _, worker, kind, block in self._received():
            posted[worker].append((kind, json.dumps(block, sort_keys=True)))
        return posted

    def worker_of_declaration(self) -> dict[int, str]:
        return {declaration_id: worker for declaration_id, worker, _, _ in self._received()}


@dataclass(frozen=True, slots=True)
class Observed:
    statuses: list[dict[str, Any]]
    """Status events in the order read (each partition in order)."""
    letters: list[DeadLetter]
    sandbox: SandboxRecords
    unexpected_exits: list[str] = field(default_factory=list)
    """One line per adapter process that ended without our signal."""


class StatusIndex:
    """The status events deduplicated by ``statusEventId`` (first occurrence kept, in order):
    status events are at-least-once, consumers deduplicate on that id."""

    def __init__(self, statuses: Sequence[Status]) -> None:
        seen: dict[str, Status] = {}
        self.unique: list[Status] = []
        self.reused: set[str] = set()
        """Status event ids seen with two different contents (a consumer deduplicating on the
        id keeps one and silently drops the other)."""
        for status in statuses:
            first = seen.get(status["statusEventId"])
            if first is None:
                seen[status["statusEventId"]] = status
                self.unique.append(status)
            elif _content(first) != _content(status):
                self.reused.add(status["statusEventId"])
        self.duplicates = len(statuses) - len(self.unique)
        by_ref: dict[str, list[Status]] = defaultdict(list)
        refs_of_event: dict[str, list[str]] = defaultdict(list)
        event_level: dict[str, list[Status]] = defaultdict(list)
        by_employment: dict[str, list[Status]] = defaultdict(list)
        for status in self.unique:
            ref = status.get("declarationRef")
            by_employment[status["employmentId"]].append(status)
            if ref is None:
                for event_id in status["sourceEventIds"]:
                    event_level[event_id].append(status)
                continue
            if ref not in by_ref:
                for event_id in status["sourceEventIds"]:
                    refs_of_event[event_id].append(ref)
            by_ref[ref].append(status)
        # Plain dicts from here on: a look-up must never create an entry.
        self.by_ref = dict(by_ref)
        self.refs_of_event = dict(refs_of_event)
        self.event_level = dict(event_level)
        self.by_employment = dict(by_employment)

    def finals_of_ref(self, ref: str) -> set[str]:
        return {s["status"] for s in self.by_ref[ref] if s["status"] in FINAL}

    def kind_of_ref(self, ref: str) -> str:
        return str(self.by_ref[ref][0].get("declarationKind") or "?")

    def event_statuses(self, event_id: str) -> set[str]:
        return {s["status"] for s in self.event_level.get(event_id, [])}

    def event_final(self, event_id: str, declarations: int) -> bool:
        """The event's ``declarations`` declarations are all seen and final, or the event
        itself ended (FAILED before any declaration). A declaration is seen from its first
        published status (SUBMITTED): one still being planned, sent or reconciled is not."""
        refs = self.refs_of_event.get(event_id, [])
        if "FAILED" in self.event_statuses(event_id):
            return all(self.finals_of_ref(r) for r in refs)
        return len(refs) >= declarations and all(self.finals_of_ref(r) for r in refs)

    def open_refs(self) -> list[str]:
        return [ref for ref in self.by_ref if not self.finals_of_ref(ref)]

    def accepted_kinds(self, employment_id: str) -> Counter[str]:
        """Declarations of the employment the adapter announced accepted, by kind."""
        kinds: Counter[str] = Counter()
        statuses = self.by_employment.get(employment_id, [])
        refs = {str(s["declarationRef"]) for s in statuses if s.get("declarationRef")}
        for ref in refs:
            if self.finals_of_ref(ref) & GOOD:
                kinds[self.kind_of_ref(ref)] += 1
        return kinds


def _content(status: Status) -> dict[str, Any]:
    """What a status event says; when it was said may differ between two writes of the same
    event (a rejected record dead-lettered again after a crash gets its REJECTED again)."""
    return {k: v for k, v in status.items() if k != "occurredAt"}


def sample(items: Sequence[Any] | set[Any], limit: int = 3) -> str:
    shown = sorted(str(i) for i in items)[:limit]
    return ", ".join(shown) + (" …" if len(items) > limit else "")
