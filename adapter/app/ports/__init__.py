"""Every port of the orchestration, and the records that cross them, in one place.

No port imports a use case; the edges implement these, the app ring is written against them.
"""

from adapter.app.ports.audit import (
    DeclarationWithEvent,
    EmploymentHistory,
    RecordedEvent,
    StatusRecord,
    Transition,
)
from adapter.app.ports.clock import Clock
from adapter.app.ports.codecs import RecordDecoder, RecordEncoder
from adapter.app.ports.dimona import DimonaGateway
from adapter.app.ports.kafka import DeadLetterSink, EventSource, StatusPublisher
from adapter.app.ports.records import (
    ConsumedMessage,
    EventOutcome,
    InboxEntry,
    OutboundRecord,
    OutboxBacklog,
    OutboxEntry,
    PlannedDeclaration,
    Recorded,
    Rejected,
    StoredDeclaration,
    WireBody,
)
from adapter.app.ports.store import Inbox, Ledger, Outbox, StoreView
from adapter.app.ports.telemetry import HealthReport, Metrics

__all__ = [
    "Clock",
    "ConsumedMessage",
    "DeadLetterSink",
    "DeclarationWithEvent",
    "DimonaGateway",
    "EmploymentHistory",
    "EventOutcome",
    "EventSource",
    "HealthReport",
    "Inbox",
    "InboxEntry",
    "Ledger",
    "Metrics",
    "OutboundRecord",
    "Outbox",
    "OutboxBacklog",
    "OutboxEntry",
    "PlannedDeclaration",
    "RecordDecoder",
    "RecordEncoder",
    "Recorded",
    "RecordedEvent",
    "Rejected",
    "StatusPublisher",
    "StatusRecord",
    "StoreView",
    "StoredDeclaration",
    "Transition",
    "WireBody",
]
