"""Liveness and readiness, as two different questions.

* live: the main loop ticked recently (``heartbeat()``), which catches a wedged loop. It never
  looks at Kafka, the database or ONSS: an outage of a dependency must not restart every pod.
* ready: this process owns input partitions and the store answers. Readiness only gates
  traffic (the metrics Service); it does not restart anything. The store check is a database
  query, so its answer is reused for ``readiness_cache_s``: a flood of probes costs one query
  per window (concurrent probes wait for the one query under way instead of starting more).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

StoreCheck = Callable[[], Awaitable[bool]]
Clock = Callable[[], float]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    checks: dict[str, str]


class Health:
    """Updated by the runner; read by the ops server."""

    def __init__(
        self,
        *,
        liveness_window_s: float = 60.0,
        store_check: StoreCheck | None = None,
        store_timeout_s: float = 2.0,
        readiness_cache_s: float = 1.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self._window = liveness_window_s
        self._store_check = store_check
        self._store_timeout = store_timeout_s
        self._cache_s = readiness_cache_s
        self._clock = clock
        self._store_answer: tuple[float, bool] | None = None  # (when, reachable)
        self._store_lock = asyncio.Lock()
        self._last_beat = clock()
        self._assigned = False
        self._stopping = False
        self._problems: dict[str, str] = {}

    # -- what the runner calls ---------------------------------------------------------------
    def heartbeat(self) -> None:
        """Once per loop iteration."""
        self._last_beat = self._clock()

    def partitions_assigned(self, assigned: bool) -> None:
        self._assigned = assigned

    def stopping(self) -> None:
        """Draining: not ready any more, still alive."""
        self._stopping = True

    def degraded(self, check: str, problem: str | None) -> None:
        """A failing dependency reported by the loop (None: it recovered)."""
        if problem is None:
            self._problems.pop(check, None)
        else:
            self._problems[check] = problem

    def set_store_check(self, check: StoreCheck) -> None:
        self._store_check = check
        self._store_answer = None

    # -- what the probes ask -----------------------------------------------------------------
    def live(self) -> Verdict:
        silent = self._clock() - self._last_beat
        ok = silent <= self._window
        return Verdict(ok, {"loop": f"last tick {silent:.1f} s ago (limit {self._window:.0f} s)"})

    async def ready(self) -> Verdict:
        checks: dict[str, str] = {}
        ok = True
        if self._stopping:
            ok = False
            checks["shutdown"] = "draining"
        for check, problem in self._problems.items():
            ok = False
            checks[check] = problem
        if not self._assigned:
            ok = False
            checks["partitions"] = "none assigned"
        else:
            checks["partitions"] = "assigned"
        store_ok = await self._check_store()
        checks["store"] = "reachable" if store_ok else "unreachable"
        ok = ok and store_ok
        return Verdict(ok, checks)

    async def _check_store(self) -> bool:
        if self._store_check is None:
            return True
        async with self._store_lock:
            answer = self._store_answer
            if answer is not None and self._clock() - answer[0] < self._cache_s:
                return answer[1]
            reachable = await self._query_store(self._store_check)
            self._store_answer = (self._clock(), reachable)
            return reachable

    async def _query_store(self, check: StoreCheck) -> bool:
        try:
            return await asyncio.wait_for(check(), self._store_timeout)
        except Exception:  # any failure of the check means "not reachable"
            log.warning("store readiness check failed", exc_info=True)
            return False
