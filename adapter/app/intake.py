"""What to do with one consumed message: accept it into the inbox, or dead-letter it.

Returns an explicit outcome; the consumer loop acts on it (write the inbox, produce the
dead letter, then commit).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import ValidationError

from adapter.app.ports import (
    ConsumedMessage,
    InboxEntry,
    OutboundRecord,
    RecordDecoder,
    Rejected,
)
from adapter.app.status_events import StatusEvents
from adapter.core.errors import InvalidInput, RuleViolations, Violation
from adapter.core.events import EmploymentEvent
from adapter.core.reasons import DeadLetterReason
from adapter.core.rules import validate_event, violations_from_validation_error

DUPLICATE_CONFLICT = DeadLetterReason.DUPLICATE_CONFLICT
KEY_MISMATCH = DeadLetterReason.KEY_MISMATCH


@dataclass(frozen=True, slots=True)
class Accepted:
    message: ConsumedMessage
    entry: InboxEntry
    event: EmploymentEvent
    received: OutboundRecord


Outcome = Accepted | Rejected


class Intake:
    def __init__(self, decoder: RecordDecoder, statuses: StatusEvents) -> None:
        self._decoder = decoder
        self._statuses = statuses

    async def prepare(self, messages: Sequence[ConsumedMessage]) -> None:
        """Fetch what decoding these messages needs (registry schemas), off the event loop;
        ``TransientError`` when the registry is unavailable (the batch is tried again)."""
        await self._decoder.prepare([m.value for m in messages])

    def conflict(self, accepted: Accepted, *, now: datetime) -> Rejected:
        """An event id already recorded with other content: the source must hear of it."""
        event = accepted.event
        reason = (
            "eventId already recorded with different content; an event id names one event: "
            "send a change as a new event with a new eventId"
        )
        violation = Violation(DUPLICATE_CONFLICT, "eventId", reason)
        status = self._statuses.rejected(
            accepted.entry.partition,
            event,
            employment_id=event.employment_id,
            event_id=event.event_id,
            violations=(violation,),
            reason=reason,
            now=now,
        )
        return Rejected(
            accepted.message, DUPLICATE_CONFLICT, reason, (violation,), event.event_id, status
        )

    def examine(self, message: ConsumedMessage, *, now: datetime, today: date) -> Outcome:
        """Decode, check structure and Dimona rules. Never raises for bad input."""
        if message.value is None:
            return self._reject(
                message, DeadLetterReason.EMPTY, "record has no value (tombstone)", (), None, now
            )
        try:
            record = self._decoder.decode(message.value)
        except InvalidInput as exc:
            return self._reject(message, exc.reason_code, str(exc), (), None, now)
        try:
            event = EmploymentEvent.model_validate(record)
        except ValidationError as exc:
            violations = tuple(violations_from_validation_error(exc))
            return self._reject(
                message,
                DeadLetterReason.SCHEMA_MISMATCH,
                _summary(violations),
                violations,
                record,
                now,
            )
        if message.key is None or message.key != event.employment_id.encode():
            # The key decides the partition, the partition decides which replica drives the
            # employment: a key other than the employment id lets two replicas drive it.
            violation = Violation(
                KEY_MISMATCH,
                "key",
                "the record key must be the employmentId (UTF-8); "
                + ("the record has no key" if message.key is None else "it differs"),
            )
            return self._reject(
                message, KEY_MISMATCH, str(violation), (violation,), record, now, event
            )
        violations = tuple(validate_event(event, today=today))
        if violations:
            error = RuleViolations(violations)
            return self._reject(
                message, error.reason_code, _summary(violations), violations, record, now, event
            )
        entry = InboxEntry(
            event=event,
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            received_at=now.timestamp(),
        )
        return Accepted(
            message, entry, event, self._statuses.received(message.partition, event, now)
        )

    def _reject(
        self,
        message: ConsumedMessage,
        code: str,
        reason: str,
        violations: tuple[Violation, ...],
        record: dict[str, object] | None,
        now: datetime,
        event: EmploymentEvent | None = None,
    ) -> Rejected:
        event_id = _text(record, "eventId")
        employment_id = _text(record, "employmentId")
        status = None
        if employment_id is not None:
            status = self._statuses.rejected(
                message.partition,
                event,
                employment_id=employment_id,
                event_id=event_id or f"{message.topic}/{message.partition}/{message.offset}",
                violations=violations,
                reason=reason,
                now=now,
            )
        return Rejected(message, code, reason, violations, event_id, status)


def _text(record: dict[str, object] | None, key: str) -> str | None:
    value = None if record is None else record.get(key)
    # fastavro gives uuid.UUID for the uuid logical type; anything scalar is rendered as text.
    if value is None or isinstance(value, dict | list | bytes):
        return None
    return str(value) or None


def _summary(violations: tuple[Violation, ...]) -> str:
    return "; ".join(str(v) for v in violations) or "invalid event"
