"""Why a record was dead-lettered: the one list of reason codes.

The code travels in the ``dlq.reason.code`` header (``DeadLetterHeader.REASON_CODE``), labels
the rejection metrics and appears in the canonical log line. ``docs/contracts.md`` documents
every member ("Reason codes"); a test keeps the two in step.
"""

from __future__ import annotations

from enum import StrEnum


class DeadLetterReason(StrEnum):
    EMPTY = "EMPTY"
    """The record has no value (a tombstone)."""
    UNDECODABLE = "UNDECODABLE"
    """The bytes are not a record of a known schema version."""
    SCHEMA_MISMATCH = "SCHEMA_MISMATCH"
    """Decoded, but structurally wrong for the event model (violations with code ``SCHEMA``)."""
    RULE_VIOLATION = "RULE_VIOLATION"
    """A well-formed event that breaks a Dimona rule."""
    INVALID_INPUT = "INVALID_INPUT"
    """Any other input that can never be processed (``InvalidInput`` without a finer code)."""
    KEY_MISMATCH = "KEY_MISMATCH"
    """The record key differs from the body's ``employmentId``, or the key is null."""
    DUPLICATE_CONFLICT = "DUPLICATE_CONFLICT"
    """An ``eventId`` seen before, with different content."""
