"""The records that cross the ports: what is consumed, recorded, planned and published."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from adapter.core.declarations import Declaration
from adapter.core.errors import Violation
from adapter.core.events import EmploymentEvent
from adapter.core.machine import DeclarationProgress
from adapter.core.periods import KnownPeriod


@dataclass(frozen=True, slots=True)
class ConsumedMessage:
    """A Kafka record, reduced to what the pipeline needs."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int | None = None
    headers: tuple[tuple[str, bytes | None], ...] = ()
    """The record's headers, in order (a name may repeat); kept on its dead letter."""


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """One accepted inbound event, recorded once by its event id, and where it was read."""

    event: EmploymentEvent
    topic: str
    partition: int
    offset: int
    received_at: float

    @property
    def event_id(self) -> str:
        return self.event.event_id

    @property
    def employment_id(self) -> str:
        return self.event.employment_id


class EventOutcome(StrEnum):
    """How the work of one inbound event ended."""

    DONE = "DONE"
    FAILED = "FAILED"


WireBody = Mapping[str, Any]
"""A declaration as rendered for the gateway at plan time (kept for the audit trail)."""


@dataclass(frozen=True, slots=True)
class StoredDeclaration:
    """One planned or sent declaration, with its progress: the audit trail of the store."""

    row_id: int
    employment_id: str
    event_id: str
    position: int
    declaration: Declaration
    body: WireBody | None
    """None when it could not be rendered at plan time (its period id was still unknown)."""
    progress: DeclarationProgress
    next_action_at: float | None

    @property
    def kind(self) -> str:
        return self.declaration.kind.value


@dataclass(frozen=True, slots=True)
class OutboundRecord:
    """A record waiting in the outbox for the status topic.

    ``source_partition`` is the inbound partition the record stems from: the process that
    owns that partition relays it, so two replicas never publish the same row.
    """

    source_partition: int
    key: str
    value: bytes


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    row_id: int
    key: str
    value: bytes


@dataclass(frozen=True, slots=True)
class OutboxBacklog:
    """Records waiting for the relay: how many, and the ``created_at`` of the oldest."""

    pending: int
    oldest_created_at: float | None


@dataclass(frozen=True, slots=True)
class PlannedDeclaration:
    """A declaration the translation asks for, before the ledger gives it a row."""

    declaration: Declaration
    body: WireBody | None = None
    """None when it can only be rendered later (its period id is still unknown)."""


@dataclass(frozen=True, slots=True)
class FirstStep:
    """The first saved step of an event's first declaration (the intent SUBMITTING, as a
    rule), written with the plan in one transaction: as ``save_progress`` would write it."""

    progress: DeclarationProgress
    next_action_at: float | None
    outbox: Sequence[OutboundRecord] = ()
    periods: tuple[KnownPeriod, ...] | None = None


@dataclass(frozen=True, slots=True)
class OpenWork:
    """An employment's oldest open event, its plan so far (by position; empty before it is
    planned) and the employment's known periods: what the driver needs, in one read."""

    entry: InboxEntry
    declarations: tuple[StoredDeclaration, ...]
    periods: tuple[KnownPeriod, ...]


class Recorded(StrEnum):
    """What ``record_events`` did with one inbound event."""

    NEW = "new"
    DUPLICATE = "duplicate"
    """The same event id with the same content: a redelivery, dropped silently."""
    CONFLICT = "conflict"
    """The same event id with different content: the source must hear of it."""


@dataclass(frozen=True, slots=True)
class Rejected:
    message: ConsumedMessage
    reason_code: str
    reason: str
    violations: tuple[Violation, ...]
    event_id: str | None
    status: OutboundRecord | None
    """A REJECTED status event when the employment could be identified."""
