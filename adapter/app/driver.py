"""Drives one employment's events: translate each into declarations, plan them, and take
them one after another through the declaration loop (``declaration_loop.py``).

An event's declarations run in order: a declaration refused or failed makes the ones after
it fail too, with that reason (a LEAVE after a refused IN). An optional policy may append
declarations after an answer (the OTH fallback on W 90017-510 / 90017-369).

Store round trips (docs/store.md): one read for an event's work (``open_work``: the event, its
plan, the known periods), the plan written with its first step (the intent, committed before
the POST leaves), one write per later step, and the event closed with its last step, which
also reads the next event's work. An accepted IN alone in its event costs 4 calls; with a
further event waiting, 3.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from adapter.app.declaration_loop import DeclarationLoop
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
from adapter.app.ports.records import FirstStep, OpenWork
from adapter.app.status_events import StatusEvents
from adapter.app.telemetry import Telemetry
from adapter.core import machine as m
from adapter.core.declarations import Declaration
from adapter.core.periods import KnownPeriod
from adapter.core.polling import PollSchedule
from adapter.core.translation import TranslationOptions, translate
from adapter.core.translation.fallback import regime_fallback


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

    def timing(self) -> m.Timing:
        return m.Timing(
            polls=self.poll_schedule,
            backoff_cap_s=self.retry_backoff_cap_s,
            retry_after_cap_s=self.retry_after_cap_s,
            reconcile_window_s=self.reconcile_window_s,
            reconcile_interval_s=self.reconcile_interval_s,
        )


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
    ) -> None:
        self._inbox = inbox
        self._ledger = ledger
        self._statuses = statuses
        self._clock = clock
        self._config = config or DriverConfig()
        self._on_outbox = on_outbox
        self._periods: dict[str, tuple[KnownPeriod, ...]] = {}
        """The known periods of each employment an actor works on (from ``open_work``)."""
        self._work: dict[str, OpenWork] = {}
        """The work ``next_event`` read, for the ``process_event`` that follows."""
        self._next: dict[str, OpenWork | None] = {}
        """The next work, read by the write that closed the previous event."""
        self._loop = DeclarationLoop(
            ledger=ledger,
            gateway=gateway,
            statuses=statuses,
            clock=clock,
            timing=self._config.timing(),
            onss=OnssCalls(circuit or OnssCircuit(clock.monotonic), clock),
            on_outbox=on_outbox,
            telemetry=telemetry,
            periods=self._periods,
        )

    @property
    def stop_requested(self) -> Callable[[str], bool]:
        return self._loop.stop_requested

    @stop_requested.setter
    def stop_requested(self, check: Callable[[str], bool]) -> None:
        """Set by the executor: a halt asked for this employment (SIGTERM, rebalance)."""
        self._loop.stop_requested = check

    def at_safe_point(self, employment_id: str) -> bool:
        return self._loop.at_safe_point(employment_id)

    async def next_event(self, employment_id: str) -> InboxEntry | None:
        if employment_id in self._next:  # read by the write that closed the last event
            work = self._next.pop(employment_id)
        else:
            work = await self._inbox.open_work(employment_id)
        if work is None:
            self.forget(employment_id)
            return None
        self._periods[employment_id] = work.periods
        self._work[employment_id] = work
        return work.entry

    def forget(self, employment_id: str) -> None:
        """The employment's actor ended: drop what was kept for it (the executor calls it)."""
        self._periods.pop(employment_id, None)
        self._work.pop(employment_id, None)
        self._next.pop(employment_id, None)

    async def process_event(self, entry: InboxEntry) -> None:
        try:
            await self._process(entry)
        except BaseException:
            self.forget(entry.employment_id)  # the next actor reads everything again
            raise

    async def _process(self, entry: InboxEntry) -> None:
        work = self._work.pop(entry.employment_id, None)
        if work is not None and work.entry.event_id == entry.event_id:
            declarations = list(work.declarations)
        else:
            declarations = await self._ledger.declarations_of_event(entry.event_id)
        writes = EventWrites(self._ledger, entry)
        size = len(declarations)
        if not declarations:
            planned = await self._plan(entry)
            if planned is None:
                return
            if planned:
                declarations, size = [writes.fresh(planned, self._epoch())], len(planned)
        failure: str | None = None
        index = 0
        while index < size:
            stored = declarations[index]
            index += 1
            if stored.progress.state.is_final:
                failure = failure or _failure_of(stored)
                continue
            writes.closing = self._closing(failure) if index == size else None
            if failure is not None:
                await self._loop.abandon(entry, stored, failure, writes)
            else:
                final = await self._loop.drive(entry, stored, writes)
                if final is None:  # halted at a safe point: the next owner resumes
                    return
                failure = _failure_of(final)
                if writes.plan is not None and index == 1:
                    declarations = writes.plan  # the rows the plan was given
                declarations = await self._apply_fallback_policy(entry, final, declarations)
                size = len(declarations)
            if writes.closed:
                self._next[entry.employment_id] = writes.next_work
                return
        outcome = EventOutcome.FAILED if failure else EventOutcome.DONE
        await self._inbox.finish_event(entry.event_id, outcome, [], self._epoch())

    def _closing(self, failure: str | None) -> Callable[[Stored], EventOutcome | None]:
        """For the last declaration of an event: the outcome its final step closes the event
        with; None when the fallback policy would extend the plan instead."""

        def outcome(final: Stored) -> EventOutcome | None:
            if self._replacements(final):
                return None
            failed = failure or _failure_of(final)
            return EventOutcome.FAILED if failed else EventOutcome.DONE

        return outcome

    async def _plan(self, entry: InboxEntry) -> list[PlannedDeclaration] | None:
        """The event's declarations to record; None when the event cannot be translated
        given what ONSS knows (it is then finished as FAILED, with its status event)."""
        periods = self._periods.get(entry.employment_id)
        if periods is None:
            periods = await self._ledger.known_periods(entry.employment_id)
        translation = translate(
            entry.event, periods, today=self._clock.today(), options=self._config.translation
        )
        if translation.violations:
            record = self._statuses.event_failed(
                entry.partition, entry.event, translation.violations, self._clock.now()
            )
            await self._inbox.finish_event(
                entry.event_id, EventOutcome.FAILED, [record], self._epoch()
            )
            self._on_outbox()
            return None
        return [PlannedDeclaration(d, None) for d in translation.declarations]

    def _replacements(self, final: Stored) -> list[Declaration]:
        answer = final.progress.answer
        if not self._config.regime_fallback or answer is None:
            return []
        return list(regime_fallback(final.declaration, answer))

    async def _apply_fallback_policy(
        self, entry: InboxEntry, final: Stored, declarations: list[Stored]
    ) -> list[Stored]:
        """On W 510/369, optionally cancel and re-declare as OTH (docs/decisions.md)."""
        replacements = self._replacements(final)
        if not replacements:
            return declarations
        return await self._ledger.append_declarations(
            entry.event_id,
            entry.employment_id,
            [PlannedDeclaration(d, None) for d in replacements],
            first_position=declarations[-1].position + 1,
            now=self._epoch(),
        )

    def _epoch(self) -> float:
        return self._clock.now().timestamp()


