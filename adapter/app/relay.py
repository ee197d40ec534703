"""The outbox relay: publishes recorded status events in order, then marks them published.

The relay shares the event loop with thousands of employment actors. When the process is
busy, one turn of the loop takes as long as all the work that became ready meanwhile (up to
a second in a backlog run), and each ``await`` of the relay costs one turn. A relay that
waited for the broker's acknowledgement of a batch before reading the next one needed four
turns per batch, so status events left in bursts, seconds apart (docs/performance.md).

So the relay is *pipelined*: each turn it reads what was recorded since (as many batches as
there is room for, in one read) and hands it to the producer at once; the acknowledgements
are awaited by their own tasks, which then mark the rows published. Up to
``batches_in_flight`` batches wait for the broker at a time; rows in flight are never read
twice. Records are handed to the producer in outbox order, and the idempotent producer keeps
that order per partition. Only when a delivery *fails* while a later batch is already in
flight can a record reach the topic after one recorded later (it is published again from the
outbox; consumers order by ``occurredAt`` and de-duplicate by ``statusEventId``):
``batches_in_flight = 1`` rules that out, at the price of the bursts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence

from adapter.app.backoff import retry_delay
from adapter.app.ports import Outbox, OutboxEntry, StatusPublisher
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
        batches_in_flight: int = 4,
    ) -> None:
        if batches_in_flight < 1:
            raise ValueError("batches_in_flight must be at least 1")
        self._outbox = outbox
        self._publisher = publisher
        self._partitions = partitions
        self._batch_size = batch_size
        self._idle_wait_s = idle_wait_s
        self._retry_cap_s = retry_cap_s
        self._batches_in_flight = batches_in_flight
        self._wake = asyncio.Event()
        self._in_flight: set[int] = set()
        self._deliveries: set[asyncio.Task[None]] = set()
        self._failures = 0
        self._room = asyncio.Event()
        self._room.set()
        self._last_wanted = batch_size

    def nudge(self) -> None:
        self._wake.set()

    async def drain_once(self) -> int:
        """Publish what is pending now, one acknowledged batch after another; returns how
        many records went out."""
        outbox = self._outbox
        total = 0
        while True:
            entries = await outbox.pending_outbox(self._owned(), self._batch_size)
            if not entries:
                return total
            await self._publisher.publish(entries)
            await outbox.mark_published([e.row_id for e in entries])
            total += len(entries)

    def _owned(self) -> list[int] | None:
        partitions = self._partitions()
        return None if partitions is None else sorted(partitions)

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            self._wake.clear()
            try:
                sent = await self._send_next()
                if not sent and not self._deliveries:
                    self._failures = 0  # the store answers and nothing waits for the broker
            except TransientError as exc:  # the store could not be read
                sent = self._log_failure(exc)
            if self._failures:
                # The store or the broker is unavailable: the records wait in the outbox.
                delay = retry_delay(self._failures, None, cap=self._retry_cap_s)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), timeout=delay)
                continue
            if sent and sent == self._last_wanted:
                continue  # more is waiting: read it on the next turn
            await self._idle(stopping)
        await self._settle()
        try:
            await self.drain_once()
        except TransientError as exc:  # what is left is published by whoever runs next
            logger.warning("final outbox drain incomplete", extra={"error": str(exc)})

    async def _send_next(self) -> int:
        """Read the next records not in flight, as many batches as there is room for, and hand
        them to the producer; each batch's acknowledgement is awaited by a task of its own.
        Returns how many records went out (a full read means more may be waiting)."""
        await self._room.wait()
        room = self._batches_in_flight - len(self._deliveries)
        wanted = self._batch_size * max(1, room)
        entries = await self._outbox.pending_outbox(self._owned(), wanted + len(self._in_flight))
        fresh = [e for e in entries if e.row_id not in self._in_flight][:wanted]
        for start in range(0, len(fresh), self._batch_size):
            batch = fresh[start : start + self._batch_size]
            self._in_flight.update(e.row_id for e in batch)
            delivery = asyncio.create_task(self._deliver(batch), name="outbox-delivery")
            self._deliveries.add(delivery)
            delivery.add_done_callback(self._deliveries.discard)
        if len(self._deliveries) >= self._batches_in_flight:
            self._room.clear()
        self._last_wanted = wanted
        return len(fresh)

    async def _deliver(self, entries: Sequence[OutboxEntry]) -> None:
        row_ids = [e.row_id for e in entries]
        try:
            await self._publisher.publish(entries)
            await self._outbox.mark_published(row_ids)
            self._failures = 0
        except TransientError as exc:
            self._log_failure(exc)
        finally:
            # Failed rows are read again from the outbox; published ones are no longer pending.
            self._in_flight.difference_update(row_ids)
            self._room.set()
            self._wake.set()

    def _log_failure(self, exc: TransientError) -> int:
        self._failures += 1
        logger.warning(
            "status events not published yet",
            extra={
                "error_class": type(exc).__name__,
                "error": str(exc),
                "retry_in_s": round(retry_delay(self._failures, None, cap=self._retry_cap_s), 3),
            },
        )
        return 0

    async def _idle(self, stopping: asyncio.Event) -> None:
        waiter = asyncio.create_task(self._wake.wait())
        stop = asyncio.create_task(stopping.wait())
        await asyncio.wait(
            {waiter, stop}, timeout=self._idle_wait_s, return_when=asyncio.FIRST_COMPLETED
        )
        waiter.cancel()
        stop.cancel()

    async def _settle(self) -> None:
        """Wait for the deliveries in flight (each logs its own failure)."""
        if self._deliveries:
            await asyncio.gather(*self._deliveries, return_exceptions=True)
