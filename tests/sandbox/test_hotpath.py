"""The hot routes (``hotpath.py``) answer exactly as the Starlette routes do, and the edge answers
a 500 problem when a handler fails. In process: the ASGI app is called directly."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from adapter.sandbox.app import build_app, build_context
from adapter.sandbox.config import SandboxConfig
from adapter.sandbox.context import SandboxContext
from adapter.sandbox.edge import EdgeMiddleware
from adapter.sandbox.hotpath import HotRoutes
from adapter.sandbox.models import Client
from adapter.sandbox.oauth import CONSULT, DECLARANT, AccessToken
from adapter.sandbox.server import uvicorn_config
from tests.sandbox import payloads as p

API = "/REST/dimona/v2"
Message = dict[str, Any]


def _context() -> SandboxContext:
    context = build_context(SandboxConfig(processing_delay=0))
    context.service.register_client(Client("bench", "unused", None))
    context.service.register_client(Client("narrow", "unused", ["197"]))
    tokens = {
        "all": ("bench", frozenset({DECLARANT, CONSULT})),
        "consult": ("bench", frozenset({CONSULT})),
        "narrow": ("narrow", frozenset({DECLARANT, CONSULT})),
        "old": ("bench", frozenset({DECLARANT, CONSULT})),
    }
    for value, (client_id, scopes) in tokens.items():
        expires = time.time() + (-1 if value == "old" else 3600)
        context.oauth._tokens[value] = AccessToken(value, client_id, scopes, expires)
    return context


def _scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": headers, "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8090), "state": {},
    }  # fmt: skip


async def _call(
    app: Any,
    method: str,
    path: str,
    body: bytes,
    headers: list[Any],
    into: list[Message] | None = None,
) -> list[Message]:
    sent: list[Message] = [] if into is None else into
    chunks = [body[:5], body[5:]] if len(body) > 5 else [body]  # a body in two messages

    async def receive() -> Message:
        if chunks:
            chunk = chunks.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(dict(message))

    await app(_scope(method, path, headers), receive, send)
    return sent


def _headers(token: str | None, host: bool = True) -> list[tuple[bytes, bytes]]:
    headers = [(b"content-type", b"application/json")]
    if host:
        headers.insert(0, (b"host", b"dimona.test:8443"))
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    return headers


def _requests() -> list[tuple[str, str, bytes, list[tuple[bytes, bytes]]]]:
    valid = json.dumps(p.ordinary_in()).encode()
    bad = json.dumps({**p.ordinary_in(), "colour": "blue"}).encode()
    first = f"{API}/declarations/{_first_id()}"
    return [
        ("POST", f"{API}/declarations", valid, _headers("all")),
        ("POST", f"{API}/declarations", valid, _headers("all", host=False)),
        ("POST", f"{API}/declarations", bad, _headers("all")),
        ("POST", f"{API}/declarations", b"{not json", _headers("all")),
        ("POST", f"{API}/declarations", b"", _headers("all")),
        ("POST", f"{API}/declarations", valid, _headers(None)),
        ("POST", f"{API}/declarations", valid, _headers("nope")),
        ("POST", f"{API}/declarations", valid, _headers("old")),
        ("POST", f"{API}/declarations", valid, _headers("consult")),
        ("POST", f"{API}/declarations", valid, _headers("narrow")),
        ("GET", first, b"", _headers("all")),
        ("GET", first, b"", _headers("all")),  # again: rendered problems and views are reused
        ("GET", first, b"", _headers("all", host=False)),
        ("GET", first, b"", _headers("narrow")),
        ("GET", f"{API}/declarations/999999999999", b"", _headers("all")),
        ("GET", f"{API}/declarations/999999999999", b"", _headers("all")),
        ("GET", f"{API}/declarations/abc", b"", _headers("all")),
        ("GET", f"{API}/declarations/search", b"", _headers("all")),
        ("GET", f"{API}/declarations/1234567890123", b"", _headers("all")),
        ("GET", first, b"", _headers(None)),
        ("HEAD", first, b"", _headers("all")),
        ("GET", f"{first}/more", b"", _headers("all")),
        ("PUT", f"{API}/declarations", valid, _headers("all")),
    ]


def _first_id() -> int:
    return _context().service._ids.next_id()  # the id the first POST gets


async def test_hot_routes_answer_as_the_starlette_routes() -> None:
    hot = build_app(_context())
    assert isinstance(hot.app, HotRoutes)
    plain = build_app(_context()).app.app  # the Starlette app alone, same state
    for method, path, body, headers in _requests():
        through_hot = await _call(hot.app, method, path, body, headers)
        through_starlette = await _call(plain, method, path, body, headers)
        assert through_hot == through_starlette, (method, path, headers)
        assert through_hot[0]["type"] == "http.response.start"


async def test_the_hot_routes_do_not_reach_starlette() -> None:
    reached: list[str] = []

    async def inner(scope: dict[str, Any], _receive: Any, _send: Any) -> None:
        reached.append(f"{scope['method']} {scope['path']}")

    hot = HotRoutes(inner, _context())
    valid = json.dumps(p.ordinary_in()).encode()
    await _call(hot, "POST", f"{API}/declarations", valid, _headers("all"))
    await _call(hot, "GET", f"{API}/declarations/{_first_id()}", b"", _headers("all"))
    assert reached == []
    await _call(hot, "HEAD", f"{API}/declarations/1", b"", _headers("all"))
    await _call(hot, "GET", f"{API}/declarations/", b"", _headers("all"))
    await _call(hot, "POST", f"{API}/declarations/search", b"{}", _headers("all"))
    assert reached == [
        f"HEAD {API}/declarations/1",
        f"GET {API}/declarations/",
        f"POST {API}/declarations/search",
    ]


@pytest.mark.parametrize("path", [f"{API}/declarations", "/admin/health"])
async def test_a_failing_handler_gives_a_500_problem_and_is_not_counted(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = _context()
    app = build_app(context)
    assert isinstance(app, EdgeMiddleware)

    def fail(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    fails: Callable[..., None] = fail
    monkeypatch.setattr(context.service, "submit", fails)
    monkeypatch.setattr("adapter.sandbox.admin.json_response", fails)
    method = "POST" if path.endswith("declarations") else "GET"
    body = json.dumps(p.ordinary_in()).encode()
    sent: list[Message] = []
    with pytest.raises(RuntimeError, match="boom"):
        await _call(app, method, path, body, _headers("all"), into=sent)
    assert sent[0]["status"] == 500
    assert json.loads(sent[1]["body"])["type"] == "urn:problem-type:belgif:internalServerError"
    assert len(sent) == 2  # one answer, not two
    rendered = context.metrics.render().decode()
    assert 'status="500"' not in rendered


def test_the_server_runs_on_uvloop_when_installed() -> None:
    uvloop = pytest.importorskip("uvloop")
    config = uvicorn_config(SandboxConfig(port=0))
    factory = config.get_loop_factory()
    assert factory is not None
    loop = factory()
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()