class EventWrites:
    """Saves the steps of one event's declarations (a ``StepWriter`` of the loop), folding
    the plan into the first step and the event's close into the last one.

    The plan and its first step (the intent SUBMITTING, as a rule) are one transaction, awaited
    (committed) before the loop performs the step's action: the intent is durable before the
    POST leaves, as with two writes. The last step (``closing`` says the outcome) also closes
    the event and reads the employment's next work (``next_work``).
    """

    def __init__(self, ledger: Ledger, entry: InboxEntry) -> None:
        self._ledger = ledger
        self._entry = entry
        self._planned: list[PlannedDeclaration] | None = None
        self.plan: list[Stored] | None = None
        """The plan as recorded with the first step."""
        self.closing: Callable[[Stored], EventOutcome | None] | None = None
        self.closed = False
        self.next_work: OpenWork | None = None

    @property
    def must_write(self) -> bool:
        return self._planned is not None

    def fresh(self, planned: list[PlannedDeclaration], now: float) -> Stored:
        """The event's first declaration as the plan will record it (no row yet): its first
        step records the plan."""
        self._planned = planned
        first = planned[0]
        entry = self._entry
        return Stored(
            0,
            entry.employment_id,
            entry.event_id,
            0,
            first.declaration,
            first.body,
            m.DeclarationProgress(m.DeclarationState.PLANNED),
            now,
        )

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
        entry = self._entry
        if self._planned is not None:
            unchanged = (progress, next_action_at) == (
                declaration.progress,
                declaration.next_action_at,
            )
            first = (
                None
                if unchanged and not outbox
                else FirstStep(progress, next_action_at, outbox, periods)
            )
            self.plan = await self._ledger.plan_declarations(
                entry.event_id, entry.employment_id, self._planned, now, first=first
            )
            self._planned = None
            return self.plan[0]
        outcome = None
        if progress.state.is_final and self.closing is not None:
            outcome = self.closing(replace(declaration, progress=progress))
        if outcome is None:
            return await self._ledger.save_progress(
                declaration,
                progress,
                next_action_at=next_action_at,
                outbox=outbox,
                periods=periods,
                now=now,
            )
        saved, self.next_work = await self._ledger.save_final_progress(
            declaration,
            progress,
            next_action_at=next_action_at,
            outbox=outbox,
            periods=periods,
            now=now,
            outcome=outcome,
        )
        self.closed = True
        return saved


def _failure_of(stored: Stored) -> str | None:
    state = stored.progress.state
    if state is m.DeclarationState.REFUSED:
        answer = stored.progress.answer
        codes = ", ".join(a.code for a in answer.anomalies) if answer else ""
        return f"declaration {stored.position + 1} ({stored.kind}) was refused by ONSS: {codes}"
    if state is m.DeclarationState.FAILED:
        return stored.progress.failure or f"declaration {stored.position + 1} failed"
    return None
