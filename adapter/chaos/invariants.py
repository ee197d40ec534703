"""The invariants of a chaos run, judged from the outside: the status topic, the dead-letter
topic, the sandbox's own records and the adapter's exit codes."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from adapter.chaos.workload import Workload
from adapter.demo_harness import FINAL, all_final

GOOD = frozenset({"ACCEPTED", "ACCEPTED_WITH_WARNINGS"})


@dataclass(frozen=True, slots=True)
class Verdict:
    name: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True, slots=True)
class DeadLetter:
    value: bytes
    reason_code: str
    event_id: str | None


def dead_letter_of(value: bytes, headers: Sequence[tuple[str, bytes]] | None) -> DeadLetter:
    found = dict(headers or [])
    event_id = found.get("dlq.event.id")
    code = found.get("dlq.reason.code", b"")
    return DeadLetter(value, code.decode(), event_id.decode() if event_id else None)


def _sample(items: Sequence[Any] | set[Any], limit: int = 3) -> str:
    shown = sorted(str(i) for i in items)[:limit]
    return ", ".join(shown) + (" …" if len(items) > limit else "")


def every_event_final(workload: Workload, statuses: Sequence[Mapping[str, Any]]) -> Verdict:
    name = "every event has its final status"
    finished = {i for s in statuses if s["status"] in FINAL for i in s["sourceEventIds"]}
    missing = set(workload.expected_final) - finished
    if missing or not all_final(statuses, workload.expected_final):
        open_refs = _open_declarations(statuses)
        return Verdict(
            name,
            False,
            f"{len(missing)} without final ({_sample(missing)}); "
            f"{len(open_refs)} declarations not final ({_sample(open_refs)})",
        )
    return Verdict(name, True)


def _open_declarations(statuses: Sequence[Mapping[str, Any]]) -> set[str]:
    last: dict[str, str] = {}
    for status in statuses:
        if status.get("declarationRef") is not None:
            last[status["declarationRef"]] = status["status"]
    return {ref for ref, status in last.items() if status not in FINAL}


def no_period_declared_twice(workload: Workload, counts: Sequence[Mapping[str, Any]]) -> Verdict:
    """The sandbox's own records: at most one period per worker, none cancelled."""
    name = "no period declared twice"
    ours = set(workload.workers.values())
    doubled = [
        f"{c['worker'][:4]}…: {c['periods']} periods, {c['cancelled']} cancelled"
        for c in counts
        if c["worker"] in ours and (c["periods"] > 1 or c["cancelled"] > 0)
    ]
    return Verdict(name, not doubled, _sample(doubled))


def no_event_lost(
    workload: Workload, statuses: Sequence[Mapping[str, Any]], letters: Sequence[DeadLetter]
) -> Verdict:
    """Every record is accounted for: a status event, or a dead letter."""
    name = "no event lost"
    seen = {i for s in statuses for i in s["sourceEventIds"]}
    lettered = {d.event_id for d in letters} | {d.value for d in letters}
    silent = [i for i in workload.valid_ids if i not in seen]
    unlettered = [i for i in workload.rejected_ids if i not in lettered]
    unlettered += [repr(b[:12]) for b in workload.undecodable if b not in lettered]
    problems = []
    if silent:
        problems.append(f"{len(silent)} valid events without any status ({_sample(silent)})")
    if unlettered:
        problems.append(f"{len(unlettered)} invalid records not dead-lettered")
    return Verdict(name, not problems, "; ".join(problems))


def dead_letters_are_the_invalid_events(
    workload: Workload, letters: Sequence[DeadLetter]
) -> Verdict:
    """The same set (duplicates after a crash between dead letter and commit are at-least-once)."""
    name = "dead letters = the invalid events"
    expected = {*workload.rejected_ids, *workload.undecodable}
    found = {d.event_id if d.event_id is not None else d.value for d in letters}
    extra, missing = found - expected, expected - found
    problems = []
    if extra:
        problems.append(f"{len(extra)} unexpected ({_sample([repr(x)[:40] for x in extra])})")
    if missing:
        problems.append(f"{len(missing)} missing")
    return Verdict(name, not problems, "; ".join(problems))


def valid_events_accepted(workload: Workload, statuses: Sequence[Mapping[str, Any]]) -> Verdict:
    """Every fault is transient, so every valid event ends accepted, and no declaration has two
    different final outcomes."""
    name = "valid events accepted, one outcome each"
    finals: dict[str, set[str]] = defaultdict(set)
    by_ref: dict[str, set[str]] = defaultdict(set)
    for status in statuses:
        if status["status"] in FINAL:
            for event_id in status["sourceEventIds"]:
                finals[event_id].add(status["status"])
            if status.get("declarationRef"):
                by_ref[status["declarationRef"]].add(status["status"])
    bad = [
        f"{i}: {sorted(finals[i])}"
        for i in workload.valid_ids
        if finals[i] and not finals[i] <= GOOD
    ]
    torn = [f"{ref}: {sorted(v)}" for ref, v in by_ref.items() if len(v) > 1]
    problems = []
    if bad:
        problems.append(f"{len(bad)} not accepted ({_sample(bad, 2)})")
    if torn:
        problems.append(f"{len(torn)} with two outcomes ({_sample(torn, 2)})")
    return Verdict(name, not problems, "; ".join(problems))


def statuses_agree_with_onss(
    workload: Workload, statuses: Sequence[Mapping[str, Any]], counts: Sequence[Mapping[str, Any]]
) -> Verdict:
    """A worker has a period at ONSS exactly when the adapter said its IN was accepted."""
    name = "statuses agree with ONSS"
    periods = {c["worker"]: c["periods"] for c in counts}
    accepted = {
        s["employmentId"]
        for s in statuses
        if s.get("declarationKind") == "IN" and s["status"] in GOOD
    }
    hidden = [e for e, ssin in workload.workers.items()
              if periods.get(ssin, 0) > 0 and e not in accepted]  # fmt: skip
    phantom = [e for e in accepted if e in workload.workers
               and periods.get(workload.workers[e], 0) == 0]  # fmt: skip
    problems = []
    if hidden:
        problems.append(f"{len(hidden)} periods at ONSS the statuses deny ({_sample(hidden)})")
    if phantom:
        problems.append(f"{len(phantom)} accepted INs without a period ({_sample(phantom)})")
    return Verdict(name, not problems, "; ".join(problems))


def no_unexpected_exit(exit_codes: Sequence[int]) -> Verdict:
    """Every adapter process ended by our SIGKILL or our SIGTERM, never on its own."""
    name = "adapter never died on its own"
    return Verdict(name, not exit_codes, f"exit codes {list(exit_codes)}" if exit_codes else "")


def duplicates(letters: Sequence[DeadLetter]) -> int:
    keys = Counter(d.event_id if d.event_id is not None else d.value for d in letters)
    return sum(n - 1 for n in keys.values())


def judge(
    workload: Workload,
    statuses: Sequence[Mapping[str, Any]],
    letters: Sequence[DeadLetter],
    counts: Sequence[Mapping[str, Any]],
    unexpected_exits: Sequence[int],
) -> list[Verdict]:
    return [
        every_event_final(workload, statuses),
        no_period_declared_twice(workload, counts),
        no_event_lost(workload, statuses, letters),
        dead_letters_are_the_invalid_events(workload, letters),
        valid_events_accepted(workload, statuses),
        statuses_agree_with_onss(workload, statuses, counts),
        no_unexpected_exit(unexpected_exits),
    ]
