"""Builds the sandbox's ASGI app: token endpoint, REST v2, admin, metrics, optional SOAP."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from adapter.sandbox import admin, rest
from adapter.sandbox.config import SandboxConfig
from adapter.sandbox.context import SandboxContext
from adapter.sandbox.edge import EdgeMiddleware
from adapter.sandbox.faults import Faults, FaultSettings
from adapter.sandbox.hotpath import HotRoutes
from adapter.sandbox.metrics import SandboxMetrics
from adapter.sandbox.models import Declaration
from adapter.sandbox.oauth import OAuthServer
from adapter.sandbox.problems import internal_error, problem
from adapter.sandbox.service import SandboxService, ServiceSettings
from adapter.sandbox.store import Store, open_store

SOAP_PATH = "/SOAP/dimona"


def build_context(config: SandboxConfig, store: Store | None = None) -> SandboxContext:
    store = store if store is not None else open_store(config.state)
    service = SandboxService(
        store,
        ServiceSettings(
            processing_delay=config.processing_delay,
            identification_delay=config.identification_delay,
            student_quota_hours=config.student_quota_hours,
        ),
    )
    for data in config.clients:
        service.register_client(admin.client_from_wire(data))
    for data in config.scenarios:
        service.scenarios.add(data)
    faults = Faults(FaultSettings.parse(config.fault_wire()))
    service.extra_processing_delay = faults.extra_processing_delay
    metrics = SandboxMetrics()

    def count(declaration: Declaration) -> None:
        metrics.count_processed(declaration.kind, declaration.result or "")

    service.on_processed = count
    oauth = OAuthServer(
        service.client,
        config.audiences,
        config.token_ttl,
        max_assertion_lifetime=config.max_assertion_lifetime,
    )
    return SandboxContext(service, oauth, faults, metrics)


def _soap_routes(service: SandboxService) -> list[BaseRoute]:
    """The SOAP sub-app, when ``adapter.sandbox.soap`` provides ``build_soap_app(service)``."""
    try:
        module = importlib.import_module("adapter.sandbox.soap")
    except ModuleNotFoundError:
        return []
    factory: Any = getattr(module, "build_soap_app", None)
    if factory is None:
        return []
    soap_app = factory(service)
    # The Route answers on SOAP_PATH itself (a Mount alone would redirect it to SOAP_PATH/).
    return [
        Route(SOAP_PATH, endpoint=soap_app, methods=["GET", "POST"]),
        Mount(SOAP_PATH, app=soap_app),
    ]


async def _http_problem(_request: Request, exc: Exception) -> Response:
    """Unknown routes (404) and wrong methods (405) as problem details too."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    kinds = {
        404: ("resourceNotFound", "Resource Not Found"),
        405: ("methodNotAllowed", "Method Not Allowed"),
    }
    kind, title = kinds.get(status, ("badRequest", "Bad Request"))
    headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else None
    return problem(status, kind, title, str(getattr(exc, "detail", title)), headers)


async def _internal_problem(_request: Request, _exc: Exception) -> Response:
    return internal_error()


def build_app(context: SandboxContext, tick_seconds: float = 0.05) -> EdgeMiddleware:
    """Edge (faults, metrics, 500s) -> the two hot routes -> Starlette for everything else.

    The edge sits outside Starlette so that the hot routes skip Starlette's own layers.
    """

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        async def tick() -> None:
            ticks = 0
            while True:
                await asyncio.sleep(tick_seconds)
                context.service.advance()
                ticks += 1
                if ticks % 1000 == 0:
                    context.oauth.purge()

        task = asyncio.create_task(tick())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            context.service.store.close()

    app = Starlette(
        routes=[*rest.routes(), *admin.routes(), *_soap_routes(context.service)],
        exception_handlers={
            HTTPException: _http_problem,
            Exception: _internal_problem,
        },
        lifespan=lifespan,
    )
    app.state.sandbox = context
    return EdgeMiddleware(HotRoutes(app, context), faults=context.faults, metrics=context.metrics)
