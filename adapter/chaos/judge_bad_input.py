"""Invariants on bad records: judged from the dead-letter topic, the status topic and ONSS."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from adapter.chaos.judge_statuses import Verdict, verdict
from adapter.chaos.observed import DeadLetter, SandboxRecords, StatusIndex, sample
from adapter.chaos.workload import Workload


def dead_letters_exact(workload: Workload, letters: Sequence[DeadLetter]) -> Verdict:
    """The dead-letter topic holds exactly the bad records (as a set: a crash between the dead
    letter and the commit repeats one), each with an acceptable reason code and a message."""
    expected = {b.identity: b for b in workload.bad}
    found = {d.identity: d for d in letters}
    extra = [d for key, d in found.items() if key not in expected]
    missing = [b.kind for key, b in expected.items() if key not in found]
    wrong_code = [
        f"{b.kind}: {found[key].reason_code or 'no code'}"
        for key, b in expected.items()
        if key in found
        and (
            not found[key].reason_code
            or (b.codes is not None and found[key].reason_code not in b.codes)
        )
    ]
    no_reason = [b.kind for key, b in expected.items() if key in found and not found[key].reason]
    problems = []
    if missing:
        kinds = ", ".join(f"{k} ×{n}" for k, n in sorted(Counter(missing).items()))
        problems.append(f"{len(missing)} bad records missing ({kinds})")
    if extra:
        shown = [f"{d.reason_code} {(d.key or b'')[:30]!r}" for d in extra]
        problems.append(f"{len(extra)} unexpected ({sample(shown, 2)})")
    if wrong_code:
        problems.append(f"{len(wrong_code)} with the wrong reason ({sample(wrong_code, 2)})")
    if no_reason:
        problems.append(f"{len(no_reason)} without a reason message")
    return verdict("dead letters = the bad records", problems)


def bad_records_rejected(
    workload: Workload, index: StatusIndex, sandbox: SandboxRecords
) -> Verdict:
    """Every identifiable bad record has its REJECTED status event; none is ever declared: no
    declaration status names it, and ONSS received nothing for a worker only it names."""
    unrejected: list[str] = []
    declared: list[str] = []
    posted = sandbox.posted_by_worker()
    for bad in workload.expected_rejected:
        assert bad.event_id is not None
        rejected = [
            s
            for s in index.event_level.get(bad.event_id, [])
            if s["status"] == "REJECTED" and s["employmentId"] == bad.employment_id
        ]
        if not rejected:
            unrejected.append(bad.kind)
        if bad.kind != "conflict" and index.refs_of_event.get(bad.event_id):
            kinds = sorted({index.kind_of_ref(r) for r in index.refs_of_event[bad.event_id]})
            declared.append(f"{bad.kind} {bad.employment_id}: {'+'.join(kinds)}")
        elif bad.worker_key is not None and posted.get(bad.worker_key):
            declared.append(f"{bad.kind} {bad.employment_id}: posted at ONSS")
    problems = []
    if unrejected:
        counted = ", ".join(f"{k} ×{n}" for k, n in sorted(Counter(unrejected).items()))
        problems.append(f"{len(unrejected)} without REJECTED ({counted})")
    if declared:
        problems.append(f"{len(declared)} declared ({sample(declared, 2)})")
    return verdict("bad records rejected, never declared", problems)
