"""The shell around the core state machine for one declaration: one I/O per decision.

    decision = resume(progress)            ── save what changed (progress, status event, periods)
    while decision.action is not Done:
        event = perform(decision.action)   ── sleep until its time, then one POST, GET or search
        decision = transition(progress, event)
        save what changed

Every rule of time and failure (when to poll, how long to back off, when to give up, when the
reconciliation window closes, the not-before day) is the machine's (``core/machine.py``); this
module only performs the action it is given and feeds the outcome back. The shared ONSS circuit
(``onss_circuit.py``) may hold a call back while ONSS fails for everyone.

Every step is saved before the next action: the intent to POST (SUBMITTING) is durable
before the POST leaves, so a crash in between is reconciled, never re-posted blindly. A step is
saved by a ``StepWriter``: ``Ledger.save_progress`` by default; the driver's writer records an
event's plan with its first step and closes the event with its last one (one write each, and
each awaited, i.e. committed, before the next action). The employment's known periods are kept
in ``periods`` while its actor works (only this process may write them: fencing), so an answer
costs no read.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, time
from functools import partial
from typing import Protocol, assert_never
from zoneinfo import ZoneInfo

from adapter.app.onss_circuit import OnssCalls
from adapter.app.ports import Clock, DimonaGateway, InboxEntry, Ledger, OutboundRecord
from adapter.app.ports import StoredDeclaration as Stored
from adapter.app.status_events import StatusEvents
from adapter.app.telemetry import Telemetry
from adapter.core import machine as m
from adapter.core.declarations import Declaration, InDeclaration, UnresolvedPeriod, check_resolved
from adapter.core.errors import BrokenInvariant, PermanentError, TransientError, UncertainOutcome
from adapter.core.periods import KnownPeriod
from adapter.core.polling import AnswerTimes
from adapter.core.translation import apply_answer, resolve_period_ids

BRUSSELS = ZoneInfo("Europe/Brussels")
_FAILURES = (m.PollFailed, m.SearchFailed, m.SubmissionFailedTransient)


class StepWriter(Protocol):
    """Saves one step of a declaration, as ``Ledger.save_progress`` does."""

    @property
    def must_write(self) -> bool:
        """True: write the next step even when nothing changed (its plan is not recorded)."""
        ...

    async def __call__(
        self,
        declaration: Stored,
        progress: m.DeclarationProgress,
        *,
        next_action_at: float | None,
        outbox: Sequence[OutboundRecord],
        periods: tuple[KnownPeriod, ...] | None,
        now: float,
    ) -> Stored: ...


class _SaveProgress:
    must_write = False

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger

    async def __call__(
        self,
        declaration: Stored,
        progress: m.DeclarationProgress,
        *,
        next_action_at: float | None,
        outbox: Sequence[OutboundRecord],
        periods: tuple[KnownPeriod, ...] | None,
        now: float,
    ) -> Stored:
        return await self._ledger.save_progress(
            declaration,
            progress,
            next_action_at=next_action_at,
            outbox=outbox,
            periods=periods,
            now=now,
        )


def _jitter() -> float:
    return random.uniform(0.5, 1.0)  # noqa: S311 - spreading retries, not cryptography


class DeclarationLoop:
    def __init__(
        self,
        *,
        ledger: Ledger,
        gateway: DimonaGateway,
        statuses: StatusEvents,
        clock: Clock,
        timing: m.Timing,
        onss: OnssCalls,
        on_outbox: Callable[[], None] = lambda: None,
        telemetry: Telemetry | None = None,
        jitter: Callable[[], float] = _jitter,
        periods: dict[str, tuple[KnownPeriod, ...]] | None = None,
    ) -> None:
        self._ledger = ledger
        self._save: StepWriter = _SaveProgress(ledger)
        self._periods = {} if periods is None else periods
        """Known periods of the employments whose actors work now (kept by the driver)."""
        self._gateway = gateway
        self._statuses = statuses
        self._clock = clock
        self._timing = timing
        self._onss = onss
        self._on_outbox = on_outbox
        self._telemetry = telemetry or Telemetry()
        self._jitter = jitter
        self._critical: set[str] = set()
        self._answer_times = AnswerTimes()
        self.stop_requested: Callable[[str], bool] = lambda _employment: False

    def at_safe_point(self, employment_id: str) -> bool:
        """False while a POST of this employment is between its intent and its outcome."""
        return employment_id not in self._critical

    async def drive(
        self, entry: InboxEntry, stored: Stored, save: StepWriter | None = None
    ) -> Stored | None:
        """Until the declaration is final; None when halted at a safe point (a stop or a
        rebalance: the next owner resumes from what was saved)."""
        save = save or self._save
        stored = _with_schedule(stored)
        decision = m.resume(stored.progress, self._situation(stored))
        event: m.Event | None = None
        while True:
            saved = await self._record(entry, stored, decision, event, save)
            if saved.progress != decision.progress:  # its plan was there already: resume it
                return await self.drive(entry, saved, save)
            stored = saved
            if isinstance(decision.action, m.Done):
                return stored
            if self.stop_requested(stored.employment_id):
                return None
            event = await self._perform(stored, decision.action)
            decision = m.transition(stored.progress, event, self._situation(stored))

    async def abandon(
        self, entry: InboxEntry, stored: Stored, reason: str, save: StepWriter | None = None
    ) -> Stored:
        """A declaration before this one in its event failed: this one is not pursued."""
        stored = _with_schedule(stored)
        event = m.Abandoned(reason)
        decision = m.transition(stored.progress, event, self._situation(stored))
        return await self._record(entry, stored, decision, event, save or self._save)

    def _situation(self, stored: Stored) -> m.Situation:
        declaration = stored.declaration
        not_before = None
        if isinstance(declaration, InDeclaration) and declaration.not_before is not None:
            not_before = datetime.combine(declaration.not_before, time(0), tzinfo=BRUSSELS)
        return m.Situation(
            now=self._clock.now(),
            not_before=not_before,
            jitter=self._jitter(),
            timing=self._timing,
            learned_first_wait=self._answer_times.first_wait(),
        )

    # -- saving a decision --------------------------------------------------------------------
    async def _record(
        self,
        entry: InboxEntry,
        stored: Stored,
        decision: m.Decision,
        event: m.Event | None,
        save: StepWriter,
    ) -> Stored:
        progress = decision.progress
        # Nothing to save, unless a plan waits to be recorded and the next action is not
        # immediate (a submission due now is saved with the plan: one write).
        unchanged = progress == stored.progress and decision.change is None
        if unchanged and (not save.must_write or _due_now(decision.action, self._clock.now())):
            return stored
        started = self._clock.monotonic()
        now = self._clock.now()
        records: list[OutboundRecord] = []
        if decision.change is not None:
            records.append(
                self._statuses.declaration_changed(
                    entry.partition,
                    entry.event,
                    declaration_ref=f"{entry.event_id}/{stored.position}",
                    declaration=stored.declaration,
                    previous=decision.change.previous,
                    progress=progress,
                    now=now,
                )
            )
        periods: tuple[KnownPeriod, ...] | None = None
        if isinstance(event, m.AnswerReceived):
            known = await self._known_periods(stored.employment_id)
            periods = apply_answer(known, stored.declaration, event.answer)
        if isinstance(event, _FAILURES):
            self._onss.warn_waiting(stored, _call_of(event), event.reason, progress.due_at)
        saved = await save(
            stored,
            progress,
            next_action_at=None if progress.due_at is None else progress.due_at.timestamp(),
            outbox=records,
            periods=periods,
            now=now.timestamp(),
        )
        if periods is not None and stored.employment_id in self._periods:
            self._periods[stored.employment_id] = periods
        if records:
            self._on_outbox()
        self._report(entry, stored, saved, self._clock.monotonic() - started)
        return saved

    def _report(self, entry: InboxEntry, before: Stored, after: Stored, seconds: float) -> None:
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

    # -- the one action -----------------------------------------------------------------------
    async def _perform(self, stored: Stored, action: m.Action) -> m.Event:
        match action:
            case m.WaitToSubmit(at=at):
                await self._clock.sleep_until(at)
                return m.SubmitDue()
            case m.Post():
                return await self._post(stored)
            case m.Poll(at=at):
                await self._clock.sleep_until(at)
                return await self._poll(stored)
            case m.Search(at=at):
                await self._clock.sleep_until(at)
                return await self._search(stored)
            case m.Done():
                raise BrokenInvariant("a final declaration has no action to perform")
            case _:
                assert_never(action)

    async def _post(self, stored: Stored) -> m.Event:
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
            return m.SubmissionFailedTransient(_text(exc), exc.retry_after)
        except PermanentError as exc:
            return m.SubmissionFailedPermanent(str(exc))
        finally:
            # The outcome is saved by the next step; until then a halt must wait.
            asyncio.get_running_loop().call_soon(self._critical.discard, employment)
        return m.SubmissionAccepted(declaration_id)

    async def _poll(self, stored: Stored) -> m.Event:
        declaration_id = stored.progress.declaration_id
        if declaration_id is None:
            raise BrokenInvariant("a submitted declaration without its ONSS id")
        asked_at = self._clock.now()
        try:
            answer = await self._onss.call(partial(self._gateway.get_answer, declaration_id))
        except TransientError as exc:
            return m.PollFailed(_text(exc), exc.retry_after)
        except PermanentError as exc:
            return m.PollRefused(str(exc))
        if answer is None:
            return m.AnswerPending()
        submitted_at = stored.progress.submitted_at
        if submitted_at is not None:
            # When the GET that found the answer was *sent*: timing by its return would add
            # the GET's own latency to every report, and the first GET would drift later.
            self._answer_times.observe((asked_at - submitted_at).total_seconds())
        return m.AnswerReceived(answer)

    async def _search(self, stored: Stored) -> m.Event:
        declaration = await self._resolved(stored)
        known = await self._ledger.declaration_ids_of_employment(stored.employment_id)
        try:
            found = await self._onss.call(
                partial(self._gateway.find_recorded, declaration, exclude=known)
            )
        except TransientError as exc:
            return m.SearchFailed(_text(exc), exc.retry_after)
        except PermanentError as exc:
            # We cannot learn whether ONSS recorded it, and must not post it again blindly.
            return m.Abandoned(
                f"ONSS could not be searched for a declaration of unknown outcome: {exc}"
            )
        return m.ReconciliationNotFound() if found is None else m.ReconciliationFound(found)

    async def _resolved(self, stored: Stored) -> Declaration:
        """The stored declaration with the period id its IN's answer gave, once known."""
        declaration = stored.declaration
        if isinstance(declaration, InDeclaration) or declaration.period_id is not None:
            return declaration
        periods = await self._known_periods(stored.employment_id)
        (resolved,) = resolve_period_ids([declaration], periods)
        return resolved

    async def _known_periods(self, employment_id: str) -> tuple[KnownPeriod, ...]:
        known = self._periods.get(employment_id)
        if known is None:  # not driven from ``open_work`` (a test, a tool): read them
            known = await self._ledger.known_periods(employment_id)
        return known


def _due_now(action: m.Action, now: datetime) -> bool:
    return isinstance(action, m.WaitToSubmit) and action.at <= now


def _with_schedule(stored: Stored) -> Stored:
    """The progress with its durable schedule (the store keeps it as ``next_action_at``)."""
    at = stored.next_action_at
    due = None if at is None else datetime.fromtimestamp(at, UTC)
    if stored.progress.due_at == due:
        return stored
    return replace(stored, progress=replace(stored.progress, due_at=due))


def _text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _call_of(event: m.PollFailed | m.SearchFailed | m.SubmissionFailedTransient) -> str:
    if isinstance(event, m.PollFailed):
        return "get_answer"
    if isinstance(event, m.SearchFailed):
        return "search"
    return "submit"
