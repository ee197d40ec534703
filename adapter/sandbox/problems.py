"""RFC 9457 problem details in the Belgif style (reference §5.6) and small JSON helpers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

PROBLEM_JSON = "application/problem+json"
# What json.dumps(data, separators=(",", ":")) builds on every call, built once.
_COMPACT = json.JSONEncoder(separators=(",", ":"))
# Problems without extra members (a 404 while a declaration is pending, a 401) come back
# again and again: their bodies are rendered once. Details are a short, fixed set; bounded.
_PLAIN_PROBLEMS: dict[tuple[int, str, str, str], bytes] = {}
_MAX_PLAIN_PROBLEMS = 256


def json_response(
    data: object, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(_COMPACT.encode(data), status, headers, media_type="application/json")


def problem(
    status: int,
    kind: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    key = (status, kind, title, detail)
    body = None if extra else _PLAIN_PROBLEMS.get(key)
    if body is None:
        data: dict[str, Any] = {
            "type": f"urn:problem-type:belgif:{kind}",
            "title": title,
            "status": status,
            "detail": detail,
        }
        data.update(extra)
        body = json.dumps(data).encode()
        if not extra and len(_PLAIN_PROBLEMS) < _MAX_PLAIN_PROBLEMS:
            _PLAIN_PROBLEMS[key] = body
    return Response(body, status, headers, media_type=PROBLEM_JSON)


def bad_request(detail: str, issues: list[dict[str, Any]]) -> Response:
    return problem(400, "badRequest", "Bad Request", detail, issues=issues)


def internal_error() -> Response:
    return problem(500, "internalServerError", "Internal Server Error", "sandbox error")


def not_found(detail: str) -> Response:
    return problem(404, "resourceNotFound", "Resource Not Found", detail)


def origin(request: Request) -> str:
    """``scheme://host:port`` as the client addressed us (for Location, href and ``aud``)."""
    return origin_of(request.scope, request.headers.get("host"))


def origin_of(scope: Mapping[str, Any], host: str | None) -> str:
    """:func:`origin` from an ASGI scope and its first ``Host`` header (None when absent)."""
    if host is None:
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{host}"


async def read_json(request: Request) -> tuple[object, Response | None]:
    return parse_json(await request.body())


def parse_json(raw: bytes) -> tuple[object, Response | None]:
    """The JSON value of a request body (None when empty), or the 400 answer."""
    if not raw:
        return None, None
    try:
        return json.loads(raw), None
    except ValueError:
        issue = {
            "type": "urn:problem-type:belgif:input-validation:schemaViolation",
            "in": "body",
            "name": "$",
            "detail": "the body is not valid JSON",
        }
        return None, bad_request("The request body is not valid JSON", [issue])
