"""Drives one employment's events: translate each into declarations, plan them, and take
them one after another through the declaration loop (``declaration_loop.py``).

An event's declarations run in order: a declaration refused or failed makes the ones after
it fail too, with that reason (a LEAVE after a refused IN). An optional policy may append
declarations after an answer (the OTH fallback on W 90017-510 / 90017-369).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from adapter.app.declaration_loop import DeclarationLoop
from adapter.app.onss_circuit import OnssCalls, OnssCircuit
from adapter.app.ports import (
    Clock,
    DimonaGateway,
    EventOutcome,
    Inbox,
    InboxEntry,
    Ledger,
    PlannedDeclaration,
)
from adapter.app.ports import StoredDeclaration as Stored
from adapter.app.status_events import StatusEvents
from adapter.app.telemetry import Telemetry
from adapter.core import machine as m
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
        self._loop = DeclarationLoop(
            ledger=ledger,
            gateway=gateway,
            statuses=statuses,
            clock=clock,
            timing=self._config.timing(),
            onss=OnssCalls(circuit or OnssCircuit(clock.monotonic), clock),
            on_outbox=on_outbox,
            telemetry=telemetry,
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
        return await self._inbox.next_open_event(employment_id)

    async def process_event(self, entry: InboxEntry) -> None:
        declarations = await self._ledger.declarations_of_event(entry.event_id)
        if not declarations:
            planned = await self._plan(entry)
            if planned is None:
                return
            declarations = planned
        failure: str | None = None
        index = 0
        while index < len(declarations):
            stored = declarations[index]
            index += 1
            if stored.progress.state.is_final:
                failure = failure or _failure_of(stored)
                continue
            if failure is not None:
                await self._loop.abandon(entry, stored, failure)
                continue
            final = await self._loop.drive(entry, stored)
            if final is None:  # halted at a safe point: the next owner resumes
                return
            failure = _failure_of(final)
            declarations = await self._apply_fallback_policy(entry, final, declarations)
        outcome = EventOutcome.FAILED if failure else EventOutcome.DONE
        await self._inbox.finish_event(entry.event_id, outcome, [], self._epoch())

    async def _plan(self, entry: InboxEntry) -> list[Stored] | None:
        """The event's declarations, recorded; None when the event cannot be translated
        given what ONSS knows (it is then finished as FAILED, with its status event)."""
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
        planned = [PlannedDeclaration(d, None) for d in translation.declarations]
        return await self._ledger.plan_declarations(
            entry.event_id, entry.employment_id, planned, self._epoch()
        )

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
        return await self._ledger.append_declarations(
            entry.event_id,
            entry.employment_id,
            [PlannedDeclaration(d, None) for d in replacements],
            first_position=declarations[-1].position + 1,
            now=self._epoch(),
        )

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
