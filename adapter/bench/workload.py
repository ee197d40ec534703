"""Synthetic hires and leaves: a deterministic backlog of employment events (pure)."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from adapter.core.identifiers import make_ssin
from adapter.demo_events import hire, leave

_ROUND = ("HIRE", "LEAVE")
_SEQUENCES = 499  # odd sequence numbers 1..997 per birth date (male workers)


@dataclass(frozen=True, slots=True)
class Workload:
    events: int
    employments: int
    seed: int = 1

    @property
    def events_per_employment(self) -> int:
        return -(-self.events // self.employments)


def worker_ssin(index: int) -> str:
    """A distinct, check-digit valid SSIN per employment index (no overlap between workers)."""
    born = date(1960, 1, 1) + timedelta(days=index // _SEQUENCES)
    return make_ssin(born, 1 + 2 * (index % _SEQUENCES))


def generate(workload: Workload, *, today: date) -> list[dict[str, Any]]:
    """Events in rounds: event r of every employment, then event r + 1 of every employment.

    Per employment: HIRE, LEAVE, HIRE (a re-hire after a gap), LEAVE, ... Periods never
    overlap. Event ids come from a seeded generator so two runs produce the same backlog.
    """
    rng = random.Random(workload.seed)  # noqa: S311 - ids, not secrets
    now = datetime.now(UTC)
    start = today + timedelta(days=1)
    produced: list[dict[str, Any]] = []
    for step in range(workload.events_per_employment):
        first_day = start + timedelta(days=20 * (step // 2))
        for index in range(workload.employments):
            if len(produced) >= workload.events:
                return produced
            employment = f"EMP-B{index:06d}"
            ssin = worker_ssin(index)
            if _ROUND[step % 2] == "HIRE":
                event = hire(employment, ssin, first_day, now=now)
            else:
                event = leave(employment, ssin, first_day + timedelta(days=9), now=now)
            event["eventId"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            produced.append(event)
    return produced
