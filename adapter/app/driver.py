"""Drives one employment's events and their declarations through the core state machine.

Every step is recorded before it is taken: the new state and the status events it implies
are written in one transaction, then the effect (POST, GET, search, wait) is performed and
its outcome fed back to ``core.machine.transition``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from functools import partial
from zoneinfo import ZoneInfo

from adapter.app.onss_circuit import OnssCalls, OnssCircuit
from adapter.app.ports import (
    Clock,
    DimonaGateway,
    EventOutcome,
    Inbox,
    InboxEntry,
    Ledger,
    OutboundRecord,
    PlannedDeclaration,
)
from adapter.app.ports import StoredDeclaration as Stored
from adapter.app.status_events import StatusEvents
from adapter.app.telemetry import Telemetry
from adapter.core import machine as m
from adapter.core.declarations import Declaration, InDeclaration, UnresolvedPeriod, check_resolved
from adapter.core.errors import PermanentError, TransientError, UncertainOutcome
from adapter.core.events import EmploymentEvent
from adapter.core.periods import KnownPeriod
from adapter.core.polling import PollSchedule
from adapter.core.translation import TranslationOptions, apply_answer, resolve_period_ids, translate
from adapter.core.translation.fallback import regime_fallback

BRUSSELS = ZoneInfo("Europe/Brussels")
_MAX_SLEEP_S = 3600.0
"""Long waits (not-before dates, hourly polls) are taken in slices so a stop is noticed."""


@dataclass(frozen=True, slots=True)
class DriverConfig:
    poll_schedule: PollSchedule = field(default_factory=PollSchedule)
    translation: TranslationOptions = field(default_factory=TranslationOptions)
    reconcile_window_s: float = 120.0
    """How long to keep looking for a declaration of unknown outcome before sending it again:
    ONSS (and the sandbox) list a declaration in searches only once it is processed."""
    reconcile_interval_s: float = 5.0
    regime_fallback: bool = False
    """Cancel and re-declare as OTH when ONSS warns 90017-510 / 90017-369 (laravel-dimona)."""
    retry_backoff_cap_s: float = 300.0
    """Longest wait of one declaration between two failed ONSS calls (poll, search, submit)."""
    retry_after_cap_s: float = 300.0
    """ONSS's ``Retry-After`` is honoured up to this many seconds."""


