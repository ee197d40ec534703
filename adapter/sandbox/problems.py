"""RFC 9457 problem details in the Belgif style (reference §5.6) and small JSON helpers."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

PROBLEM_JSON = "application/problem+json"


def json_response(
    data: object, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    body = json.dumps(data, separators=(",", ":"))
    return Response(body, status, headers, media_type="application/json")


def problem(
    status: int,
    kind: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    data: dict[str, Any] = {
        "type": f"urn:problem-type:belgif:{kind}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    data.update(extra)
    return Response(json.dumps(data), status, headers, media_type=PROBLEM_JSON)


def bad_request(detail: str, issues: list[dict[str, Any]]) -> Response:
    return problem(400, "badRequest", "Bad Request", detail, issues=issues)


def not_found(detail: str) -> Response:
    return problem(404, "resourceNotFound", "Resource Not Found", detail)


def origin(request: Request) -> str:
    """``scheme://host:port`` as the client addressed us (for Location, href and ``aud``)."""
    host = request.headers.get("host")
    if host is None:
        server = request.scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{request.scope.get('scheme', 'http')}://{host}"


async def read_json(request: Request) -> tuple[object, Response | None]:
    raw = await request.body()
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
