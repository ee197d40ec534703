"""The main loop: consume, examine, record durably, commit, then let the executor work.

Offsets are committed only after the inbox write (and any dead letter) is durable, so a
crash at any point redelivers at most what was not yet recorded; the inbox deduplicates
by event id.

A dependency that fails for a while (the store, the schema registry) pauses nothing for
good: the batch is rewound, ``/readyz`` says why it is not ready, and the batch is tried
again with a growing backoff until the dependency answers. A fatal error (wrong
credentials, revoked client) stops the loop, closes the consumer cleanly (leaving the
group) and is raised to the caller, which exits with code 3.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from adapter.app.backoff import retry_delay
from adapter.app.breaker import DeadLetterBreaker
from adapter.app.executor import Executor
from adapter.app.intake import Accepted, Intake
from adapter.app.ports import (
    Clock,
    ConsumedMessage,
    DeadLetterSink,
    EventSource,
    Inbox,
    OutboundRecord,
    Outbox,
    Recorded,
    Rejected,
)
from adapter.app.relay import OutboxRelay
from adapter.app.telemetry import Telemetry
from adapter.core.errors import FatalConfiguration, TransientError

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunnerConfig:
    batch_size: int = 500
    poll_timeout_s: float = 0.2
    max_employments_in_flight: int = 1_000
    drain_budget_s: float = 20.0
    dead_letter_ratio_limit: float = 0.5
    dead_letter_window: int = 200
    rescan_interval_s: float = 30.0
    """How often the open work of the owned partitions is looked up again (an event recorded
    by another process for an employment this one owns, an actor that gave up)."""
    outage_backoff_cap_s: float = 30.0
    """Longest wait between two attempts at a batch while the store or the registry fails."""
    resume_ratio: float = 0.9
    """The consumer paused at ``max_employments_in_flight`` resumes below this share of it.
    Resuming only at half made the work come in waves: the actors drained to half before new
    events came, and finished in bursts (docs/performance.md)."""


class Runner:
    def __init__(
        self,
        *,
        source: EventSource,
        intake: Intake,
        inbox: Inbox,
        outbox: Outbox,
        executor: Executor,
        relay: OutboxRelay,
        dead_letters: DeadLetterSink,
        clock: Clock,
        config: RunnerConfig | None = None,
        telemetry: Telemetry | None = None,
    ) -> None:
        self._source = source
        self._intake = intake
        self._inbox = inbox
        self._outbox = outbox
        self._executor = executor
        self._relay = relay
        self._dead_letters = dead_letters
        self._clock = clock
        self._config = config or RunnerConfig()
        self._telemetry = telemetry or Telemetry()
        self._recovered: frozenset[int] = frozenset()
        self._paused = False
        self._breaker = DeadLetterBreaker(
            ratio_limit=self._config.dead_letter_ratio_limit, window=self._config.dead_letter_window
        )
        self._outage_attempts = 0
        self._dead_lettered: set[tuple[str, int, int]] = set()
        """Records of the batch in hand already on the dead-letter topic (a retried batch)."""
        self._fatal: FatalConfiguration | None = None
        self._relay_error: BaseException | None = None
        self._next_rescan = 0.0

    def use_telemetry(self, telemetry: Telemetry) -> None:
        """Set once the ops server (and its health report) runs."""
        self._telemetry = telemetry

    async def run(self, stopping: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        self._source.set_revocation_handler(lambda lost: self._release_blocking(loop, lost))
        self._executor.on_fatal = lambda error: self._stop_for(error, stopping)
        self._next_rescan = self._clock.monotonic() + self._config.rescan_interval_s
        relay_stop = asyncio.Event()
        relay = asyncio.create_task(self._relay.run(relay_stop), name="outbox-relay")
        relay.add_done_callback(lambda task: self._relay_ended(task, stopping))
        logger.info("runner started")
        try:
            while not stopping.is_set():
                await self._turn(stopping)
        except FatalConfiguration as exc:
            self._stop_for(exc, stopping)
        finally:
            await self._shut_down(relay, relay_stop)
        if self._fatal is not None:
            raise self._fatal
        if self._relay_error is not None:
            raise self._relay_error

    def _relay_ended(self, task: asyncio.Task[None], stopping: asyncio.Event) -> None:
        """The relay only ends when asked to; ended by an error, it would leave status events
        unpublished while events keep coming in: stop the process instead (it restarts)."""
        if task.cancelled() or task.exception() is None or stopping.is_set():
            return
        self._relay_error = task.exception()
        logger.critical(
            "outbox relay stopped by an error; stopping",
            extra={"error_class": type(self._relay_error).__name__},
        )
        stopping.set()

    async def _turn(self, stopping: asyncio.Event) -> None:
        """One iteration: poll, record, commit; a failing dependency rewinds and waits."""
        health = self._telemetry.health
        health.heartbeat()
        health.partitions_assigned(bool(self._source.assigned_partitions))
        messages = await self._source.poll(self._batch_room(), self._config.poll_timeout_s)
        try:
            await self._recover_new_partitions()
            if messages:
                await self.handle(messages)
            await self._rescan_when_due()
        except TransientError as exc:
            await self._wait_out(exc, messages, stopping)
            return
        if self._outage_attempts:
            logger.info(
                "dependency available again, consuming", extra={"after": self._outage_attempts}
            )
            self._outage_attempts = 0
            health.degraded("intake", None)
        await self._apply_backpressure()
        self._telemetry.metrics.set_in_flight(self._executor.active_employments)

    def _stop_for(self, error: FatalConfiguration, stopping: asyncio.Event) -> None:
        if self._fatal is None:
            self._fatal = error
            self._telemetry.health.degraded("fatal", type(error).__name__)
        stopping.set()

    async def _shut_down(self, relay: asyncio.Task[None], relay_stop: asyncio.Event) -> None:
        """Drain the actors and the relay, then always close the consumer (LeaveGroup)."""
        self._telemetry.health.stopping()
        try:
            await self._executor.stop(budget_s=self._config.drain_budget_s)
            relay_stop.set()
            await relay
        except Exception:  # the consumer must still leave the group; the next owner resumes
            logger.exception("draining did not complete")
        finally:
            await self._source.close()
            logger.info(
                "runner stopped",
                extra={"reason": type(self._fatal).__name__ if self._fatal else "stop"},
            )

    async def _wait_out(
        self, error: TransientError, messages: Sequence[ConsumedMessage], stopping: asyncio.Event
    ) -> None:
        """The batch could not be recorded: rewind it, say so, wait, and try it again."""
        self._outage_attempts += 1
        delay = retry_delay(
            self._outage_attempts,
            None
            if error.retry_after is None
            else min(error.retry_after, self._config.outage_backoff_cap_s),
            cap=self._config.outage_backoff_cap_s,
        )
        self._telemetry.health.degraded("intake", f"{type(error).__name__}: retrying")
        logger.warning(
            "intake waits for a dependency",
            extra={
                "error_class": type(error).__name__,
                "error": str(error),
                "attempt": self._outage_attempts,
                "retry_in_s": round(delay, 3),
            },
        )
        if messages:
            try:
                await self._source.rewind(messages)
            except TransientError:
                logger.warning("could not rewind the batch; it is redelivered after a restart")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=delay)

    async def handle(self, messages: Sequence[ConsumedMessage]) -> None:
        started = self._clock.monotonic()
        now, today = self._clock.now(), self._clock.today()
        await self._intake.prepare(messages)
        outcomes = [self._intake.examine(m, now=now, today=today) for m in messages]
        rejected = [o for o in outcomes if isinstance(o, Rejected)]
        accepted = [o for o in outcomes if isinstance(o, Accepted)]
        await self._dead_letter(rejected)
        recorded = await self._inbox.record_events(
            [a.entry for a in accepted],
            {a.entry.event_id: [a.received] for a in accepted},
        )
        conflicts = [
            self._intake.conflict(a, now=now)
            for a, what in zip(accepted, recorded, strict=True)
            if what is Recorded.CONFLICT
        ]
        await self._dead_letter(conflicts)
        statuses: list[OutboundRecord] = [
            r.status for r in (*rejected, *conflicts) if r.status is not None
        ]
        if statuses:
            await self._outbox.append_outbox(statuses, now.timestamp())
        try:
            await self._source.commit(messages)
        except TransientError as exc:
            # Harmless: the records are in the inbox; a redelivery is dropped as a duplicate.
            logger.warning("offset commit failed, continuing", extra={"error": str(exc)})
        self._dead_lettered.clear()
        self._executor.wake(
            a.entry.employment_id
            for a, what in zip(accepted, recorded, strict=True)
            if what is Recorded.NEW
        )
        self._relay.nudge()
        self._report(accepted, recorded, [*rejected, *conflicts], self._clock.monotonic() - started)
        # After the commit: what tripped the breaker is dead-lettered once, not again on restart.
        self._breaker.record(len(rejected) + len(conflicts), len(accepted) - len(conflicts))

    async def _dead_letter(self, rejected: Sequence[Rejected]) -> None:
        """Send the dead letters not sent yet for this batch (a retried batch sends none twice)."""
        fresh = [r for r in rejected if _coordinates(r.message) not in self._dead_lettered]
        if not fresh:
            return
        await self._dead_letters.send(fresh)
        self._dead_lettered.update(_coordinates(r.message) for r in fresh)
        for r in fresh:
            self._telemetry.metrics.event_rejected(r.reason_code)
            self._telemetry.metrics.dead_letter(r.reason_code)

    def _report(
        self,
        accepted: Sequence[Accepted],
        recorded: Sequence[Recorded],
        rejected: Sequence[Rejected],
        seconds: float,
    ) -> None:
        """Metrics and the canonical log line of each handled message."""
        metrics, log = self._telemetry.metrics, self._telemetry.log_handled
        conflicts = sum(1 for what in recorded if what is Recorded.CONFLICT)
        each = seconds / max(len(accepted) + len(rejected) - conflicts, 1)
        for outcome, what in zip(accepted, recorded, strict=True):
            if what is Recorded.CONFLICT:
                continue  # reported with the dead letters below
            entry = outcome.entry
            log(
                topic=entry.topic,
                partition=entry.partition,
                offset=entry.offset,
                outcome="accepted" if what is Recorded.NEW else "duplicate",
                duration_s=each,
                event_id=entry.event_id,
                employment_id=entry.employment_id,
            )
            metrics.event_consumed(entry.partition)
            metrics.handled(each)
        for dead in rejected:
            message = dead.message
            log(
                topic=message.topic,
                partition=message.partition,
                offset=message.offset,
                outcome="dead_lettered",
                duration_s=each,
                event_id=dead.event_id,
                reason=dead.reason_code,
            )
            metrics.event_consumed(message.partition)
            metrics.handled(each)

    def _release_blocking(self, loop: asyncio.AbstractEventLoop, lost: frozenset[int]) -> None:
        """On the consumer thread: stop our actors of ``lost`` before the rebalance completes."""
        logger.info("partitions revoked", extra={"partitions": sorted(lost)})
        budget = self._config.drain_budget_s
        future = asyncio.run_coroutine_threadsafe(
            self._executor.release(lost, budget_s=budget), loop
        )
        try:
            future.result(timeout=budget + 5.0)
        except Exception:  # the next owner recovers whatever was cut short
            logger.exception(
                "releasing revoked partitions did not complete", extra={"partitions": sorted(lost)}
            )
        # Whatever of ours still runs on them is refused by the store from now on.
        self._inbox.forget_partitions(sorted(lost))
        self._recovered = self._recovered - lost

    async def _recover_new_partitions(self) -> None:
        """Claim the partitions this process has just been given, then resume their work."""
        assigned = self._source.assigned_partitions
        new = assigned - self._recovered
        if not new:
            self._recovered = assigned
            return
        await self._inbox.claim_partitions(sorted(new), self._clock.now().timestamp())
        employments = await self._inbox.employments_with_open_events(sorted(new))
        self._recovered = self._recovered | new
        logger.info(
            "partitions assigned",
            extra={"partitions": sorted(new), "open_employments": len(employments)},
        )
        self._executor.wake(employments)

    async def _rescan_when_due(self) -> None:
        """Now and then, look for open work of our partitions that no actor drives."""
        if self._clock.monotonic() < self._next_rescan:
            return
        self._next_rescan = self._clock.monotonic() + self._config.rescan_interval_s
        owned = sorted(self._recovered)
        if not owned:
            return
        employments = await self._inbox.employments_with_open_events(owned)
        self._executor.wake(e for e in employments if not self._executor.is_active(e))

    def _batch_room(self) -> int:
        """Take no more events than there is room for actors: a full batch on top of a busy
        executor overshoots the bound, then waits for the whole overshoot to drain."""
        room = self._config.max_employments_in_flight - self._executor.active_employments
        return max(1, min(self._config.batch_size, room))

    async def _apply_backpressure(self) -> None:
        busy = self._executor.active_employments
        limit = self._config.max_employments_in_flight
        if not self._paused and busy >= limit:
            await self._source.pause()
            self._paused = True
        elif self._paused and busy < max(1, int(limit * self._config.resume_ratio)):
            await self._source.resume()
            self._paused = False


def _coordinates(message: ConsumedMessage) -> tuple[str, int, int]:
    return message.topic, message.partition, message.offset
