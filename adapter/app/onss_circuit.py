"""One shared brake for every call to ONSS: a failing service slows every actor, not none.

Each declaration backs off on its own (the machine's ``backoff_s``); without a shared
brake, 1,000 pending declarations would still mean 1,000 requests per backoff step against
the quota every declarant shares. The circuit counts consecutive failures of any ONSS call:
from ``threshold`` on, every caller waits until ``open_until`` (a growing, jittered pause, to
``cap_s``); a ``Retry-After`` from ONSS (capped at ``retry_after_cap_s``) holds everyone back
at once. One success closes it.

Pure bookkeeping over an injected clock (``time.monotonic`` in production): tests move time.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from adapter.app.ports import Clock, StoredDeclaration
from adapter.core.errors import TransientError

logger = logging.getLogger(__name__)
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class CircuitConfig:
    threshold: int = 5
    """Consecutive failures (any actor, any ONSS call) before everyone waits."""
    base_s: float = 1.0
    cap_s: float = 60.0
    retry_after_cap_s: float = 300.0
    """A ``Retry-After`` longer than this is taken as this (a misconfigured proxy must not
    stop declarations for a day)."""


class OnssCircuit:
    def __init__(
        self,
        clock: Callable[[], float],
        config: CircuitConfig | None = None,
        *,
        jitter: Callable[[], float] = lambda: random.uniform(0.5, 1.0),  # noqa: S311
    ) -> None:
        self._clock = clock
        self._config = config or CircuitConfig()
        self._jitter = jitter
        self._failures = 0
        self._open_until = 0.0

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def wait_s(self) -> float:
        """How long a caller must wait before its next ONSS call (0 when closed)."""
        return max(0.0, self._open_until - self._clock())

    def capped_retry_after(self, retry_after: float | None) -> float | None:
        if retry_after is None:
            return None
        return min(max(0.0, retry_after), self._config.retry_after_cap_s)

    def failure(self, retry_after: float | None = None) -> None:
        """An ONSS call failed transiently (5xx, 429, timeout, reset)."""
        self._failures += 1
        now = self._clock()
        held = self.capped_retry_after(retry_after)
        if held is not None:
            self._open_until = max(self._open_until, now + held)
        excess = self._failures - self._config.threshold
        if excess >= 0:
            pause = min(self._config.cap_s, self._config.base_s * 2.0 ** min(excess, 30))
            self._open_until = max(self._open_until, now + pause * self._jitter())

    def success(self) -> None:
        self._failures = 0
        self._open_until = 0.0


class OnssCalls:
    """What the shell does around every ONSS call: wait while the shared circuit is open,
    make the call, tell the circuit how it went; and the warning that says why a declaration
    waits (the wait itself is the machine's decision)."""

    def __init__(self, circuit: OnssCircuit, clock: Clock) -> None:
        self.circuit = circuit
        self._clock = clock

    async def call(self, operation: Callable[[], Awaitable[R]]) -> R:
        if (wait := self.circuit.wait_s()) > 0:
            await self._clock.sleep_until(self._clock.now() + timedelta(seconds=wait))
        try:
            result = await operation()
        except TransientError as exc:
            self.circuit.failure(exc.retry_after)
            raise
        self.circuit.success()
        return result

    def warn_waiting(
        self, stored: StoredDeclaration, call: str, error: str, next_attempt_at: datetime | None
    ) -> None:
        """Every ONSS failure that makes a declaration wait is logged, at warning."""
        logger.warning(
            "declaration waits for ONSS",
            extra={
                "employment_id": stored.employment_id,
                "declaration": f"{stored.event_id}/{stored.position}",
                "declaration_id": stored.progress.declaration_id,
                "call": call,
                "error": error,
                "next_attempt_at": None if next_attempt_at is None else next_attempt_at.isoformat(),
                "onss_consecutive_failures": self.circuit.consecutive_failures,
            },
        )
