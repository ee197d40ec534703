"""The events of one chaos run: hires and leaves of distinct workers, plus known invalid input."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from adapter.core.identifiers import make_ssin
from adapter.demo_events import hire, leave

BAD_SSIN = "90051512300"
"""Valid shape, wrong check digits: refused by the rules (RULE_VIOLATION)."""


@dataclass(frozen=True, slots=True)
class Workload:
    events: list[dict[str, Any] | bytes]
    """In production order; a LEAVE always comes after the HIRE of its employment."""
    valid_ids: list[str]
    rejected_ids: list[str]
    """Decodable events the rules refuse: a REJECTED status event and a dead letter each."""
    undecodable: list[bytes]
    """Bytes that are no Avro record: a dead letter each, no status event."""
    workers: dict[str, str] = field(default_factory=dict)
    """Employment id → SSIN of every valid employment."""

    @property
    def expected_final(self) -> list[str]:
        return self.valid_ids + self.rejected_ids

    def waves(self, count: int) -> list[list[dict[str, Any] | bytes]]:
        """The events cut into ``count`` consecutive slices (order kept)."""
        size = -(-len(self.events) // max(1, count))
        return [self.events[i : i + size] for i in range(0, len(self.events), size)]


def build_workload(seed: int, total: int, *, today: date) -> Workload:
    """About 5 % invalid (at least 4), the rest hires with a leave for every second one."""
    rng = random.Random(seed)  # noqa: S311 - repeatable workload, not secrets
    invalid = max(4, total // 20)
    valid = max(2, total - invalid)
    hires = -(-valid * 2 // 3)
    leaves = valid - hires
    start = today + timedelta(days=5)
    run_tag = f"{seed % 100000:05d}"
    born0 = date(1960, 1, 1) + timedelta(days=seed % 3000)
    events: list[dict[str, Any] | bytes] = []
    valid_ids: list[str] = []
    workers: dict[str, str] = {}
    for index in range(hires):
        employment = f"E-CHAOS-{run_tag}-{index:04d}"
        ssin = make_ssin(born0 + timedelta(days=index // 400), 1 + 2 * (index % 400))
        workers[employment] = ssin
        event = hire(employment, ssin, start)
        events.append(event)
        valid_ids.append(str(event["eventId"]))
        if index < leaves:
            out = leave(employment, ssin, start + timedelta(days=10 + index % 30))
            events.append(out)
            valid_ids.append(str(out["eventId"]))
    rejected_ids: list[str] = []
    undecodable: list[bytes] = []
    for index in range(invalid):
        if index % 2 == 0:
            bad = hire(f"E-CHAOS-{run_tag}-BAD-{index:03d}", BAD_SSIN, start)
            rejected_ids.append(str(bad["eventId"]))
            events.append(bad)
        else:
            garbage = f"\x00chaos {run_tag} garbage #{index}".encode() + rng.randbytes(8)
            undecodable.append(garbage)
            events.append(garbage)
    # Shuffle the invalid ones in without breaking HIRE-before-LEAVE order of an employment.
    bad_events = events[len(valid_ids) :]
    mixed: list[dict[str, Any] | bytes] = events[: len(valid_ids)]
    for item in bad_events:
        mixed.insert(rng.randrange(len(mixed) + 1), item)
    return Workload(mixed, valid_ids, rejected_ids, undecodable, workers)
