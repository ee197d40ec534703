"""The records of the read side: what the store tells ``history``, ``consult`` and the gauges."""

from __future__ import annotations

from dataclasses import dataclass

from adapter.app.ports.records import EventOutcome, StoredDeclaration
from adapter.core.events import EmploymentEvent
from adapter.core.machine import DeclarationState
from adapter.core.periods import KnownPeriod
from adapter.core.results import DeclarationAnswer, DimonaResult


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """One inbound event as the inbox holds it: where it was read, how its work ended."""

    event_id: str
    event_type: str
    topic: str
    partition: int
    offset: int
    received_at: float
    outcome: EventOutcome | None
    """None while the event is open."""
    finished_at: float | None


@dataclass(frozen=True, slots=True)
class Transition:
    """One saved step of a declaration (the transition log), oldest first in a history."""

    declaration_row_id: int
    state: DeclarationState
    attempts: int
    declaration_id: int | None
    answer: DeclarationAnswer | None
    failure: str | None
    next_action_at: float | None
    recorded_at: float
    retries: int = 0
    """Consecutive failed ONSS calls (polls, searches) when this step was saved."""

    @property
    def result(self) -> DimonaResult | None:
        return None if self.answer is None else self.answer.result


@dataclass(frozen=True, slots=True)
class StatusRecord:
    """One status event of the outbox: its encoded value, when recorded and published."""

    row_id: int
    key: str
    value: bytes
    created_at: float
    published_at: float | None
    """None while it waits for the relay."""


@dataclass(frozen=True, slots=True)
class EmploymentHistory:
    """Everything the store knows about one employment."""

    employment_id: str
    events: tuple[RecordedEvent, ...] = ()
    declarations: tuple[StoredDeclaration, ...] = ()
    transitions: tuple[Transition, ...] = ()
    periods: tuple[KnownPeriod, ...] = ()
    status_records: tuple[StatusRecord, ...] = ()
    """The outbox records keyed by this employment, oldest first."""

    @property
    def is_empty(self) -> bool:
        return not (self.events or self.declarations or self.status_records)


@dataclass(frozen=True, slots=True)
class DeclarationWithEvent:
    """A declaration and the inbound event it was planned for (``consult``)."""

    declaration: StoredDeclaration
    event: EmploymentEvent
