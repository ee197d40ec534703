"""The records that cross the ports: what is consumed, recorded, planned and published."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from adapter.core.errors import Violation
from adapter.core.machine import DeclarationProgress


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
    """One accepted inbound event, recorded once by its event id."""

    event_id: str
    employment_id: str
    event_type: str
    topic: str
    partition: int
    offset: int
    event_json: str
    received_at: float


@dataclass(frozen=True, slots=True)
class StoredDeclaration:
    """One planned or sent declaration, with its progress: the audit trail of the store."""

    row_id: int
    employment_id: str
    event_id: str
    position: int
    kind: str
    declaration_json: str
    body_json: str
    progress: DeclarationProgress
    next_action_at: float | None


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
    kind: str
    declaration_json: str
    body_json: str


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
