"""The two routes every declaration takes, served without Starlette's router.

``POST /declarations`` and ``GET /declarations/{id}`` are most of the sandbox's traffic. Going
through Starlette costs a route scan (regexes), the exception-handling wrappers and a
``Request`` per call; this ASGI middleware recognises the two routes itself and calls the same
handler functions as the Starlette endpoints (``rest.submit_declaration``,
``rest.read_declaration``), so clients get the same answers byte for byte. Anything else, and
any request it is not sure about (HEAD, a ``root_path``, a longer path), goes to Starlette.
It sits inside the edge middleware, so faults, latency and metrics apply as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import ClientDisconnect

from adapter.sandbox import rest
from adapter.sandbox.context import SandboxContext
from adapter.sandbox.problems import origin_of

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SUBMIT_PATH = f"{rest.API_BASE}/declarations"
DECLARATION_PREFIX = f"{rest.API_BASE}/declarations/"


def _auth_and_host(scope: Scope) -> tuple[str | None, str | None]:
    """The first ``Authorization`` and ``Host`` values, as Starlette's ``Headers.get`` does."""
    authorization = host = None
    for name, value in scope["headers"]:
        if name == b"authorization":
            if authorization is None:
                authorization = value.decode("latin-1")
        elif name == b"host" and host is None:
            host = value.decode("latin-1")
    return authorization, host


async def read_body(receive: Receive) -> bytes:
    """The whole request body, as ``Request.body()`` reads it."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        elif message["type"] == "http.disconnect":
            raise ClientDisconnect
    return b"".join(chunks)


def declaration_id_in(path: str) -> str | None:
    """The ``{declarationId}`` of ``GET /declarations/{declarationId}`` (Starlette's ``[^/]+``)."""
    if not path.startswith(DECLARATION_PREFIX):
        return None
    raw_id = path[len(DECLARATION_PREFIX) :]
    return raw_id if raw_id and "/" not in raw_id else None


class HotRoutes:
    def __init__(self, app: ASGIApp, context: SandboxContext) -> None:
        self.app = app
        self.context = context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            method = scope["method"]
            path = scope["path"]
            if method == "POST" and path == SUBMIT_PATH:
                authorization, host = _auth_and_host(scope)

                async def body() -> bytes:
                    return await read_body(receive)

                response = await rest.submit_declaration(
                    self.context, authorization, origin_of(scope, host), body
                )
                await response(scope, receive, send)
                return
            raw_id = declaration_id_in(path) if method == "GET" else None
            if raw_id is not None:
                authorization, host = _auth_and_host(scope)
                response = rest.read_declaration(
                    self.context, authorization, origin_of(scope, host), raw_id
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
