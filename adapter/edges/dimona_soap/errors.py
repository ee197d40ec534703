"""Errors of the Dimona SOAP edge, each a subclass of the core error the pipeline acts on.

They mirror the REST edge's classes: a ``soap:Client`` fault is permanent (the request must
change), a ``soap:Server`` fault, 5xx, 429 and timeouts are transient, a submission whose
answer was lost is uncertain, and a token the service keeps refusing is a configuration error.
Messages and issues never carry tokens or personal data (long digit runs are masked).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from adapter.core.errors import (
    FatalConfiguration,
    PermanentError,
    TransientError,
    UncertainOutcome,
)

_DIGITS = re.compile(r"\d{6,}")
_MAX_TEXT = 200


def mask(text: str) -> str:
    """``text`` cut to a sane length, with runs of 6+ digits (SSIN, numbers) masked."""
    return _DIGITS.sub("…", text)[:_MAX_TEXT]


class DimonaSoapTransientError(TransientError):
    """Retry later: ``soap:Server`` faults, HTTP 5xx/429/408, timeouts and resets of
    requests that are safe to repeat."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        fault_code: str | None = None,
        operation: str = "",
    ) -> None:
        super().__init__(message, retry_after=retry_after)
        self.status = status
        self.fault_code = fault_code
        self.operation = operation


class DimonaSoapPermanentError(PermanentError):
    """The service refused the request itself (``soap:Client`` fault, 4xx): no retry helps."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        issues: Sequence[str] = (),
        fault_code: str | None = None,
        operation: str = "",
    ) -> None:
        super().__init__(message, status=status, issues=issues)
        self.fault_code = fault_code
        self.operation = operation


class DimonaSoapUncertainSubmission(UncertainOutcome):
    """A ``submitDeclaration`` whose outcome is unknown: sent, then no usable answer.

    The service may have recorded the declaration: the pipeline consults (reconciles) before
    any new submission.
    """


class DimonaSoapAuthRefused(FatalConfiguration):
    """The service refuses our bearer token even fresh (fault ``SOA-01001`` twice)."""

    def __init__(self, message: str, *, fault_code: str | None = None) -> None:
        super().__init__(message)
        self.fault_code = fault_code
