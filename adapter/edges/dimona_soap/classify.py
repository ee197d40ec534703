"""Turn SOAP faults, HTTP answers and transport failures into the errors the pipeline acts on.

Same rules as the REST edge: a ``submitDeclaration`` that may have reached the service and got
no usable answer is *uncertain*, never transient. "Not sent" is known only when no connection
was established (``request_was_sent`` is shared with the REST edge).
"""

from __future__ import annotations

from typing import Any

import httpx
from lxml import etree

from adapter.core.errors import AdapterError, TransientError
from adapter.edges.dimona_rest.classify import request_was_sent
from adapter.edges.dimona_soap.errors import (
    DimonaSoapPermanentError,
    DimonaSoapTransientError,
    DimonaSoapUncertainSubmission,
    mask,
)
from adapter.edges.retry_after import retry_after_seconds

NS = "urn:dimona-adapter:soap:dimona:v1"
NOT_AUTHENTICATED = "SOA-01001"
_MAX_ISSUES = 20


class NotAuthenticated(TransientError):  # noqa: N818 - a signal to refresh the token
    """The service answered ``SOA-01001``: the caller refreshes its token once."""


def error_for_exception(exc: BaseException, *, operation: str, submission: bool) -> AdapterError:
    kind = type(exc).__name__
    if submission and request_was_sent(exc):
        return DimonaSoapUncertainSubmission(
            f"{operation}: no answer after the declaration was sent ({kind}); reconcile first"
        )
    return DimonaSoapTransientError(f"{operation}: {kind}", operation=operation)


def is_soap_answer(response: httpx.Response) -> bool:
    """A 200 or a 500 carrying XML: zeep reads it (a 500 then holds a fault)."""
    media = response.headers.get("content-type", "")
    return response.status_code in (200, 500) and "xml" in media


def error_for_status(
    response: httpx.Response, *, operation: str, submission: bool, now: float
) -> AdapterError:
    """An HTTP answer that is not a SOAP message (a gateway, a proxy, an overload)."""
    status = response.status_code
    retry_after = retry_after_seconds(response.headers, now=now)
    if status in (429, 503):
        return DimonaSoapTransientError(
            f"{operation}: HTTP {status}, the service asks to slow down",
            retry_after=retry_after,
            status=status,
            operation=operation,
        )
    if submission and (status in (500, 502, 504) or 200 <= status < 300):
        # The service answers with XML, faults included; a bare 2xx/5xx comes from something
        # in between, after the declaration may have been recorded.
        return DimonaSoapUncertainSubmission(
            f"{operation}: HTTP {status} without a SOAP answer after the declaration was sent"
        )
    if status >= 500 or status == 408 or 200 <= status < 300:
        return DimonaSoapTransientError(
            f"{operation}: HTTP {status} without a SOAP answer",
            retry_after=retry_after,
            status=status,
            operation=operation,
        )
    return DimonaSoapPermanentError(
        f"{operation}: HTTP {status}", status=status, operation=operation
    )


def fault_parts(detail: Any) -> tuple[str | None, tuple[str, ...]]:
    """(code, issues) of our ``DimonaFault`` detail; issues are masked."""
    if not isinstance(detail, etree._Element):
        return None, ()
    fault = detail.find(f"{{{NS}}}DimonaFault")
    if fault is None:
        return None, ()
    code = fault.findtext(f"{{{NS}}}Code")
    issues = []
    for issue in fault.findall(f"{{{NS}}}Issue")[:_MAX_ISSUES]:
        name = issue.findtext(f"{{{NS}}}Name") or "$"
        issues.append(mask(f"{name}: {issue.findtext(f'{{{NS}}}Detail') or ''}"))
    return code, tuple(issues)


def error_for_fault(
    fault_code: str | None, message: str | None, detail: Any, *, operation: str
) -> AdapterError | NotAuthenticated:
    code, issues = fault_parts(detail)
    text = mask(message or "")
    if code == NOT_AUTHENTICATED or (message or "").startswith(NOT_AUTHENTICATED):
        return NotAuthenticated(text)
    if (fault_code or "").endswith("Server"):
        return DimonaSoapTransientError(
            f"{operation}: server fault {text}", fault_code=code, operation=operation
        )
    return DimonaSoapPermanentError(
        f"{operation}: {text}", issues=issues, fault_code=code, operation=operation
    )
