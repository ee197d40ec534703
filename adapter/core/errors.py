"""The error tree of the adapter, grouped by what the processing loop does with each error.

Every exception the adapter raises derives from :class:`AdapterError`, through the group
that says what happens next (``tests/meta/test_error_tree.py`` walks every module to check).
A few also derive from a builtin because callers catch them as such; each says why.

    AdapterError
    ├── InvalidInput              dead-letter the message, publish REJECTED, commit
    │   ├── UndecodableMessage    bytes that are not a record of a known schema
    │   ├── RuleViolations        a decoded event that breaks Dimona rules
    │   └── InvalidIdentifier     core/identifiers.py (also ValueError: pydantic validators)
    ├── TransientError            retry later with backoff (honour ``retry_after``)
    │   ├── StoreUnavailableError            edges/store/engine.py
    │   ├── DimonaTransientError             edges/dimona_rest (UnreadableAnswer,
    │   │                                    DimonaAuthUnavailable)
    │   ├── DimonaSoapTransientError         edges/dimona_soap
    │   └── NotAuthenticated                 edges/dimona_soap/classify.py: refresh the
    │                                        token and try once more
    ├── PermanentError            this declaration fails: it cannot succeed as it is
    │   ├── DimonaPermanentError, DimonaSoapPermanentError   400, 403, a SOAP client fault
    │   ├── Unrenderable                     app/driver.py: no body can be rendered
    │   ├── UnresolvedPeriod                 edges/dimona_rest/wire.py (also ValueError)
    │   └── WireError                        edges/dimona_soap/wire.py: no SOAP form
    ├── UncertainOutcome          a POST may or may not have reached ONSS: reconcile first
    │   └── DimonaUncertainSubmission, DimonaSoapUncertainSubmission
    ├── OwnershipLost             another process owns this employment now: stop the actor
    ├── FatalConfiguration        stop the process with exit code 3 (at start-up or later)
    │   └── DimonaAuthRefused, DimonaEndpointMissing, DimonaSoapAuthRefused
    ├── OperatorNeeded            stop with the command's own exit code; an operator decides
    │   ├── DeadLetterRateExceeded           app/breaker.py: ``run`` exits 5
    │   └── KeyFilesExist                    edges/dimona_rest: ``keys create`` exits 2
    └── BrokenInvariant           a bug: never handled on purpose; the actor or the process
        │                         stops and the next owner resumes from the store
        ├── IllegalTransition                core/machine.py: an event the state forbids
        ├── UnknownDeclarationError          edges/store/sql.py: no such declaration row
        └── StoreClosedError                 edges/store/postgres.py: used after close()

A refusal by ONSS (result B) is a normal outcome, never an exception. The sandbox
(``adapter/sandbox``) is a separate program with errors of its own: it shares nothing with
this tree (see the allow-list in ``tests/meta/test_error_tree.py``).
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
    """This declaration cannot succeed as it is: the remote side refused the request itself
    (not the business content), or no request can be rendered from it. No retry helps."""

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


class OperatorNeeded(AdapterError):  # noqa: N818 - says what the loop does
    """Stop with the command's own exit code and leave the decision to an operator.

    Not a configuration error: the input around the process is (a dead-letter rate that says
    something upstream is broken, files a command refuses to overwrite).
    """


class BrokenInvariant(AdapterError):  # noqa: N818 - says what happened
    """A programming error: a rule of the code itself was broken (an illegal transition, a
    declaration the store does not have). Never caught on purpose: it stops the actor or the
    process, and whoever runs next resumes from the store."""
