"""Invariants judged from the status topic alone."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from adapter.chaos.observed import FINAL, GOOD, Status, StatusIndex, sample
from adapter.chaos.workload import Workload


@dataclass(frozen=True, slots=True)
class Verdict:
    name: str
    ok: bool
    detail: str = ""


def verdict(name: str, problems: list[str]) -> Verdict:
    return Verdict(name, not problems, "; ".join(problems))


def every_event_final(workload: Workload, index: StatusIndex) -> Verdict:
    """Every valid event reaches a final status (all of its declarations), and so does every
    declaration seen."""
    missing = [
        i for i, kinds in workload.expected_kinds.items() if not index.event_final(i, len(kinds))
    ]
    open_refs = index.open_refs()
    problems = []
    if missing:
        problems.append(f"{len(missing)} valid events not final ({sample(missing)})")
    if open_refs:
        last = [f"{r}: {index.by_ref[r][-1]['status']}" for r in open_refs]
        problems.append(f"{len(open_refs)} declarations not final ({sample(last, 2)})")
    return verdict("every event has its final status", problems)


def valid_events_accepted(workload: Workload, index: StatusIndex) -> Verdict:
    """Every fault is transient: each valid event becomes exactly the declarations it should,
    and every one of them ends accepted."""
    conflicts = {b.event_id for b in workload.bad if b.kind == "conflict"}
    not_accepted: list[str] = []
    shape: list[str] = []
    for event_id, kinds in workload.expected_kinds.items():
        refs = index.refs_of_event.get(event_id, [])
        got = tuple(sorted(index.kind_of_ref(r) for r in refs))
        if refs and got != kinds:
            shape.append(f"{event_id[:8]}: {'+'.join(got)} instead of {'+'.join(kinds)}")
        finals = {f for r in refs for f in index.finals_of_ref(r)}
        event_level = index.event_statuses(event_id) & FINAL
        if event_id in conflicts:
            event_level -= {"REJECTED"}
        if (finals - GOOD) or event_level:
            employment = _employment(index, event_id)
            not_accepted.append(f"{employment} {event_id[:8]}: {sorted(finals | event_level)}")
    problems = []
    if not_accepted:
        problems.append(f"{len(not_accepted)} not accepted ({sample(not_accepted, 2)})")
    if shape:
        problems.append(f"{len(shape)} with other declarations ({sample(shape, 2)})")
    return verdict("valid events accepted as planned", problems)


def _employment(index: StatusIndex, event_id: str) -> str:
    for status in index.event_level.get(event_id, []):
        return str(status["employmentId"])
    for ref in index.refs_of_event.get(event_id, []):
        return str(index.by_ref[ref][0]["employmentId"])
    return "?"


def one_outcome_each(index: StatusIndex) -> Verdict:
    """No declaration has two different final statuses, and no status event id names two
    different status events."""
    torn = [
        f"{ref} ({index.kind_of_ref(ref)}): {sorted(index.finals_of_ref(ref))}"
        for ref in index.by_ref
        if len(index.finals_of_ref(ref)) > 1
    ]
    problems = [f"{len(torn)} declarations with two outcomes ({sample(torn, 2)})"] if torn else []
    if index.reused:
        problems.append(
            f"{len(index.reused)} status event ids reused for different contents "
            f"({sample(index.reused, 2)})"
        )
    return verdict("one final status per declaration", problems)


_NEXT: dict[str | None, frozenset[str]] = {
    None: frozenset({"SUBMITTED", "FAILED"}),
    "SUBMITTED": frozenset({"WAITING_IDENTIFICATION"}) | (FINAL - {"REJECTED"}),
    "WAITING_IDENTIFICATION": FINAL - {"REJECTED"},
}


def declaration_order_problems(statuses: list[Status]) -> list[str]:
    """SUBMITTED, at most one WAITING_IDENTIFICATION (an S answer), then one final status; or
    FAILED before any submission. Each ``previousStatus`` names the status before it."""
    problems: list[str] = []
    before: str | None = None
    for status in statuses:
        current = status["status"]
        allowed = _NEXT.get(before, frozenset())
        if current not in allowed:
            problems.append(f"{before or 'start'} → {current}")
        previous = status.get("previousStatus")
        if previous != (before or "RECEIVED"):
            problems.append(f"{current} says it follows {previous}, not {before or 'RECEIVED'}")
        before = current
    return problems


def legal_order(workload: Workload, index: StatusIndex) -> Verdict:
    """Per declaration: a legal sequence. Per event: RECEIVED before its declarations. Per
    employment: the declarations of one event all final before the next event's first."""
    position = {s["statusEventId"]: n for n, s in enumerate(index.unique)}
    bad_refs = []
    for ref, statuses in index.by_ref.items():
        found = declaration_order_problems(statuses)
        if found:
            bad_refs.append(f"{ref}: {', '.join(found[:2])}")
    late_received = []
    overlapping = []
    for story in workload.stories:
        finished_at = -1
        previous = ""
        for event in story.events:
            event_id = str(event["eventId"])
            statuses = [s for r in index.refs_of_event.get(event_id, []) for s in index.by_ref[r]]
            if not statuses:
                continue
            first = min(position[s["statusEventId"]] for s in statuses)
            received = [
                position[s["statusEventId"]]
                for s in index.event_level.get(event_id, [])
                if s["status"] == "RECEIVED"
            ]
            if received and min(received) > first:
                late_received.append(f"{story.employment_id} {event_id[:8]}")
            if first < finished_at:
                overlapping.append(f"{story.employment_id}: {event['eventType']} after {previous}")
            finished_at = max(position[s["statusEventId"]] for s in statuses)
            previous = str(event["eventType"])
    problems = []
    if bad_refs:
        problems.append(f"{len(bad_refs)} declarations out of order ({sample(bad_refs, 2)})")
    if late_received:
        problems.append(f"{len(late_received)} RECEIVED after a declaration status")
    if overlapping:
        problems.append(
            f"{len(overlapping)} events declared before the previous one ended "
            f"({sample(overlapping, 2)})"
        )
    return verdict("status events in a legal order", problems)


def no_event_lost(
    workload: Workload, index: StatusIndex, letters: Counter[tuple[bytes | None, bytes | None]]
) -> Verdict:
    """Every record is accounted for: a status event, or a dead letter."""
    silent = [
        i for i in workload.valid_ids if i not in index.refs_of_event and i not in index.event_level
    ]
    unlettered = [b.kind for b in workload.bad if letters[b.identity] == 0]
    problems = []
    if silent:
        problems.append(f"{len(silent)} valid events without any status ({sample(silent)})")
    if unlettered:
        kinds = ", ".join(f"{k} ×{n}" for k, n in sorted(Counter(unlettered).items()))
        problems.append(f"{len(unlettered)} bad records not dead-lettered ({kinds})")
    return verdict("no event lost", problems)
