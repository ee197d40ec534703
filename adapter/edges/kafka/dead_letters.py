"""The dead-letter record: what the adapter writes to the dead-letter topic for one rejection.

Normally a full copy: the original key, value and headers, followed by the ``dlq.*`` headers.
When the broker will not take the copy back (it is too large), a **reference** instead: no
value, no original headers, the key only when it is short, the ``dlq.*`` headers shortened to
a bounded size, plus ``dlq.truncated`` and ``dlq.original.size``. A reference always fits in
the room the producer keeps on top of the largest inbound record, so a dead letter can always
be delivered and the partition always moves on.
"""

from __future__ import annotations

import json
from datetime import datetime

from adapter.app.ports import ConsumedMessage, Rejected
from adapter.core.masking import mask_ssin
from adapter.core.status import DeadLetterHeader

Headers = list[tuple[str, str | bytes | None]]
Record = tuple[bytes | None, bytes | None, Headers]
"""(key, value, headers) as ``confluent_kafka.Producer.produce`` takes them."""

REFERENCE_KEY_LIMIT = 1_024
"""A reference keeps the original key up to this many bytes (an employment id is short)."""
REFERENCE_MESSAGE_LIMIT = 1_000
"""Characters of ``dlq.reason.message`` a reference keeps."""
REFERENCE_VIOLATIONS_LIMIT = 8_192
"""Bytes of ``dlq.violations`` a reference keeps (whole violations only, valid JSON)."""

_OURS = frozenset(h.value for h in DeadLetterHeader)


def original_size(message: ConsumedMessage) -> int:
    """Bytes of the original key, value and headers (names and values)."""
    headers = sum(len(name.encode()) + len(value or b"") for name, value in message.headers)
    return len(message.key or b"") + len(message.value or b"") + headers


def forwarded_headers(message: ConsumedMessage) -> Headers:
    """The original headers in order, less those carrying one of our names.

    A record replayed from the dead-letter topic and rejected again must not carry the
    previous attempt's ``dlq.reason.*`` next to the new ones; ``dlq.replayed.*`` stays.
    """
    return [(name, value) for name, value in message.headers if name not in _OURS]


def dead_letter_record(rejected: Rejected, failed_at: datetime) -> Record:
    """The full copy: original key, value and headers, then ours."""
    message = rejected.message
    ours = _headers(rejected, failed_at, rejected.reason, _violations_json(rejected, None))
    return message.key, message.value, forwarded_headers(message) + ours


def reference_record(rejected: Rejected, failed_at: datetime) -> Record:
    """A bounded stand-in for a dead letter too large to forward: where the original is."""
    message = rejected.message
    reason = rejected.reason
    if len(reason) > REFERENCE_MESSAGE_LIMIT:
        reason = reason[: REFERENCE_MESSAGE_LIMIT - 1] + "…"
    violations = _violations_json(rejected, REFERENCE_VIOLATIONS_LIMIT)
    headers = _headers(rejected, failed_at, reason, violations)
    headers += [
        (DeadLetterHeader.TRUNCATED.value, b"true"),
        (DeadLetterHeader.ORIGINAL_SIZE.value, str(original_size(message)).encode()),
    ]
    key = (
        message.key if message.key is not None and len(message.key) <= REFERENCE_KEY_LIMIT else None
    )
    return key, None, headers


def _headers(
    rejected: Rejected, failed_at: datetime, reason: str, violations: str | None
) -> Headers:
    message = rejected.message
    values: dict[DeadLetterHeader, str] = {
        DeadLetterHeader.REASON_CODE: rejected.reason_code,
        # The messages never echo personal values (core rules); masking SSINs here as well
        # keeps a future message from leaking one through the dead-letter topic.
        DeadLetterHeader.MESSAGE: mask_ssin(reason),
        DeadLetterHeader.SOURCE_TOPIC: message.topic,
        DeadLetterHeader.SOURCE_PARTITION: str(message.partition),
        DeadLetterHeader.SOURCE_OFFSET: str(message.offset),
        DeadLetterHeader.FAILED_AT: failed_at.isoformat(),
    }
    if message.timestamp_ms is not None:
        values[DeadLetterHeader.SOURCE_TIMESTAMP] = str(message.timestamp_ms)
    if rejected.event_id is not None:
        values[DeadLetterHeader.EVENT_ID] = rejected.event_id
    if violations is not None:
        values[DeadLetterHeader.VIOLATIONS] = violations
    return [(name.value, value.encode()) for name, value in values.items()]


def _violations_json(rejected: Rejected, limit: int | None) -> str | None:
    """The violations as a JSON array, of whole violations within ``limit`` bytes."""
    if not rejected.violations:
        return None
    items: list[dict[str, str]] = []
    size = 2  # the brackets
    for v in rejected.violations:
        item = {"code": v.code, "field": v.field, "message": mask_ssin(v.message)}
        grown = size + len(json.dumps(item).encode()) + 2  # ", " between items
        if limit is not None and grown > limit:
            break
        items.append(item)
        size = grown
    return json.dumps(items)
