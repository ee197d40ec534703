"""The outbox relay: publishes recorded status events in order, then marks them published."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from adapter.app.backoff import retry_delay
from adapter.app.ports import Outbox, StatusPublisher
from adapter.core.errors import TransientError

logger = logging.getLogger(__name__)


class OutboxRelay:
    """Runs until stopped; ``nudge()`` wakes it as soon as new records were written."""

    def __init__(
        self,
        outbox: Outbox,
        publisher: StatusPublisher,
        *,
        partitions: Callable[[], frozenset[int] | None],
        batch_size: int = 500,
        idle_wait_s: float = 0.5,
        retry_cap_s: float = 30.0,
    ) -> None:
        self._outbox = outbox
        self._publisher = publisher
        self._partitions = partitions
        self._batch_size = batch_size
        self._idle_wait_s = idle_wait_s
        self._retry_cap_s = retry_cap_s
        self._wake = asyncio.Event()

    def nudge(self) -> None:
        self._wake.set()

    async def drain_once(self) -> int:
        """Publish what is pending now; returns how many records went out."""
        outbox = self._outbox
        total = 0
        while True:
            partitions = self._partitions()
            entries = await outbox.pending_outbox(
                None if partitions is None else sorted(partitions), self._batch_size
            )
            if not entries:
                return total
            await self._publisher.publish(entries)
            await outbox.mark_published([e.row_id for e in entries])
            total += len(entries)

    async def run(self, stopping: asyncio.Event) -> None:
        failures = 0
        while not stopping.is_set():
            self._wake.clear()
            try:
                await self.drain_once()
                failures = 0
            except TransientError as exc:
                # The store or the broker is unavailable: the records wait in the outbox.
                failures += 1
                delay = retry_delay(failures, None, cap=self._retry_cap_s)
                logger.warning(
                    "status events not published yet",
                    extra={
                        "error_class": type(exc).__name__,
                        "error": str(exc),
                        "retry_in_s": round(delay, 3),
                    },
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), timeout=delay)
                continue
            waiter = asyncio.create_task(self._wake.wait())
            stop = asyncio.create_task(stopping.wait())
            await asyncio.wait(
                {waiter, stop}, timeout=self._idle_wait_s, return_when=asyncio.FIRST_COMPLETED
            )
            waiter.cancel()
            stop.cancel()
        try:
            await self.drain_once()
        except TransientError as exc:  # what is left is published by whoever runs next
            logger.warning("final outbox drain incomplete", extra={"error": str(exc)})
