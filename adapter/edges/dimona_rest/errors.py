"""Errors of the Dimona REST edge, each a subclass of the core error the pipeline acts on.

Messages never carry tokens, key material or personal data: a 400's issues keep the field
name and the explanation, never the offending value (it may be a national number).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from adapter.core.errors import (
    FatalConfiguration,
    OperatorNeeded,
    PermanentError,
    TransientError,
    UncertainOutcome,
)


class DimonaTransientError(TransientError):
    """Retry later: 429, 503 (with ``retry_after`` when ONSS sent ``Retry-After``), 5xx,
    timeouts and resets of requests that are safe to repeat."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        endpoint: str = "",
    ) -> None:
        super().__init__(message, retry_after=retry_after)
        self.status = status
        self.endpoint = endpoint


class DimonaPermanentError(PermanentError):
    """ONSS refused the request itself (400 with issues, 403 missing mandate, other 4xx)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        issues: Sequence[str] = (),
        problem_type: str | None = None,
        endpoint: str = "",
    ) -> None:
        super().__init__(message, status=status, issues=issues)
        self.problem_type = problem_type
        self.endpoint = endpoint


class DimonaUncertainSubmission(UncertainOutcome):
    """A POST /declarations whose outcome is unknown: sent, then no usable answer.

    Either the answer was lost (timeout or reset after the request went out, 502/504 from a
    gateway), or ONSS answered 201 with a ``Location`` we cannot read. ONSS may have recorded
    the declaration: the pipeline reconciles (search) before any new POST.
    """

    def __init__(self, message: str, *, location: str | None = None) -> None:
        super().__init__(message)
        self.location = location


class DimonaAuthRefused(FatalConfiguration):
    """The token endpoint (or the API, with a fresh token) refuses our credentials.

    A wrong client id, a certificate not registered in Chaman, a scope not granted: retrying
    does not help, an operator must fix the configuration.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class DimonaEndpointMissing(FatalConfiguration):
    """The service answers 404/405 where every Dimona v2 service has an endpoint: the base
    URL points at the wrong place. An operator must fix it; nothing is retried."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class DimonaAuthUnavailable(DimonaTransientError):  # noqa: N818
    """The token endpoint is unreachable or failing (timeout, reset, 5xx, 429): retry later."""


class KeyFilesExist(OperatorNeeded):
    """``create_key_pair`` would replace key files that exist (a regular file or a link).

    Not a configuration of the running adapter: the caller asked to overwrite a key without
    saying so (the ``keys create`` command exits 2 and names ``--force``).
    """

    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = tuple(paths)
        described = ", ".join(
            f"{path} (a symbolic link)" if path.is_symlink() else str(path) for path in self.paths
        )
        super().__init__(f"refusing to overwrite existing key files: {described}")
