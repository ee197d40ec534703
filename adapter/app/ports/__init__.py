"""Every port of the orchestration, and the records that cross them, in one place.

No port imports a use case; the edges implement these, the app ring is written against them.
"""

from adapter.app.ports.clock import Clock
from adapter.app.ports.codecs import RecordDecoder, RecordEncoder
from adapter.app.ports.dimona import DimonaGateway
from adapter.app.ports.kafka import DeadLetterSink, EventSource, StatusPublisher
from adapter.app.ports.records import (
    ConsumedMessage,
    InboxEntry,
    OutboundRecord,
    OutboxBacklog,
    OutboxEntry,
    PlannedDeclaration,
    Recorded,
    Rejected,
    StoredDeclaration,
)
from adapter.app.ports.store import Store
from adapter.app.ports.telemetry import HealthReport, Metrics

__all__ = [
    "Clock",
    "ConsumedMessage",
    "DeadLetterSink",
    "DimonaGateway",
    "EventSource",
    "HealthReport",
    "InboxEntry",
    "Metrics",
    "OutboundRecord",
    "OutboxBacklog",
    "OutboxEntry",
    "PlannedDeclaration",
    "RecordDecoder",
    "RecordEncoder",
    "Recorded",
    "Rejected",
    "StatusPublisher",
    "Store",
    "StoredDeclaration",
]
