"""The error tree of the adapter, grouped by what the processing loop does with each error.

    AdapterError
    ├── InvalidInput              dead-letter the message, publish REJECTED, commit
    │   ├── UndecodableMessage    bytes that are not a record of a known schema
    │   └── RuleViolations        a decoded event that breaks Dimona rules
    ├── TransientError            retry later with backoff (honour ``retry_after``)
    ├── PermanentError            this declaration cannot succeed as sent (400, 403)
    ├── UncertainOutcome          a POST may or may not have reached ONSS: reconcile first
    ├── OwnershipLost             another process owns this employment now: stop driving it
    └── FatalConfiguration        stop the process with exit code 3 (at start-up or later)

A refusal by ONSS (result B) is a normal outcome, never an exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from adapter.core.reasons import DeadLetterReason


class AdapterError(Exception):
    """Root of every error the adapter raises on purpose."""


class InvalidInput(AdapterError):  # noqa: N818 - the domain word reads better than *Error
    """Input that can never be processed: it goes to the dead-letter topic."""

    reason_code: DeadLetterReason = DeadLetterReason.INVALID_INPUT


class UndecodableMessage(InvalidInput):
    """The bytes are not a record of any known schema version."""

    reason_code = DeadLetterReason.UNDECODABLE


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: a stable code, the field path and a message for a payroll officer."""

    code: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.code} at {self.field}: {self.message}"


class RuleViolations(InvalidInput):
    """A well-formed event that breaks one or more Dimona rules."""

    reason_code = DeadLetterReason.RULE_VIOLATION

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations = tuple(violations)
        super().__init__("; ".join(str(v) for v in self.violations))


class TransientError(AdapterError):
    """Worth retrying later; ``retry_after`` (seconds) when the remote side said so."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(AdapterError):
    """The remote side refused the request itself (not the business content): no retry helps."""

    def __init__(
        self, message: str, *, status: int | None = None, issues: Sequence[str] = ()
    ) -> None:
        super().__init__(message)
        self.status = status
        self.issues = tuple(issues)


class UncertainOutcome(AdapterError):  # noqa: N818
    """A submission whose outcome is unknown (timeout or reset after sending).

    Never retried blindly: the pipeline first consults ONSS to learn whether the
    declaration was recorded.
    """


class OwnershipLost(AdapterError):  # noqa: N818
    """The store refused a write: this employment's partition is owned by another process
    (or by a newer claim of this one). The actor stops; the owner drives the employment."""


class FatalConfiguration(AdapterError):  # noqa: N818
    """The adapter cannot run with this configuration (or these credentials): retrying
    cannot help, so the process stops with exit code 3."""
