"""Dimona REST v2 routes and the OAuth token endpoint (reference §2, §3)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapter.sandbox.context import SandboxContext
from adapter.sandbox.models import Client, employer_ids
from adapter.sandbox.oauth import CONSULT, DECLARANT, AccessToken, TokenError
from adapter.sandbox.problems import (
    bad_request,
    json_response,
    not_found,
    origin,
    parse_json,
    problem,
    read_json,
)
from adapter.sandbox.schema import validate_declaration
from adapter.sandbox.views import declaration_view, period_view, relation_view

TOKEN_PATH = "/REST/oauth/v5/token"  # noqa: S105 - a URL path, not a secret
API_BASE = "/REST/dimona/v2"
MAX_PAGE_SIZE = 100
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _ctx(request: Request) -> SandboxContext:
    context: SandboxContext = request.app.state.sandbox
    return context


# ---------------------------------------------------------------------------- token
async def token(request: Request) -> Response:
    ctx = _ctx(request)
    content_type = request.headers.get("content-type", "")
    raw = (await request.body()).decode("utf-8", errors="replace")
    try:
        if not content_type.startswith("application/x-www-form-urlencoded"):
            raise TokenError("invalid_request", "use application/x-www-form-urlencoded")
        form = dict(parse_qsl(raw, keep_blank_values=True))
        issued = ctx.oauth.issue(form, origin(request) + TOKEN_PATH)
    except TokenError as exc:
        ctx.metrics.tokens.labels(exc.error).inc()
        error = {"error": exc.error, "error_description": exc.description}
        return json_response(error, exc.status, _NO_STORE)
    ctx.metrics.tokens.labels("issued").inc()
    body: dict[str, Any] = {
        "access_token": issued.value,
        "token_type": "Bearer",
        "expires_in": int(ctx.oauth.token_ttl),
        "scope": " ".join(sorted(issued.scopes)),
    }
    return json_response(body, 200, _NO_STORE)


# ---------------------------------------------------------------------------- auth
def _authorise(
    ctx: SandboxContext, authorization: str | None, scope: str
) -> tuple[Client | None, Response | None]:
    access, verdict = ctx.oauth.check(authorization, scope)
    if verdict == "missing":
        return None, problem(
            401, "noAccessToken", "No Access Token", "a Bearer access token is required",
            {"WWW-Authenticate": 'Bearer realm="dimona"'},
        )  # fmt: skip
    if verdict in ("invalid", "expired"):
        kind = "expiredAccessToken" if verdict == "expired" else "invalidAccessToken"
        title = "Expired Access Token" if verdict == "expired" else "Invalid Access Token"
        header = f'Bearer realm="dimona", error="invalid_token", error_description="{verdict}"'
        return None, problem(
            401, kind, title, f"the access token is {verdict}", {"WWW-Authenticate": header}
        )
    if verdict == "scope":
        header = f'Bearer realm="dimona", error="insufficient_scope", scope="{scope}"'
        return None, problem(
            403, "missingScope", "Missing Scope", f"this operation needs {scope}",
            {"WWW-Authenticate": header}, requiredScopes=[scope],
        )  # fmt: skip
    assert isinstance(access, AccessToken)
    client = ctx.service.client(access.client_id)
    if client is None:
        return None, problem(401, "invalidAccessToken", "Invalid Access Token", "unknown client")
    return client, None


def _forbidden(detail: str) -> Response:
    return problem(403, "missingPermission", "Missing Permission", detail)


def _parse_id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 12 else None


def _bad_id(name: str, value: str) -> Response:
    issue = {
        "type": "urn:problem-type:belgif:input-validation:schemaViolation",
        "in": "path",
        "name": name,
        "value": value,
        "detail": f"{name} must be a 12-digit number",
    }
    return bad_request(f"invalid {name}", [issue])


# ---------------------------------------------------------------------------- declarations
# The two routes every declaration takes. Each is a Starlette endpoint and a function of the
# request's parts, which ``hotpath.py`` calls without Starlette's router.
async def submit(request: Request) -> Response:
    authorization = request.headers.get("authorization")
    return await submit_declaration(_ctx(request), authorization, origin(request), request.body)


async def submit_declaration(
    ctx: SandboxContext,
    authorization: str | None,
    base: str,
    read_body: Callable[[], Awaitable[bytes]],
) -> Response:
    """``POST /declarations``; ``base`` is the origin, the body is read after authorisation."""
    client, refusal = _authorise(ctx, authorization, DECLARANT)
    if refusal is not None or client is None:
        return refusal or _forbidden("no client")
    body, error = parse_json(await read_body())
    if error is not None:
        return error
    issues = validate_declaration(body)
    if issues:
        return bad_request("The declaration does not match the Dimona REST v2 schema", issues)
    assert isinstance(body, dict)
    if not ctx.service.may_declare(client, body):
        return _forbidden("this client may not declare for this employer (no mandate)")
    declaration = ctx.service.submit(body, client.client_id, flush=False)
    await ctx.service.commit()
    ctx.metrics.count_received(declaration.kind)
    location = f"{base}{API_BASE}/declarations/{declaration.id}"
    return Response(status_code=201, headers={"Location": location})


async def get_declaration(request: Request) -> Response:
    authorization = request.headers.get("authorization")
    raw_id = str(request.path_params["declarationId"])
    return read_declaration(_ctx(request), authorization, origin(request), raw_id)


def read_declaration(
    ctx: SandboxContext, authorization: str | None, base: str, raw_id: str
) -> Response:
    """``GET /declarations/{raw_id}``; ``base`` is the origin."""
    client, refusal = _authorise(ctx, authorization, CONSULT)
    if refusal is not None or client is None:
        return refusal or _forbidden("no client")
    declaration_id = _parse_id(raw_id)
    if declaration_id is None:
        return _bad_id("declarationId", raw_id)
    service = ctx.service
    declaration = service.get(declaration_id)
    if declaration is None:
        return not_found("declaration unknown or not processed yet")
    period = service.store.periods.get(declaration.period_id or 0)
    view = declaration_view(declaration, base + API_BASE, period)
    if client.employers is not None and not client.may_declare_for(
        employer_ids(view.get("employer", {}))
    ):
        return _forbidden("this client may not consult this declaration")
    return json_response(view)


async def get_period(request: Request) -> Response:
    client, refusal = _authorise(_ctx(request), request.headers.get("authorization"), CONSULT)
    if refusal is not None or client is None:
        return refusal or _forbidden("no client")
    period_id = _parse_id(str(request.path_params["periodId"]))
    if period_id is None:
        return _bad_id("periodId", str(request.path_params["periodId"]))
    period = _ctx(request).service.period(period_id)
    if period is None:
        return not_found("period unknown")
    if not client.may_declare_for(employer_ids(period.employer)) and client.employers is not None:
        return _forbidden("this client may not consult this period")
    return json_response(period_view(period, origin(request) + API_BASE))


# ---------------------------------------------------------------------------- searches
def _paging(request: Request) -> tuple[int, int] | Response:
    try:
        page = int(request.query_params.get("page", "1"))
        size = int(request.query_params.get("pageSize", "50"))
    except ValueError:
        page, size = 0, 0
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        issue = {
            "type": "urn:problem-type:belgif:input-validation:schemaViolation",
            "in": "query",
            "name": "page" if page < 1 else "pageSize",
            "detail": f"page >= 1 and 1 <= pageSize <= {MAX_PAGE_SIZE}",
        }
        return bad_request("invalid paging", [issue])
    return page, size


async def _search(request: Request, what: str) -> Response:
    client, refusal = _authorise(_ctx(request), request.headers.get("authorization"), CONSULT)
    if refusal is not None or client is None:
        return refusal or _forbidden("no client")
    paging = _paging(request)
    if isinstance(paging, Response):
        return paging
    page, size = paging
    criteria, error = await read_json(request)
    if error is not None:
        return error
    if criteria is None:
        criteria = {}
    if not isinstance(criteria, dict):
        issue = {
            "type": "urn:problem-type:belgif:input-validation:schemaViolation",
            "in": "body",
            "name": "$",
            "detail": "the filter must be a JSON object",
        }
        return bad_request("invalid search filter", [issue])
    service = _ctx(request).service
    base = origin(request) + API_BASE
    items: list[dict[str, Any]]
    if what == "declarations":
        found = service.search_declarations(criteria)
        items = [
            declaration_view(d, base, service.store.periods.get(d.period_id or 0)) for d in found
        ]
    elif what == "periods":
        items = [period_view(p, base) for p in service.search_periods(criteria)]
    else:
        items = [relation_view(group) for group in service.search_relations(criteria)]
    if client.employers is not None:
        items = [i for i in items if client.may_declare_for(employer_ids(i.get("employer", {})))]
    total = len(items)
    url = f"{base}/{what}/search"
    body: dict[str, Any] = {
        "items": items[(page - 1) * size : page * size],
        "page": page,
        "pageSize": size,
        "total": total,
        "self": f"{url}?page={page}&pageSize={size}",
    }
    if page * size < total:
        body["next"] = f"{url}?page={page + 1}&pageSize={size}"
    if page > 1:
        body["prev"] = f"{url}?page={page - 1}&pageSize={size}"
    return json_response(body)


async def search_declarations(request: Request) -> Response:
    return await _search(request, "declarations")


async def search_periods(request: Request) -> Response:
    return await _search(request, "periods")


async def search_relations(request: Request) -> Response:
    return await _search(request, "relations")


def routes() -> list[Route]:
    return [
        Route(TOKEN_PATH, token, methods=["POST"]),
        Route(f"{API_BASE}/declarations", submit, methods=["POST"]),
        Route(f"{API_BASE}/declarations/search", search_declarations, methods=["POST"]),
        Route(f"{API_BASE}/declarations/{{declarationId}}", get_declaration, methods=["GET"]),
        Route(f"{API_BASE}/periods/search", search_periods, methods=["POST"]),
        Route(f"{API_BASE}/periods/{{periodId}}", get_period, methods=["GET"]),
        Route(f"{API_BASE}/relations/search", search_relations, methods=["POST"]),
    ]
