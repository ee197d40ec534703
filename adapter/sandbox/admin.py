"""Admin routes: health, clients, faults, scenarios, state inspection and reset, metrics."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapter.sandbox.context import SandboxContext
from adapter.sandbox.faults import FaultError, FaultSettings
from adapter.sandbox.metrics import CONTENT_TYPE_LATEST
from adapter.sandbox.models import Client
from adapter.sandbox.oauth import public_key_of
from adapter.sandbox.problems import json_response, not_found, problem, read_json
from adapter.sandbox.scenarios import ScenarioError


def _ctx(request: Request) -> SandboxContext:
    context: SandboxContext = request.app.state.sandbox
    return context


def _invalid(detail: str) -> Response:
    return problem(400, "badRequest", "Bad Request", detail)


async def _object(request: Request) -> tuple[dict[str, Any], Response | None]:
    body, error = await read_json(request)
    if error is not None:
        return {}, error
    if body is None:
        return {}, None
    if not isinstance(body, dict):
        return {}, _invalid("the body must be a JSON object")
    return body, None


async def health(_request: Request) -> Response:
    return json_response({"status": "ok"})


# ---------------------------------------------------------------------------- clients
def client_from_wire(data: dict[str, Any]) -> Client:
    """Validate and build a client registration (raises ValueError)."""
    if not isinstance(data.get("clientId"), str) or not data["clientId"]:
        raise ValueError("clientId (string) is required")
    if not isinstance(data.get("certificatePem"), str):
        raise ValueError("certificatePem (string) is required")
    employers = data.get("employers")
    if employers is not None and not isinstance(employers, list):
        raise ValueError("employers is a list of NOSS or enterprise numbers, or null")
    public_key_of(data["certificatePem"])
    return Client.from_wire(data)


async def register_client(request: Request) -> Response:
    body, error = await _object(request)
    if error is not None:
        return error
    try:
        client = client_from_wire(body)
    except ValueError as exc:
        return _invalid(str(exc))
    _ctx(request).service.register_client(client)
    return json_response({"clientId": client.client_id, "employers": client.employers}, 201)


async def list_clients(request: Request) -> Response:
    clients = _ctx(request).service.store.clients.values()
    return json_response([{"clientId": c.client_id, "employers": c.employers} for c in clients])


# ---------------------------------------------------------------------------- faults
async def faults(request: Request) -> Response:
    """GET: current; POST: merge; PUT: replace; DELETE: back to the start-up configuration."""
    engine = _ctx(request).faults
    if request.method == "DELETE":
        engine.restore()
    elif request.method in ("POST", "PUT"):
        body, error = await _object(request)
        if error is not None:
            return error
        try:
            if request.method == "PUT":
                engine.replace(FaultSettings.parse(body))
            else:
                engine.merge(body)
        except (FaultError, ValueError, TypeError) as exc:
            return _invalid(str(exc))
    return json_response(engine.to_wire())


# ---------------------------------------------------------------------------- scenarios
async def scenarios(request: Request) -> Response:
    book = _ctx(request).service.scenarios
    if request.method == "DELETE":
        book.clear()
        return json_response([])
    if request.method == "POST":
        body, error = await _object(request)
        if error is not None:
            return error
        try:
            scenario = book.add(body)
        except ScenarioError as exc:
            return _invalid(str(exc))
        return json_response(scenario.to_wire(), 201)
    return json_response(book.to_wire())


async def delete_scenario(request: Request) -> Response:
    if not _ctx(request).service.scenarios.remove(int(request.path_params["scenarioId"])):
        return not_found("no such scenario")
    return Response(status_code=204)


# ---------------------------------------------------------------------------- state
async def state(request: Request) -> Response:
    service = _ctx(request).service
    service.advance()
    summary = service.summary()
    if request.query_params.get("full") in ("1", "true"):
        summary["declarationRecords"] = [d.to_dict() for d in service.store.declarations.values()]
        summary["periodRecords"] = [p.to_dict() for p in service.store.periods.values()]
    return json_response(summary)


async def declaration_record(request: Request) -> Response:
    record = _ctx(request).service.received(int(request.path_params["declarationId"]))
    return not_found("no such declaration") if record is None else json_response(record.to_dict())


async def period_record(request: Request) -> Response:
    period = _ctx(request).service.store.periods.get(int(request.path_params["periodId"]))
    return not_found("no such period") if period is None else json_response(period.to_dict())


async def lock_period(request: Request) -> Response:
    body, error = await _object(request)
    if error is not None:
        return error
    locked = bool(body.get("locked", True))
    period = _ctx(request).service.lock_period(int(request.path_params["periodId"]), locked)
    return not_found("no such period") if period is None else json_response(period.to_dict())


async def period_counts(request: Request) -> Response:
    service = _ctx(request).service
    service.advance()
    return json_response(service.period_counts())


async def process(request: Request) -> Response:
    """Process what is due now, or (``{"all": true}``) everything, resolving S answers too."""
    body, error = await _object(request)
    if error is not None:
        return error
    service = _ctx(request).service
    done = service.advance(everything=bool(body.get("all")))
    return json_response({"processed": done})


async def reset(request: Request) -> Response:
    body, error = await _object(request)
    if error is not None:
        return error
    ctx = _ctx(request)
    ctx.service.reset(clients=bool(body.get("clients", False)))
    if body.get("faults", True):
        ctx.faults.restore()
    return json_response(ctx.service.summary())


async def settings(request: Request) -> Response:
    ctx = _ctx(request)
    if request.method == "PATCH":
        body, error = await _object(request)
        if error is not None:
            return error
        try:
            apply_settings(ctx, body)
        except (TypeError, ValueError) as exc:
            return _invalid(str(exc))
    return json_response(
        {
            "processingDelay": ctx.service.settings.processing_delay,
            "identificationDelay": ctx.service.settings.identification_delay,
            "studentQuotaHours": ctx.service.settings.student_quota_hours,
            "tokenTtl": ctx.oauth.token_ttl,
            "audiences": ctx.oauth.audiences,
        }
    )


def apply_settings(ctx: SandboxContext, body: dict[str, Any]) -> None:
    unknown = set(body) - {
        "processingDelay", "identificationDelay", "studentQuotaHours", "tokenTtl", "audiences"
    }  # fmt: skip
    if unknown:
        raise ValueError(f"unknown setting(s) {sorted(unknown)}")
    numbers = {k: float(v) for k, v in body.items() if k != "audiences"}
    if any(v < 0 for v in numbers.values()):
        raise ValueError("settings must not be negative")
    if "processingDelay" in numbers:
        ctx.service.settings.processing_delay = numbers["processingDelay"]
    if "identificationDelay" in numbers:
        ctx.service.settings.identification_delay = numbers["identificationDelay"]
    if "studentQuotaHours" in numbers:
        ctx.service.set_student_quota(int(numbers["studentQuotaHours"]))
    if "tokenTtl" in numbers:
        ctx.oauth.token_ttl = numbers["tokenTtl"]
    if "audiences" in body:
        ctx.oauth.audiences = [str(a) for a in body["audiences"]]


async def metrics(request: Request) -> Response:
    ctx = _ctx(request)
    ctx.service.advance()
    summary = ctx.service.summary()
    for status, count in summary["periodsByStatus"].items():
        ctx.metrics.periods.labels(status).set(count)
    ctx.metrics.pending.set(summary["declarationsByResult"].get("pending", 0))
    return Response(ctx.metrics.render(), media_type=CONTENT_TYPE_LATEST)


def routes() -> list[Route]:
    return [
        Route("/admin/health", health, methods=["GET"]),
        Route("/admin/clients", register_client, methods=["POST"]),
        Route("/admin/clients", list_clients, methods=["GET"]),
        Route("/admin/faults", faults, methods=["GET", "POST", "PUT", "DELETE"]),
        Route("/admin/scenarios", scenarios, methods=["GET", "POST", "DELETE"]),
        Route("/admin/scenarios/{scenarioId:int}", delete_scenario, methods=["DELETE"]),
        Route("/admin/state", state, methods=["GET"]),
        Route("/admin/declarations/{declarationId:int}", declaration_record, methods=["GET"]),
        Route("/admin/periods/{periodId:int}", period_record, methods=["GET"]),
        Route("/admin/periods/{periodId:int}/lock", lock_period, methods=["POST"]),
        Route("/admin/period-counts", period_counts, methods=["GET"]),
        Route("/admin/process", process, methods=["POST"]),
        Route("/admin/reset", reset, methods=["POST"]),
        Route("/admin/settings", settings, methods=["GET", "PATCH"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
