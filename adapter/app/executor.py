"""Owns the employment actors of this process: in order per employment, many at once.

One asyncio task (an *actor*) per employment with open events; it hands each event to the
``DeclarationDriver``. A slow answer (even an S lasting days) keeps only its own employment
waiting.

Actors stop only at *safe points*: while sleeping (between polls, before a retry) or between
two recorded steps, never between recording an intent and learning the POST's outcome unless
the budget runs out. ``release`` uses this when Kafka takes partitions away, ``stop`` on
SIGTERM; whatever is cut short is recovered by the next owner (an interrupted POST becomes
UNCERTAIN and is reconciled, never re-posted blindly).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Iterable

from adapter.app.driver import DeclarationDriver
from adapter.app.ports import InboxEntry
from adapter.core.errors import FatalConfiguration, OwnershipLost, TransientError

logger = logging.getLogger(__name__)


class Executor:
    def __init__(self, driver: DeclarationDriver, *, retry_delay_s: float = 5.0) -> None:
        self._driver = driver
        self._actors: dict[str, asyncio.Task[None]] = {}
        self._partition_of: dict[str, int] = {}
        self._dirty: set[str] = set()
        self._stopping: set[str] = set()
        self._retry_delay_s = retry_delay_s
        self.on_fatal: Callable[[FatalConfiguration], None] = lambda _error: None
        """Called once per fatal error met by an actor (the runner stops the process)."""
        driver.stop_requested = self._stop_requested

    @property
    def active_employments(self) -> int:
        return len(self._actors)

    def is_active(self, employment_id: str) -> bool:
        return employment_id in self._actors

    def wake(self, employment_ids: Iterable[str]) -> None:
        """New work was recorded for these employments: make sure an actor runs for each."""
        for employment_id in employment_ids:
            self._dirty.add(employment_id)
            if employment_id not in self._actors:
                self._stopping.discard(employment_id)
                task = asyncio.create_task(self._actor(employment_id), name=employment_id)
                self._actors[employment_id] = task
                task.add_done_callback(functools.partial(self._ended, employment_id))

    def _ended(self, employment_id: str, task: asyncio.Task[None]) -> None:
        if self._actors.get(employment_id) is task:
            del self._actors[employment_id]
            self._partition_of.pop(employment_id, None)
            self._driver.forget(employment_id)  # what it kept for the actor: read anew
        stopping = employment_id in self._stopping
        self._stopping.discard(employment_id)
        if task.cancelled() or stopping:
            return
        error = task.exception()
        if error is None:
            return
        if isinstance(error, FatalConfiguration):
            # Retrying cannot help (a revoked client, a wrong certificate): stop the process.
            self.on_fatal(error)
            return
        if isinstance(error, OwnershipLost):
            # Another process owns this employment's partition and drives it; nothing is lost.
            logger.info(
                "employment driven by its partition's owner",
                extra={"employment_id": employment_id, "reason": str(error)},
            )
            return
        if isinstance(error, TransientError):
            logger.warning(
                "employment actor paused by a transient failure",
                extra={
                    "employment_id": employment_id,
                    "error_class": type(error).__name__,
                    "retry_in_s": self._retry_delay_s,
                },
            )
        else:
            logger.error(
                "employment actor crashed; retrying",
                exc_info=error,
                extra={"employment_id": employment_id, "retry_in_s": self._retry_delay_s},
            )
        # The work is durable: wake again after a pause rather than losing it.
        asyncio.get_running_loop().call_later(self._retry_delay_s, self.wake, [employment_id])

    def _stop_requested(self, employment_id: str) -> bool:
        return employment_id in self._stopping

    async def _actor(self, employment_id: str) -> None:
        # ``_dirty`` is cleared just before each read of the next event, so a wake after the
        # read is never lost. That read may happen inside ``handle``: the write that closes an
        # event also reads the employment's next one, hence the clear before ``handle``.
        self._dirty.discard(employment_id)
        while not self._stop_requested(employment_id):
            entry: InboxEntry | None = await self._driver.next_event(employment_id)
            if entry is None:
                if employment_id in self._dirty:
                    self._dirty.discard(employment_id)
                    continue
                return
            self._partition_of[employment_id] = entry.partition
            self._dirty.discard(employment_id)
            await self.handle(entry)

    async def handle(self, entry: InboxEntry) -> None:
        """One event, in its employment's actor (a subclass may wrap it, to schedule
        differently)."""
        await self._driver.process_event(entry)

    async def release(self, partitions: Iterable[int], *, budget_s: float) -> None:
        """Stop the actors of employments of these partitions (another process takes them)."""
        lost = set(partitions)
        employments = [e for e, p in self._partition_of.items() if p in lost and e in self._actors]
        for employment_id in employments:
            del self._partition_of[employment_id]
        await self._halt(employments, budget_s)

    async def stop(self, *, budget_s: float) -> None:
        """SIGTERM: bring every actor to a safe point within the budget."""
        await self._halt(list(self._actors), budget_s)

    async def _halt(self, employments: list[str], budget_s: float) -> None:
        tasks = []
        for employment_id in employments:
            task = self._actors.get(employment_id)
            if task is None:
                continue
            self._stopping.add(employment_id)
            tasks.append(task)
            if self._driver.at_safe_point(employment_id):
                task.cancel()
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=budget_s)
        for task in pending:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
