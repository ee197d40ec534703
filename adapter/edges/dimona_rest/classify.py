"""Turn HTTP answers and transport failures into the errors the pipeline acts on.

The one rule that matters most: a POST /declarations that may have reached ONSS and got no
usable answer is *uncertain*, never transient, because a blind retry could declare twice.
A request counts as "not sent" only when the connection was never established (connect
error or timeout, pool timeout). The ``httpx-aiohttp`` transport maps aiohttp's read timeouts
and server disconnects to ``httpx.ConnectTimeout``; we look through to the aiohttp cause so
that such a failure is not mistaken for "never sent".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import aiohttp
import httpx

from adapter.core.errors import AdapterError
from adapter.edges.dimona_rest.errors import (
    DimonaAuthRefused,
    DimonaEndpointMissing,
    DimonaPermanentError,
    DimonaTransientError,
    DimonaUncertainSubmission,
)
from adapter.edges.retry_after import retry_after_seconds

TRANSPORT_FAILURES: tuple[type[BaseException], ...] = (
    httpx.TransportError,
    aiohttp.ClientError,
    OSError,
    TimeoutError,
)
"""What a transport may raise for network trouble (httpx's own, and raw aiohttp/OS errors)."""

_NOT_SENT_HTTPX = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
)
_NOT_SENT_AIOHTTP = (
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
    aiohttp.InvalidURL,
)
_MAX_ISSUES = 20
_MAX_TEXT = 200


def request_was_sent(exc: BaseException) -> bool:
    """False only when we know the request never left (no connection was established).

    A raw aiohttp error (the lean path) is read as it is; an httpx error raised by the
    ``httpx-aiohttp`` transport is read through to its aiohttp cause.
    """
    if isinstance(exc, aiohttp.ClientError):
        return not isinstance(exc, _NOT_SENT_AIOHTTP)
    cause = exc.__cause__
    if isinstance(cause, aiohttp.ClientError):
        return not isinstance(cause, _NOT_SENT_AIOHTTP)
    return not isinstance(exc, _NOT_SENT_HTTPX)


def error_for_exception(
    exc: BaseException, *, endpoint: str, submission: bool
) -> DimonaTransientError | DimonaUncertainSubmission:
    kind = type(exc).__name__
    if submission and request_was_sent(exc):
        return DimonaUncertainSubmission(
            f"{endpoint}: no answer after the declaration was sent ({kind}); reconcile first"
        )
    return DimonaTransientError(f"{endpoint}: {kind}", endpoint=endpoint)


def _text(value: object) -> str:
    return str(value)[:_MAX_TEXT]


def _issue_text(issue: object) -> str | None:
    # The issue's "value" is left out on purpose: it may hold a national number.
    if isinstance(issue, str):
        return _text(issue)
    if not isinstance(issue, Mapping):
        return None
    where = issue.get("name") or issue.get("in") or issue.get("property") or issue.get("field")
    why = issue.get("detail") or issue.get("title") or issue.get("message") or issue.get("type")
    if where and why:
        return _text(f"{where}: {why}")
    if where or why:
        return _text(where or why)
    return None


def problem_details(response: httpx.Response) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(problem type, detail, issues) of an httpx error response (see ``problem_details_of``)."""
    return problem_details_of(response.content)


def problem_details_of(content: bytes) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(problem type, detail, issues) of an error body; tolerant of v1 arrays and non-JSON."""
    try:
        body: Any = json.loads(content)
    except ValueError:
        return None, None, ()
    raw_issues: list[object]
    if isinstance(body, list):
        problem_type, detail, raw_issues = None, None, body
    elif isinstance(body, Mapping):
        problem_type = _text(body["type"]) if isinstance(body.get("type"), str) else None
        found = body.get("detail") or body.get("title") or body.get("message")
        detail = _text(found) if isinstance(found, str) else None
        listed = body.get("issues") or body.get("errors") or body.get("invalidProperties") or []
        raw_issues = list(listed) if isinstance(listed, list) else []
    else:
        return None, None, ()
    issues = tuple(t for t in map(_issue_text, raw_issues[:_MAX_ISSUES]) if t)
    return problem_type, detail, issues


def error_for_response(
    response: httpx.Response, *, endpoint: str, submission: bool, now: float
) -> AdapterError:
    """``error_for_status`` of an httpx response."""
    return error_for_status(
        response.status_code,
        response.headers,
        response.content,
        endpoint=endpoint,
        submission=submission,
        now=now,
    )


def error_for_status(
    status: int,
    headers: Mapping[str, str],
    content: bytes,
    *,
    endpoint: str,
    submission: bool,
    now: float,
) -> AdapterError:
    """The error for a status the caller did not expect (2xx/404 handling is the caller's).

    ``headers`` must be case-insensitive (httpx's and aiohttp's are); ``content`` is the body
    as received. Both the httpx path and the lean aiohttp path use this one mapping.
    """
    if status in (429, 503):
        return DimonaTransientError(
            f"{endpoint}: HTTP {status}, ONSS asks to slow down",
            retry_after=retry_after_seconds(headers, now=now),
            status=status,
            endpoint=endpoint,
        )
    if submission and status >= 500:
        # The declaration may have been recorded before the server failed (the chaos suite
        # met exactly that): search ONSS before any new POST. 503 is answered above: the
        # service said it is unavailable, so nothing was recorded.
        return DimonaUncertainSubmission(
            f"{endpoint}: HTTP {status} after the declaration was sent; outcome unknown"
        )
    if status >= 500 or status == 408:
        return DimonaTransientError(
            f"{endpoint}: HTTP {status}",
            retry_after=retry_after_seconds(headers, now=now),
            status=status,
            endpoint=endpoint,
        )
    if submission and status in (404, 405):
        # POST /declarations exists on every Dimona v2 root: the base URL is wrong.
        return DimonaEndpointMissing(
            f"{endpoint}: HTTP {status} for POST /declarations; check "
            "DIMONA_ADAPTER_DIMONA__BASE_URL (expected .../REST/dimona/v2)",
            status=status,
        )
    if status == 401:
        return DimonaAuthRefused(
            f"{endpoint}: HTTP 401 with a fresh token; check the client's REST channel", status=401
        )
    problem_type, detail, issues = problem_details_of(content)
    if status == 403:
        message = f"{endpoint}: HTTP 403, not allowed (no or expired mandate for this employer?)"
    else:
        message = f"{endpoint}: HTTP {status}" + (f": {detail}" if detail else "")
    return DimonaPermanentError(
        message, status=status, issues=issues, problem_type=problem_type, endpoint=endpoint
    )
