"""The main loop: consume, examine, record durably, commit, then let the executor work.

Offsets are committed only after the inbox write (and any dead letter) is durable, so a
crash at any point redelivers at most what was not yet recorded; the inbox deduplicates
by event id.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from adapter.app.async_store import AsyncStore
from adapter.app.breaker import DeadLetterBreaker
from adapter.app.clock import Clock
from adapter.app.executor import Executor
from adapter.app.intake import Accepted, ConsumedMessage, Intake, Outcome, Rejected
from adapter.app.ports import DeadLetterSink, EventSource, OutboundRecord
from adapter.app.relay import OutboxRelay
from adapter.app.telemetry import Telemetry
from adapter.core.errors import TransientError

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunnerConfig:
    batch_size: int = 500
    poll_timeout_s: float = 0.2
    max_employments_in_flight: int = 1_000
    drain_budget_s: float = 20.0
    dead_letter_ratio_limit: float = 0.5
    dead_letter_window: int = 200


class Runner:
    def __init__(
        self,
        *,
        source: EventSource,
        intake: Intake,
        store: AsyncStore,
        executor: Executor,
        relay: OutboxRelay,
        dead_letters: DeadLetterSink,
        clock: Clock,
        config: RunnerConfig | None = None,
        telemetry: Telemetry | None = None,
    ) -> None:
        self._source = source
        self._intake = intake
        self._store = store
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

    def use_telemetry(self, telemetry: Telemetry) -> None:
        """Set once the ops server (and its health report) runs."""
        self._telemetry = telemetry

    async def run(self, stopping: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        self._source.set_revocation_handler(lambda lost: self._release_blocking(loop, lost))
        relay_stop = asyncio.Event()
        relay = asyncio.create_task(self._relay.run(relay_stop), name="outbox-relay")
        try:
            health = self._telemetry.health
            while not stopping.is_set():
                health.heartbeat()
                health.partitions_assigned(bool(self._source.assigned_partitions))
                messages = await self._source.poll(
                    self._config.batch_size, self._config.poll_timeout_s
                )
                await self._recover_new_partitions()
                if messages:
                    await self.handle(messages)
                await self._apply_backpressure()
                self._telemetry.metrics.set_in_flight(self._executor.active_employments)
        finally:
            self._telemetry.health.stopping()
            await self._executor.stop(budget_s=self._config.drain_budget_s)
            relay_stop.set()
            await relay
            await self._source.close()

    async def handle(self, messages: Sequence[ConsumedMessage]) -> None:
        started = self._clock.monotonic()
        now, today = self._clock.now(), self._clock.today()
        outcomes = [self._intake.examine(m, now=now, today=today) for m in messages]
        rejected = [o for o in outcomes if isinstance(o, Rejected)]
        accepted = [o for o in outcomes if isinstance(o, Accepted)]
        if rejected:
            await self._dead_letters.send(rejected)
            for r in rejected:
                self._telemetry.metrics.event_rejected(r.reason_code)
                self._telemetry.metrics.dead_letter(r.reason_code)
        store = self._store
        statuses: list[OutboundRecord] = [r.status for r in rejected if r.status is not None]
        fresh = await store.call(
            store.sync.record_events,
            [a.entry for a in accepted],
            {a.entry.event_id: [a.received] for a in accepted},
        )
        if statuses:
            await store.call(store.sync.append_outbox, statuses, now.timestamp())
        try:
            await self._source.commit(messages)
        except TransientError as exc:
            # Harmless: the records are in the inbox; a redelivery is dropped as a duplicate.
            logger.warning("offset commit failed, continuing: %s", exc)
        self._executor.wake(
            a.entry.employment_id for a, new in zip(accepted, fresh, strict=True) if new
        )
        self._relay.nudge()
        self._report(outcomes, fresh, self._clock.monotonic() - started)
        # After the commit: what tripped the breaker is dead-lettered once, not again on restart.
        self._breaker.record(len(rejected), len(accepted))

    def _report(self, outcomes: list[Outcome], fresh: list[bool], seconds: float) -> None:
        """Metrics and the canonical log line of each handled message."""
        metrics, log = self._telemetry.metrics, self._telemetry.log_handled
        news = iter(fresh)
        each = seconds / max(len(outcomes), 1)
        for outcome in outcomes:
            if isinstance(outcome, Accepted):
                entry = outcome.entry
                verdict = "accepted" if next(news) else "duplicate"
                log(
                    topic=entry.topic,
                    partition=entry.partition,
                    offset=entry.offset,
                    outcome=verdict,
                    duration_s=each,
                    event_id=entry.event_id,
                    employment_id=entry.employment_id,
                )
                metrics.event_consumed(entry.partition)
            else:
                rejected = outcome.message
                log(
                    topic=rejected.topic,
                    partition=rejected.partition,
                    offset=rejected.offset,
                    outcome="dead_lettered",
                    duration_s=each,
                    event_id=outcome.event_id,
                    reason=outcome.reason_code,
                )
                metrics.event_consumed(rejected.partition)
            metrics.handled(each)

    def _release_blocking(self, loop: asyncio.AbstractEventLoop, lost: frozenset[int]) -> None:
        """On the consumer thread: stop our actors of ``lost`` before the rebalance completes."""
        budget = self._config.drain_budget_s
        future = asyncio.run_coroutine_threadsafe(
            self._executor.release(lost, budget_s=budget), loop
        )
        try:
            future.result(timeout=budget + 5.0)
        except Exception:  # the next owner recovers whatever was cut short
            logger.exception("releasing revoked partitions %s did not complete", sorted(lost))
        self._recovered = self._recovered - lost

    async def _recover_new_partitions(self) -> None:
        """Resume the open work of partitions this process has just been given."""
        assigned = self._source.assigned_partitions
        new = assigned - self._recovered
        self._recovered = assigned
        if new:
            store = self._store
            employments = await store.call(store.sync.employments_with_open_events, sorted(new))
            if employments:
                logger.info("resuming %d employments with open events", len(employments))
            self._executor.wake(employments)

    async def _apply_backpressure(self) -> None:
        busy = self._executor.active_employments
        limit = self._config.max_employments_in_flight
        if not self._paused and busy >= limit:
            await self._source.pause()
            self._paused = True
        elif self._paused and busy <= limit // 2:
            await self._source.resume()
            self._paused = False
