"""A circuit breaker on the dead-letter rate (after arroyo's DLQ limit).

When most recent records are dead-lettered, something upstream is broken (a new schema, a
wrong topic); dead-lettering everything would only move the damage. The consumer stops and an
operator looks. Nothing is lost: what was consumed is recorded or dead-lettered, and the
offsets of what follows are not committed.
"""

from __future__ import annotations

from collections import deque

from adapter.core.errors import OperatorNeeded


class DeadLetterRateExceeded(OperatorNeeded):
    """Too many recent records went to the dead-letter topic."""


class DeadLetterBreaker:
    def __init__(self, *, ratio_limit: float, window: int) -> None:
        self._ratio_limit = ratio_limit
        self._recent: deque[bool] = deque(maxlen=window)

    @property
    def ratio(self) -> float:
        return sum(self._recent) / len(self._recent) if self._recent else 0.0

    def record(self, dead_lettered: int, accepted: int) -> None:
        """Count a batch; raises once the window is full and the ratio passes the limit."""
        self._recent.extend([True] * dead_lettered)
        self._recent.extend([False] * accepted)
        full = len(self._recent) == self._recent.maxlen
        if full and self.ratio > self._ratio_limit:
            msg = (
                f"{self.ratio:.0%} of the last {len(self._recent)} records were dead-lettered "
                f"(limit {self._ratio_limit:.0%}): stopping the consumer"
            )
            raise DeadLetterRateExceeded(msg)
