"""The invariants of a chaos run, judged from the outside: the status topic, the dead-letter
topic, the sandbox's own records and the adapter's exit codes (see docs/reliability.md)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from adapter.chaos.judge_bad_input import bad_records_rejected, dead_letters_exact
from adapter.chaos.judge_onss import (
    duplicates_declared_once,
    periods_as_expected,
    posted_once,
    statuses_agree_with_onss,
)
from adapter.chaos.judge_statuses import (
    Verdict,
    every_event_final,
    legal_order,
    no_event_lost,
    one_outcome_each,
    valid_events_accepted,
)
from adapter.chaos.observed import DeadLetter, Observed, StatusIndex
from adapter.chaos.workload import Workload

__all__ = ["SHORT", "Verdict", "duplicates", "judge"]

SHORT = {
    "every event has its final status": "final",
    "ONSS holds the expected periods": "periods",
    "each declaration posted once": "posted once",
    "no event lost": "no loss",
    "dead letters = the bad records": "DLQ exact",
    "bad records rejected, never declared": "rejected",
    "valid events accepted as planned": "accepted",
    "one final status per declaration": "one outcome",
    "status events in a legal order": "order",
    "duplicates declared once": "dups once",
    "statuses agree with ONSS": "= ONSS",
    "adapter never died on its own": "no crash",
}
"""Column names of the report, in the order of ``judge``."""


def no_unexpected_exit(exits: Sequence[str]) -> Verdict:
    """Every adapter process ended by our SIGKILL or our SIGTERM, never on its own."""
    name = "adapter never died on its own"
    return Verdict(name, not exits, f"{len(exits)}: " + "; ".join(exits[:3]) if exits else "")


def duplicates(letters: Sequence[DeadLetter]) -> int:
    """Dead letters repeated (at-least-once: a crash between dead letter and commit)."""
    keys = Counter(d.identity for d in letters)
    return sum(n - 1 for n in keys.values())


def judge(workload: Workload, observed: Observed) -> list[Verdict]:
    index = StatusIndex(observed.statuses)
    letters = Counter(d.identity for d in observed.letters)
    sandbox = observed.sandbox
    return [
        every_event_final(workload, index),
        periods_as_expected(workload, sandbox),
        posted_once(workload, sandbox),
        no_event_lost(workload, index, letters),
        dead_letters_exact(workload, observed.letters),
        bad_records_rejected(workload, index, sandbox),
        valid_events_accepted(workload, index),
        one_outcome_each(index),
        legal_order(workload, index),
        duplicates_declared_once(workload, index, sandbox),
        statuses_agree_with_onss(workload, index, sandbox),
        no_unexpected_exit(observed.unexpected_exits),
    ]
