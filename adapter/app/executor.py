"""Drives the declarations of each employment: in order per employment, many employments
at once, every step recorded in the store before it is taken.

One asyncio task (an *actor*) per employment with open events. It takes the oldest open
event, translates it against the periods ONSS knows, then walks each declaration through
the core state machine until it is final. A slow answer (even an S lasting days) keeps
only its own employment waiting.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter

from adapter.app.async_store import AsyncStore
from adapter.app.backoff import retry_delay
from adapter.app.clock import Clock
from adapter.app.ports import DimonaGateway, InboxEntry, OutboundRecord, PlannedDeclaration
from adapter.app.ports import StoredDeclaration as Stored
from adapter.app.reconcile import find_recorded_declaration
from adapter.app.status_events import DECLARATION, StatusEvents
from adapter.core import machine as m
from adapter.core.declarations import Declaration
from adapter.core.errors import PermanentError, TransientError, UncertainOutcome
from adapter.core.events import EmploymentEvent
from adapter.core.periods import KnownPeriod
from adapter.core.polling import PollSchedule
from adapter.core.translation import apply_answer, translate

logger = logging.getLogger(__name__)

PERIODS = TypeAdapter(tuple[KnownPeriod, ...])


@dataclass(frozen=True, slots=True)
class ExecutorConfig:
    poll_schedule: PollSchedule = field(default_factory=PollSchedule)
    reconcile_retries: int = 5
    reconcile_wait_s: float = 2.0


class Executor:
    """Owns the employment actors of this process."""

    def __init__(
        self,
        *,
        store: AsyncStore,
        gateway: DimonaGateway,
        statuses: StatusEvents,
        clock: Clock,
        render_body: Callable[[Declaration], Mapping[str, Any]],
        config: ExecutorConfig | None = None,
        on_outbox: Callable[[], None] = lambda: None,
    ) -> None:
        self._store = store
        self._gateway = gateway
        self._statuses = statuses
        self._clock = clock
        self._render_body = render_body
        self._config = config or ExecutorConfig()
        self._on_outbox = on_outbox
        self._actors: dict[str, asyncio.Task[None]] = {}
        self._dirty: set[str] = set()

    @property
    def active_employments(self) -> int:
        return len(self._actors)

    def wake(self, employment_ids: Iterable[str]) -> None:
        """New work was recorded for these employments: make sure an actor runs for each."""
        for employment_id in employment_ids:
            self._dirty.add(employment_id)
            if employment_id not in self._actors:
                task = asyncio.create_task(self._actor(employment_id), name=employment_id)
                self._actors[employment_id] = task
                task.add_done_callback(functools.partial(self._ended, employment_id))

    def _ended(self, employment_id: str, task: asyncio.Task[None]) -> None:
        if self._actors.get(employment_id) is task:
            del self._actors[employment_id]
        if not task.cancelled() and (error := task.exception()) is not None:
            logger.error("employment actor crashed", exc_info=error)
            # The work is durable: wake again after a pause rather than losing it.
            loop = asyncio.get_running_loop()
            loop.call_later(5.0, self.wake, [employment_id])

    async def stop(self, *, budget_s: float) -> None:
        """Let actors reach a safe point within the budget, then cancel the rest.

        Cancelling is safe at any point: an interrupted POST is recovered as UNCERTAIN and
        reconciled by whichever process owns the employment next.
        """
        tasks = list(self._actors.values())
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=budget_s)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    # -- one employment ---------------------------------------------------------------------
    async def _actor(self, employment_id: str) -> None:
        store = self._store
        while True:
            self._dirty.discard(employment_id)
            entry = await store.call(store.sync.next_open_event, employment_id)
            if entry is None:
                if employment_id in self._dirty:
                    continue
                return
            await self._process_event(entry)

    async def _process_event(self, entry: InboxEntry) -> None:
        store = self._store
        event = EmploymentEvent.model_validate_json(entry.event_json)
        declarations = await store.call(store.sync.declarations_of_event, entry.event_id)
        if not declarations:
            periods = await self._periods(entry.employment_id)
            translation = translate(event, periods, today=self._clock.today())
            if translation.violations:
                record = self._statuses.event_failed(
                    entry.partition, event, translation.violations, self._clock.now()
                )
                await store.call(
                    store.sync.finish_event, entry.event_id, "FAILED", [record], self._epoch()
                )
                self._on_outbox()
                return
            planned = [
                PlannedDeclaration(
                    d.kind.value,
                    DECLARATION.dump_json(d).decode(),
                    json.dumps(self._render_body(d)),
                )
                for d in translation.declarations
            ]
            declarations = await store.call(
                store.sync.plan_declarations,
                entry.event_id,
                entry.employment_id,
                planned,
                self._epoch(),
            )
        failure: str | None = None
        for stored in declarations:
            if stored.progress.state.is_final:
                failure = failure or _failure_of(stored)
                continue
            if failure is not None:
                await self._step(entry, event, stored, m.Abandoned(failure), ())
                continue
            final = await self._drive(entry, event, stored)
            failure = _failure_of(final)
        await store.call(
            store.sync.finish_event,
            entry.event_id,
            "FAILED" if failure else "DONE",
            [],
            self._epoch(),
        )

    async def _drive(self, entry: InboxEntry, event: EmploymentEvent, stored: Stored) -> Stored:
        progress = m.recover(stored.progress)
        effects: tuple[m.Effect, ...]
        if progress.state is m.DeclarationState.PLANNED:
            effects = (m.RetryLater(progress.attempts, 0.0),) if progress.attempts else ()
            next_event: m.Event = (
                m.SubmitDue() if not effects else await self._perform(stored, effects)
            )
        else:
            if progress is not stored.progress:
                stored = await self._save(stored, progress, None, (), None)
            effects = (
                (m.Reconcile(),)
                if progress.state is m.DeclarationState.UNCERTAIN
                else (m.PollAnswer(),)
            )
            next_event = await self._perform(stored, effects)
        while True:
            stored, effects = await self._step(entry, event, stored, next_event, effects)
            if stored.progress.state.is_final:
                return stored
            next_event = await self._perform(stored, effects)

    async def _step(
        self,
        entry: InboxEntry,
        event: EmploymentEvent,
        stored: Stored,
        next_event: m.Event,
        _previous: tuple[m.Effect, ...],
    ) -> tuple[Stored, tuple[m.Effect, ...]]:
        now = self._clock.now()
        decision = m.transition(stored.progress, next_event, now)
        records: list[OutboundRecord] = [
            self._statuses.declaration_changed(
                entry.partition,
                event,
                declaration_ref=f"{entry.event_id}/{stored.position}",
                declaration_json=stored.declaration_json,
                previous=effect.previous,
                progress=decision.progress,
                now=now,
            )
            for effect in decision.effects
            if isinstance(effect, m.PublishStatus)
        ]
        periods_json: str | None = None
        answer = decision.progress.answer
        if isinstance(next_event, m.AnswerReceived) and answer is not None:
            periods = await self._periods(stored.employment_id)
            declaration = DECLARATION.validate_json(stored.declaration_json)
            periods_json = PERIODS.dump_json(apply_answer(periods, declaration, answer)).decode()
        next_at = self._next_action_at(decision)
        saved = await self._save(stored, decision.progress, next_at, records, periods_json)
        return saved, decision.effects

    def _next_action_at(self, decision: m.Decision) -> float | None:
        progress = decision.progress
        for effect in decision.effects:
            if isinstance(effect, m.PollAnswer) and progress.submitted_at is not None:
                elapsed = (self._clock.now() - progress.submitted_at).total_seconds()
                waiting = progress.state is m.DeclarationState.WAITING_IDENTIFICATION
                delay = self._config.poll_schedule.delay_after(
                    elapsed, waiting_identification=waiting
                )
                return self._epoch() + delay
            if isinstance(effect, m.RetryLater):
                return self._epoch() + retry_delay(effect.attempts, effect.retry_after)
        return None

    async def _save(
        self,
        stored: Stored,
        progress: m.DeclarationProgress,
        next_at: float | None,
        records: list[OutboundRecord] | tuple[()],
        periods_json: str | None,
    ) -> Stored:
        store = self._store
        saved = await store.call(
            store.sync.save_progress,
            stored,
            progress,
            next_action_at=next_at,
            outbox=list(records),
            periods_json=periods_json,
            now=self._epoch(),
        )
        if records:
            self._on_outbox()
        return saved

    # -- effects ------------------------------------------------------------------------------
    async def _perform(self, stored: Stored, effects: tuple[m.Effect, ...]) -> m.Event:
        for effect in effects:
            match effect:
                case m.Submit():
                    return await self._submit(stored)
                case m.RetryLater():
                    await self._sleep_until(stored.next_action_at)
                    return m.SubmitDue()
                case m.PollAnswer():
                    return await self._poll(stored)
                case m.Reconcile():
                    return await self._reconcile(stored)
                case m.PublishStatus():
                    continue
        msg = f"no actionable effect among {effects!r}"
        raise m.IllegalTransition(msg)

    async def _submit(self, stored: Stored) -> m.Event:
        try:
            declaration_id = await self._gateway.submit(json.loads(stored.body_json))
        except UncertainOutcome as exc:
            return m.SubmissionUncertain(str(exc))
        except TransientError as exc:
            return m.SubmissionFailedTransient(str(exc), exc.retry_after)
        except PermanentError as exc:
            return m.SubmissionFailedPermanent(str(exc))
        return m.SubmissionAccepted(declaration_id)

    async def _poll(self, stored: Stored) -> m.Event:
        progress = stored.progress
        assert progress.declaration_id is not None
        assert progress.submitted_at is not None
        schedule = self._config.poll_schedule
        waiting = progress.state is m.DeclarationState.WAITING_IDENTIFICATION
        while True:
            elapsed = (self._clock.now() - progress.submitted_at).total_seconds()
            if schedule.should_give_up(elapsed, waiting_identification=waiting):
                return m.Abandoned(f"no final answer from ONSS after {elapsed:.0f} s")
            await self._sleep_until(stored.next_action_at)
            try:
                answer = await self._gateway.get_answer(progress.declaration_id)
            except TransientError as exc:
                await asyncio.sleep(retry_delay(1, exc.retry_after))
                continue
            except PermanentError as exc:
                return m.Abandoned(f"ONSS refused to give the answer: {exc}")
            return m.AnswerPending() if answer is None else m.AnswerReceived(answer)

    async def _reconcile(self, stored: Stored) -> m.Event:
        body = json.loads(stored.body_json)
        known = await self._known_declaration_ids(stored.employment_id)
        for attempt in range(self._config.reconcile_retries):
            try:
                found = await find_recorded_declaration(self._gateway, body, exclude=known)
            except TransientError as exc:
                await asyncio.sleep(retry_delay(attempt + 1, exc.retry_after))
                continue
            if found is not None:
                return m.ReconciliationFound(found)
            # ONSS may record a declaration a moment after it answered: look again shortly.
            await asyncio.sleep(self._config.reconcile_wait_s)
        return m.ReconciliationNotFound()

    async def _known_declaration_ids(self, employment_id: str) -> set[int]:
        store = self._store
        history = await store.call(store.sync.history, employment_id)
        return {
            d.progress.declaration_id
            for d in history["declarations"]
            if d.progress.declaration_id is not None
        }

    async def _periods(self, employment_id: str) -> tuple[KnownPeriod, ...]:
        store = self._store
        raw = await store.call(store.sync.periods_json, employment_id)
        return () if raw is None else PERIODS.validate_json(raw)

    async def _sleep_until(self, epoch: float | None) -> None:
        if epoch is not None:
            delay = epoch - self._epoch()
            if delay > 0:
                await asyncio.sleep(delay)

    def _epoch(self) -> float:
        return self._clock.now().timestamp()


def _failure_of(stored: Stored) -> str | None:
    state = stored.progress.state
    if state is m.DeclarationState.REFUSED:
        answer = stored.progress.answer
        codes = ", ".join(a.code for a in answer.anomalies) if answer else ""
        return f"declaration {stored.position + 1} ({stored.kind}) was refused by ONSS: {codes}"
    if state is m.DeclarationState.FAILED:
        return stored.progress.failure or f"declaration {stored.position + 1} failed"
    return None
