"""The ASGI middleware in front of every route: classifies the request, injects the fault drawn
for it, counts what was served, and answers a 500 problem when a handler fails. Pure ASGI (no
per-request task or body buffering); it is the outermost layer of the app (``app.py``)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from adapter.sandbox.faults import Faults
from adapter.sandbox.latency import LatencyQueue
from adapter.sandbox.metrics import SandboxMetrics
from adapter.sandbox.problems import internal_error
from adapter.sandbox.transport import reset_connection

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_PATH = "/REST/oauth/v5/token"  # noqa: S105 - a URL path, not a secret
API_PREFIX = "/REST/dimona/v2"
SOAP_PREFIX = "/SOAP/"

_PROBLEMS = {
    "500": ("urn:problem-type:belgif:internalServerError", "Internal Server Error"),
    "503": ("urn:problem-type:belgif:serviceUnavailable", "Service Unavailable"),
    "429": ("urn:problem-type:belgif:tooManyRequests", "Too Many Requests"),
}
_OAUTH_ERRORS = {"500": "server_error", "503": "temporarily_unavailable", "429": "slow_down"}


def classify(method: str, path: str) -> str:  # noqa: PLR0911 - one return per endpoint
    """The endpoint name faults and metrics use."""
    if path == TOKEN_PATH:
        return "token"
    if path.startswith(API_PREFIX):
        rest = path[len(API_PREFIX) :]
        if rest.endswith("/search"):
            return "search"
        if rest in ("/declarations", "/declarations/"):
            return "submit" if method == "POST" else "other"
        if rest.startswith("/declarations/"):
            return "get"
        if rest.startswith("/periods/"):
            return "period"
        return "other"
    if path.startswith(SOAP_PREFIX):
        return "soap"
    if path.startswith("/admin"):
        return "admin"
    if path == "/metrics":
        return "metrics"
    return "other"


class EdgeMiddleware:
    def __init__(self, app: ASGIApp, faults: Faults, metrics: SandboxMetrics) -> None:
        self.app = app
        self.faults = faults
        self.metrics = metrics
        self._counters: dict[tuple[str, str, int], Any] = {}
        self._latency = LatencyQueue()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        endpoint = classify(method, scope["path"])
        status_box = [0]

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_box[0] = message["status"]
            await send(message)

        try:
            if endpoint in ("admin", "metrics", "other"):
                await self.app(scope, receive, counting_send)
            else:
                decision = self.faults.decide(endpoint)
                if decision.delay:
                    await self._latency.wait(decision.delay)
                if decision.action == "ok":
                    await self.app(scope, receive, counting_send)
                else:
                    await self._inject(decision.action, endpoint, scope, receive, counting_send)
        except Exception:
            # What Starlette's ServerErrorMiddleware did when it sat outside this one: a 500
            # problem unless an answer was already on its way, uncounted, and the error raised.
            if not status_box[0]:
                await internal_error()(scope, receive, send)
            raise
        key = (endpoint, method, status_box[0])
        counter = self._counters.get(key)
        if counter is None:
            status = str(status_box[0]) if status_box[0] else "reset"
            counter = self._counters[key] = self.metrics.requests.labels(endpoint, method, status)
        counter.inc()

    async def _inject(
        self, action: str, endpoint: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        self.metrics.faults.labels(endpoint, action).inc()
        if action == "lost":
            await self._lose(scope, receive, send, endpoint)
        elif action == "reset":
            await self._drain(receive)
            await self._reset(scope, send, endpoint)
        else:
            await self._drain(receive)
            await self._error(send, endpoint, action)

    async def _lose(self, scope: Scope, receive: Receive, send: Send, endpoint: str) -> None:
        """Let the app do its work (a declaration is recorded), then drop its answer."""

        async def swallow(_message: Message) -> None:
            return None

        await self.app(scope, receive, swallow)
        if self.faults.settings.lost_response_mode == "500":
            await self._error(send, endpoint, "500")
        else:
            await self._reset(scope, send, endpoint)

    async def _reset(self, scope: Scope, send: Send, endpoint: str) -> None:
        if not reset_connection(scope):
            await self._error(send, endpoint, "500")
            return
        # Let the server see the connection is gone before the app returns without answering,
        # so that it does not log "returned without starting response".
        await asyncio.sleep(0)
        await asyncio.sleep(0)

    @staticmethod
    async def _drain(receive: Receive) -> None:
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False) and message["type"] == "http.request"

    async def _error(self, send: Send, endpoint: str, status: str) -> None:
        headers = [(b"cache-control", b"no-store")]
        body: dict[str, Any]
        if endpoint == "token":
            body = {"error": _OAUTH_ERRORS[status], "error_description": "injected fault"}
            headers.append((b"content-type", b"application/json"))
        else:
            problem_type, title = _PROBLEMS[status]
            body = {"type": problem_type, "title": title, "status": int(status)}
            body["detail"] = "injected fault"
            headers.append((b"content-type", b"application/problem+json"))
        if status in ("429", "503"):
            retry_after = str(self.faults.settings.retry_after_seconds).encode()
            headers.append((b"retry-after", retry_after))
        await send({"type": "http.response.start", "status": int(status), "headers": headers})
        await send({"type": "http.response.body", "body": json.dumps(body).encode()})