class DeclarationDriver:
    def __init__(
        self,
        *,
        inbox: Inbox,
        ledger: Ledger,
        gateway: DimonaGateway,
        statuses: StatusEvents,
        clock: Clock,
        config: DriverConfig | None = None,
        on_outbox: Callable[[], None] = lambda: None,
        telemetry: Telemetry | None = None,
        circuit: OnssCircuit | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """``sleep`` waits on the clock's time: a test passes one that moves its clock."""
        self._inbox = inbox
        self._ledger = ledger
        self._gateway = gateway
        self._statuses = statuses
        self._clock = clock
        self._config = config or DriverConfig()
        self._on_outbox = on_outbox
        self._telemetry = telemetry or Telemetry()
        self._sleep = sleep
        self._onss = OnssCalls(
            circuit or OnssCircuit(clock.monotonic),
            sleep=sleep,
            backoff_cap_s=self._config.retry_backoff_cap_s,
            retry_after_cap_s=self._config.retry_after_cap_s,
        )
        self._critical: set[str] = set()
        self.stop_requested: Callable[[str], bool] = lambda _employment: False

    def at_safe_point(self, employment_id: str) -> bool:
        """False while a POST of this employment is between its intent and its outcome."""
        return employment_id not in self._critical

    async def next_event(self, employment_id: str) -> InboxEntry | None:
        return await self._inbox.next_open_event(employment_id)

    # -- events -------------------------------------------------------------------------------
    async def process_event(self, entry: InboxEntry) -> None:
        event = entry.event
        declarations = await self._ledger.declarations_of_event(entry.event_id)
        if not declarations:
            periods = await self._periods(entry.employment_id)
            translation = translate(
                event, periods, today=self._clock.today(), options=self._config.translation
            )
            if translation.violations:
                record = self._statuses.event_failed(
                    entry.partition, event, translation.violations, self._clock.now()
                )
                await self._inbox.finish_event(
                    entry.event_id, EventOutcome.FAILED, [record], self._epoch()
                )
                self._on_outbox()
                return
            planned = [PlannedDeclaration(d, None) for d in translation.declarations]
            declarations = await self._ledger.plan_declarations(
                entry.event_id, entry.employment_id, planned, self._epoch()
            )
        failure: str | None = None
        index = 0
        while index < len(declarations):
            stored = declarations[index]
            index += 1
            if stored.progress.state.is_final:
                failure = failure or _failure_of(stored)
                continue
            if failure is not None:
                await self._step(entry, event, stored, m.Abandoned(failure))
                continue
            final = await self._drive(entry, event, stored)
            if final is None:  # halted at a safe point: the next owner resumes
                return
            failure = _failure_of(final)
            declarations = await self._apply_fallback_policy(entry, final, declarations)
        outcome = EventOutcome.FAILED if failure else EventOutcome.DONE
        await self._inbox.finish_event(entry.event_id, outcome, [], self._epoch())

    async def _apply_fallback_policy(
        self, entry: InboxEntry, final: Stored, declarations: list[Stored]
    ) -> list[Stored]:
        """On W 510/369, optionally cancel and re-declare as OTH (docs/decisions.md)."""
        answer = final.progress.answer
        if not self._config.regime_fallback or answer is None:
            return declarations
        replacements = regime_fallback(final.declaration, answer)
        if not replacements:
            return declarations
        planned = [PlannedDeclaration(d, None) for d in replacements]
        return await self._ledger.append_declarations(
            entry.event_id,
            entry.employment_id,
            planned,
            first_position=declarations[-1].position + 1,
            now=self._epoch(),
        )

    # -- one declaration ------------------------------------------------------------------------
    async def _drive(
        self, entry: InboxEntry, event: EmploymentEvent, stored: Stored
    ) -> Stored | None:
        progress = m.recover(stored.progress)
        if progress is not stored.progress:
            stored = await self._save(stored, progress, None, [], None)
        next_event: m.Event
        if progress.state is m.DeclarationState.PLANNED:
            next_event = await self._when_due(stored)
        elif progress.state is m.DeclarationState.UNCERTAIN:
            next_event = await self._reconcile(stored)
        else:
            next_event = await self._poll(stored)
        while True:
            stored, effects = await self._step(entry, event, stored, next_event)
            if stored.progress.state.is_final:
                return stored
            if self.stop_requested(stored.employment_id):
                return None
            next_event = await self._perform(stored, effects)

    async def _step(
        self, entry: InboxEntry, event: EmploymentEvent, stored: Stored, next_event: m.Event
    ) -> tuple[Stored, tuple[m.Effect, ...]]:
        started = self._clock.monotonic()
        now = self._clock.now()
        decision = m.transition(stored.progress, next_event, now)
        records: list[OutboundRecord] = [
            self._statuses.declaration_changed(
                entry.partition,
                event,
                declaration_ref=f"{entry.event_id}/{stored.position}",
                declaration=stored.declaration,
                previous=effect.previous,
                progress=decision.progress,
                now=now,
            )
            for effect in decision.effects
            if isinstance(effect, m.PublishStatus)
        ]
        periods: tuple[KnownPeriod, ...] | None = None
        answer = decision.progress.answer
        if isinstance(next_event, m.AnswerReceived) and answer is not None:
            known = await self._periods(stored.employment_id)
            periods = apply_answer(known, stored.declaration, answer)
        next_at = self._next_action_at(decision)
        if isinstance(next_event, m.SubmissionFailedTransient):
            self._onss.warn_waiting(stored, "submit", next_event.reason, next_at)
        saved = await self._save(stored, decision.progress, next_at, records, periods)
        self._report_step(entry, stored, saved, self._clock.monotonic() - started)
        return saved, decision.effects

    def _report_step(
        self, entry: InboxEntry, before: Stored, after: Stored, seconds: float
    ) -> None:
        old, new = before.progress.state, after.progress.state
        if old is new:
            return
        metrics = self._telemetry.metrics
        metrics.transition(new.value)
        if new.is_final:
            metrics.declaration_result(after.kind, new.value)
        self._telemetry.log_handled(
            topic=entry.topic,
            partition=entry.partition,
            offset=entry.offset,
            outcome=new.value.lower(),
            duration_s=seconds,
            event_id=entry.event_id,
            employment_id=entry.employment_id,
            declaration_id=after.progress.declaration_id,
            transition=f"{old.value}->{new.value}",
        )

    def _next_action_at(self, decision: m.Decision) -> float | None:
        progress = decision.progress
        for effect in decision.effects:
            if isinstance(effect, m.PollAnswer) and progress.submitted_at is not None:
                elapsed = (self._clock.now() - progress.submitted_at).total_seconds()
                waiting = progress.state is m.DeclarationState.WAITING_IDENTIFICATION
                schedule = self._config.poll_schedule
                return self._epoch() + schedule.delay_after(elapsed, waiting_identification=waiting)
            if isinstance(effect, m.RetryLater):
                return self._epoch() + self._onss.retry_delay(effect.attempts, effect.retry_after)
        return None

    async def _save(
        self,
        stored: Stored,
        progress: m.DeclarationProgress,
        next_at: float | None,
        records: list[OutboundRecord],
        periods: tuple[KnownPeriod, ...] | None,
    ) -> Stored:
        saved = await self._ledger.save_progress(
            stored,
            progress,
            next_action_at=next_at,
            outbox=records,
            periods=periods,
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
                    return await self._when_due(stored)
                case m.PollAnswer():
                    return await self._poll(stored)
                case m.Reconcile():
                    return await self._reconcile(stored)
                case m.PublishStatus():
                    continue
        msg = f"no actionable effect among {effects!r}"
        raise m.IllegalTransition(msg)

    async def _when_due(self, stored: Stored) -> m.Event:
        """SubmitDue once the declaration may be sent (its not-before day has come)."""
        await self._sleep_until(stored.next_action_at)
        declaration = stored.declaration
        if isinstance(declaration, InDeclaration) and declaration.not_before is not None:
            opens = datetime.combine(declaration.not_before, time(0), tzinfo=BRUSSELS)
            await self._sleep_until(opens.timestamp())
        return m.SubmitDue()

    async def _submit(self, stored: Stored) -> m.Event:
        employment = stored.employment_id
        try:
            declaration = check_resolved(await self._resolved(stored))
        except UnresolvedPeriod as exc:
            return m.SubmissionFailedPermanent(str(exc))
        self._critical.add(employment)
        try:
            declaration_id = await self._onss.call(partial(self._gateway.submit, declaration))
        except UncertainOutcome as exc:
            return m.SubmissionUncertain(str(exc))
        except TransientError as exc:
            return m.SubmissionFailedTransient(str(exc), exc.retry_after)
        except PermanentError as exc:
            return m.SubmissionFailedPermanent(str(exc))
        finally:
            # The outcome is saved by the caller's next step; until then a halt must wait.
            asyncio.get_running_loop().call_soon(self._critical.discard, employment)
        return m.SubmissionAccepted(declaration_id)

    async def _resolved(self, stored: Stored) -> Declaration:
        """The stored declaration with the period id its IN's answer gave, once known."""
        declaration = stored.declaration
        if isinstance(declaration, InDeclaration) or declaration.period_id is not None:
            return declaration
        periods = await self._periods(stored.employment_id)
        (resolved,) = resolve_period_ids([declaration], periods)
        return resolved

    async def _poll(self, stored: Stored) -> m.Event:
        progress = stored.progress
        assert progress.declaration_id is not None
        assert progress.submitted_at is not None
        schedule = self._config.poll_schedule
        waiting = progress.state is m.DeclarationState.WAITING_IDENTIFICATION
        due = stored.next_action_at
        failures = 0
        while True:
            elapsed = (self._clock.now() - progress.submitted_at).total_seconds()
            if schedule.should_give_up(elapsed, waiting_identification=waiting):
                return m.Abandoned(f"no final answer from ONSS after {elapsed:.0f} s")
            await self._sleep_until(due)
            declaration_id = progress.declaration_id
            try:
                answer = await self._onss.call(partial(self._gateway.get_answer, declaration_id))
            except TransientError as exc:
                failures += 1
                due = self._epoch() + self._onss.retry_delay(failures, exc.retry_after)
                self._onss.warn_waiting(stored, "get_answer", f"{type(exc).__name__}: {exc}", due)
                continue
            except PermanentError as exc:
                return m.Abandoned(f"ONSS refused to give the answer: {exc}")
            return m.AnswerPending() if answer is None else m.AnswerReceived(answer)

    async def _reconcile(self, stored: Stored) -> m.Event:
        declaration = await self._resolved(stored)
        known = await self._known_declaration_ids(stored.employment_id)
        deadline = self._epoch() + self._config.reconcile_window_s
        attempt = 0
        while True:
            attempt += 1
            try:
                found = await self._onss.call(
                    partial(self._gateway.find_recorded, declaration, exclude=known)
                )
            except TransientError as exc:
                delay = self._onss.retry_delay(attempt, exc.retry_after)
                self._onss.warn_waiting(
                    stored, "search", f"{type(exc).__name__}: {exc}", self._epoch() + delay
                )
                await self._sleep(delay)
                continue
            if found is not None:
                return m.ReconciliationFound(found)
            if self._epoch() >= deadline:
                return m.ReconciliationNotFound()
            # A declaration shows up in searches once processed: look again a little later.
            await self._sleep(self._config.reconcile_interval_s)

    async def _known_declaration_ids(self, employment_id: str) -> frozenset[int]:
        return await self._ledger.declaration_ids_of_employment(employment_id)

    async def _periods(self, employment_id: str) -> tuple[KnownPeriod, ...]:
        return await self._ledger.known_periods(employment_id)

    async def _sleep_until(self, epoch: float | None) -> None:
        # A deadline on the wall clock, re-read after each slice (the clock is injected).
        while epoch is not None and (delay := epoch - self._epoch()) > 0:
            await self._sleep(min(delay, _MAX_SLEEP_S))

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
