"""Invariants judged from the sandbox's own records: what ONSS holds and what it received."""

from __future__ import annotations

from collections import Counter

from adapter.chaos.judge_statuses import Verdict, verdict
from adapter.chaos.observed import SandboxRecords, StatusIndex, sample
from adapter.chaos.stories import Story
from adapter.chaos.workload import Workload


def _short(worker: str) -> str:
    return worker if worker.startswith("id:") else worker[:4] + "…"


def periods_as_expected(workload: Workload, sandbox: SandboxRecords) -> Verdict:
    """ONSS holds exactly the periods each employment should have: one per ordinary hire, two
    for a student over two quarters, one per flexi day, none (one cancelled) after a CANCEL."""
    counts = sandbox.counts_of()
    wrong = []
    for story in workload.stories:
        row = counts.get(story.worker_key, {})
        got = (row.get("periods", 0), row.get("cancelled", 0), row.get("pending", 0))
        if got != (story.periods, story.cancelled, 0):
            wrong.append(
                f"{story.employment_id} ({story.kind}): {got[0]} periods, {got[1]} cancelled, "
                f"{got[2]} pending; expected {story.periods}, {story.cancelled}, 0"
            )
    problems = [f"{len(wrong)} employments ({sample(wrong, 2)})"] if wrong else []
    return verdict("ONSS holds the expected periods", problems)


def _posted_problems(story: Story, posted: list[tuple[str, str]]) -> list[str]:
    problems = []
    kinds = Counter(kind for kind, _ in posted)
    if kinds != story.posted:
        got = "+".join(f"{k}×{n}" for k, n in sorted(kinds.items())) or "nothing"
        want = "+".join(f"{k}×{n}" for k, n in sorted(story.posted.items()))
        problems.append(f"{story.employment_id} ({story.kind}): {got}, expected {want}")
    twice = [kind for (kind, _), n in Counter(posted).items() if n > 1]
    if twice:
        problems.append(f"{story.employment_id}: the same {'/'.join(sorted(twice))} posted twice")
    return problems


def posted_once(workload: Workload, sandbox: SandboxRecords) -> Verdict:
    """ONSS received each declaration exactly once (a second POST of the same declaration is
    a double declaration even when ONSS refuses it)."""
    posted = sandbox.posted_by_worker()
    wrong = [p for s in workload.stories for p in _posted_problems(s, posted.get(s.worker_key, []))]
    problems = [f"{len(wrong)} ({sample(wrong, 2)})"] if wrong else []
    return verdict("each declaration posted once", problems)


def duplicates_declared_once(
    workload: Workload, index: StatusIndex, sandbox: SandboxRecords
) -> Verdict:
    """An event re-sent byte for byte is declared once: the same declarations (by reference)
    as the original alone, and ONSS received each once."""
    stories = workload.story_of
    expected = workload.expected_kinds
    employment_of = {str(e["eventId"]): s.employment_id for s in workload.stories for e in s.events}
    posted = sandbox.posted_by_worker()
    wrong = []
    for event_id in workload.duplicated:
        story = stories[employment_of[event_id]]
        refs = index.refs_of_event.get(event_id, [])
        if len(refs) != len(expected[event_id]):
            wrong.append(f"{story.employment_id}: {len(refs)} declarations for one event")
        wrong += _posted_problems(story, posted.get(story.worker_key, []))
    problems = [f"{len(wrong)} ({sample(wrong, 2)})"] if wrong else []
    return verdict("duplicates declared once", problems)


def statuses_agree_with_onss(
    workload: Workload, index: StatusIndex, sandbox: SandboxRecords
) -> Verdict:
    """What the adapter announced matches what ONSS holds, employment by employment: accepted
    INs minus accepted CANCELs are the active periods, accepted CANCELs the cancelled ones, and
    every declaration and period id announced is one ONSS holds for that worker."""
    counts = sandbox.counts_of()
    wrong = []
    for employment, worker in workload.worker_of.items():
        accepted = index.accepted_kinds(employment)
        row = counts.get(worker, {})
        said = (accepted["IN"] - accepted["CANCEL"], accepted["CANCEL"])
        held = (row.get("periods", 0), row.get("cancelled", 0))
        if said != held:
            wrong.append(
                f"{employment} ({_short(worker)}): statuses say {said[0]} active, {said[1]} "
                f"cancelled; ONSS holds {held[0]}, {held[1]}"
            )
    foreign = _foreign_ids(workload, index, sandbox)
    problems = [f"{len(wrong)} employments ({sample(wrong, 2)})"] if wrong else []
    if foreign:
        problems.append(
            f"{len(foreign)} ids announced that ONSS holds for another worker or not at all "
            f"({sample(foreign, 2)})"
        )
    return verdict("statuses agree with ONSS", problems)


def _foreign_ids(workload: Workload, index: StatusIndex, sandbox: SandboxRecords) -> list[str]:
    """Every declaration id and period id in a status event is one ONSS holds for the worker
    of that employment."""
    workers = workload.worker_of
    employment_of = {worker: employment for employment, worker in workers.items()}
    of_declaration = sandbox.worker_of_declaration()
    of_period = sandbox.worker_of_period()
    found: set[str] = set()
    for status in index.unique:
        worker = workers.get(status["employmentId"])
        if worker is None:
            continue
        for field, owners in (("declarationId", of_declaration), ("periodId", of_period)):
            value = status.get(field)
            if value is not None and owners.get(int(value)) != worker:
                owner = owners.get(int(value))
                named = "nobody" if owner is None else employment_of.get(owner, _short(owner))
                found.add(
                    f"{status['employmentId']} {status.get('declarationKind')} {field} {value} "
                    f"of {named}"
                )
    return sorted(found)
