"""The ``raw`` hot path (``raw.RawHttp``) over real sockets: framing (chunked, split across
segments, up to EOF), keep-alive (reuse, ``Connection: close``, idle expiry, a stale kept-alive
connection), TLS, and the exact reading of each failure (sent or never sent)."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import json
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from adapter.edges.dimona_rest.classify import request_was_sent
from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.dimona_rest.errors import DimonaTransientError, DimonaUncertainSubmission
from adapter.edges.dimona_rest.raw import RawHttp
from adapter.edges.dimona_rest.token import TokenProvider

from .loopback import CLOSE, CREATED, SILENT, Cut, LoopbackServer, http_answer
from .loopback import loopback_client as _client

ANSWER = {"declarationStatus": {"declarationId": 42, "result": "A", "period": {"id": 43}}}
ANSWER_BYTES = json.dumps(ANSWER).encode()


def _chunked(body: bytes, size: int = 7) -> bytes:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    head += b"Transfer-Encoding: chunked\r\n\r\n"
    pieces = [body[i : i + size] for i in range(0, len(body), size)]
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces)
    return head + chunks + b"0\r\n\r\n"


@pytest.fixture
async def server() -> AsyncIterator[LoopbackServer]:
    srv = LoopbackServer()
    await srv.start()
    yield srv
    await srv.stop()


def _raw(port: int, *, scheme: str = "http", **options: object) -> RawHttp:
    settings: dict[str, object] = {
        "limit": 4,
        "connect_timeout_s": 0.5,
        "read_timeout_s": 0.5,
        "pool_timeout_s": 0.5,
        "user_agent": "dimona-adapter",
    }
    settings.update(options)
    return RawHttp(f"{scheme}://127.0.0.1:{port}/REST/dimona/v2", **settings)  # type: ignore[arg-type]


def _url(port: int, scheme: str = "http") -> str:
    return f"{scheme}://127.0.0.1:{port}/REST/dimona/v2/declarations/42"


@pytest.mark.parametrize("segment_size", [0, 3, 10])
async def test_a_chunked_answer_is_read_however_it_is_cut(
    config: DimonaRestConfig, tokens: TokenProvider, server: LoopbackServer, segment_size: int
) -> None:
    server.segment_size = segment_size
    server.script(_chunked(ANSWER_BYTES))
    async with _client(config, tokens, server.port, "raw") as dimona:
        answer = await dimona.get_answer(42)
    assert answer is not None
    assert answer.period_id == 43


async def test_an_answer_split_across_many_segments_is_read(server: LoopbackServer) -> None:
    server.segment_size = 3
    server.script(http_answer(429, {"Retry-After": "7", "Content-Type": "x/y"}, b"0123456789"))
    raw = _raw(server.port)
    try:
        answer = await raw.exchange("GET", _url(server.port), token="t")
    finally:
        await raw.aclose()
    assert (answer.status, answer.content) == (429, b"0123456789")
    assert (answer.headers["retry-after"], answer.headers["content-type"]) == ("7", "x/y")


async def test_sequential_requests_share_one_connection(
    config: DimonaRestConfig, tokens: TokenProvider, server: LoopbackServer
) -> None:
    server.script(*[CREATED, http_answer(404)] * 3)
    async with _client(config, tokens, server.port, "raw") as dimona:
        for _ in range(3):
            assert await dimona.submit_body({"x": 1}) == 42
            assert await dimona.get_answer(42) is None
    assert server.connections == 1
    assert server.methods == ["POST", "GET"] * 3
    assert server.received[0].headers["host"] == f"127.0.0.1:{server.port}"


async def test_connection_close_drops_the_connection(server: LoopbackServer) -> None:
    server.script(http_answer(404, {"Connection": "close"}), http_answer(404))
    raw = _raw(server.port)
    try:
        assert (await raw.exchange("GET", _url(server.port), token="t")).status == 404
        assert raw.open_connections == 0
        assert (await raw.exchange("GET", _url(server.port), token="t")).status == 404
        assert raw.open_connections == 1
    finally:
        await raw.aclose()
    assert server.connections == 2
    assert raw.connections_made == 2


async def test_an_answer_ended_by_the_connection_is_read(server: LoopbackServer) -> None:
    server.script(Cut(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + ANSWER_BYTES))
    raw = _raw(server.port)
    try:
        answer = await raw.exchange("GET", _url(server.port), token="t")
        assert raw.open_connections == 0
    finally:
        await raw.aclose()
    assert (answer.status, answer.content) == (200, ANSWER_BYTES)


async def test_idle_connections_expire(server: LoopbackServer) -> None:
    server.script(http_answer(404))
    raw = _raw(server.port, keepalive_s=0.05)
    try:
        await raw.exchange("GET", _url(server.port), token="t")
        assert raw.open_connections == 1
        await asyncio.sleep(0.2)
        assert raw.open_connections == 0  # closed by the sweep, not at the next request
        await raw.exchange("GET", _url(server.port), token="t")
    finally:
        await raw.aclose()
    assert server.connections == 2


async def test_an_idle_connection_closed_by_the_server_is_forgotten(
    server: LoopbackServer,
) -> None:
    server.script(Cut(http_answer(201, {"Location": "/d/42"})), http_answer(404))
    raw = _raw(server.port)
    try:
        await raw.exchange("POST", _url(server.port), token="t", body=b"{}")
        await asyncio.sleep(0.05)
        assert raw.open_connections == 0
        assert (await raw.exchange("POST", _url(server.port), token="t", body=b"{}")).status == 404
    finally:
        await raw.aclose()
    assert server.methods == ["POST", "POST"]


async def test_a_get_on_a_stale_kept_alive_connection_is_repeated_once(
    config: DimonaRestConfig, tokens: TokenProvider, server: LoopbackServer
) -> None:
    server.script(http_answer(404), CLOSE, http_answer(404))
    async with _client(config, tokens, server.port, "raw") as dimona:
        assert await dimona.get_answer(42) is None
        assert await dimona.get_answer(42) is None  # read, dropped unanswered, then repeated
        assert dimona.request_count == 2
    assert server.methods == ["GET", "GET", "GET"]
    assert server.connections == 2


async def test_a_get_on_a_fresh_connection_is_not_repeated(
    config: DimonaRestConfig, tokens: TokenProvider, server: LoopbackServer
) -> None:
    server.script(CLOSE, http_answer(404))
    async with _client(config, tokens, server.port, "raw") as dimona:
        with pytest.raises(DimonaTransientError):
            await dimona.get_answer(42)
    assert server.methods == ["GET"]


@pytest.mark.parametrize(
    "reply",
    [
        b"garbage\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
        Cut(b"HTTP/1.1 201 Created\r\nLocation: /d/42\r\nContent-Length: 50\r\n\r\n{"),
        Cut(b"HTTP/1.1 201 Cre"),
    ],
)
async def test_a_malformed_or_cut_answer_is_uncertain_for_a_post_and_transient_for_a_get(
    config: DimonaRestConfig, tokens: TokenProvider, server: LoopbackServer, reply: bytes
) -> None:
    server.script(reply)
    async with _client(config, tokens, server.port, "raw") as dimona:
        with pytest.raises(DimonaUncertainSubmission):
            await dimona.submit_body({"x": 1})
        with pytest.raises(DimonaTransientError) as info:
            await dimona.get_answer(42)
        error = info.value
    assert not isinstance(error, DimonaUncertainSubmission)
    assert server.methods == ["POST", "GET"]


async def test_the_pool_waits_then_times_out_without_sending(server: LoopbackServer) -> None:
    server.script(SILENT)
    raw = _raw(server.port, limit=1, pool_timeout_s=0.05, read_timeout_s=1.0)
    try:
        first = asyncio.create_task(raw.exchange("GET", _url(server.port), token="t"))
        await asyncio.sleep(0.05)
        with pytest.raises(httpx.PoolTimeout) as info:
            await raw.exchange("POST", _url(server.port), token="t", body=b"{}")
        assert not request_was_sent(info.value)
        with pytest.raises(httpx.ReadTimeout) as read:
            await first
        assert request_was_sent(read.value)
    finally:
        await raw.aclose()
    assert server.methods == ["GET"]


async def test_a_waiting_request_gets_the_connection_released(server: LoopbackServer) -> None:
    server.script(http_answer(404))
    raw = _raw(server.port, limit=1)
    try:
        results = await asyncio.gather(
            *(raw.exchange("GET", _url(server.port), token="t") for _ in range(5))
        )
    finally:
        await raw.aclose()
    assert [r.status for r in results] == [404] * 5
    assert server.connections == 1


def test_the_request_is_written_at_once() -> None:
    raw = RawHttp(
        "https://onss.test/REST/dimona/v2",
        limit=1,
        connect_timeout_s=1,
        read_timeout_s=1,
        pool_timeout_s=1,
        user_agent="ua",
    )
    sent = raw.request_bytes("POST", "https://onss.test/REST/dimona/v2/declarations", "tok", b"{}")
    assert sent == (
        b"POST /REST/dimona/v2/declarations HTTP/1.1\r\nHost: onss.test\r\n"
        b"Accept: application/json\r\nUser-Agent: ua\r\nAuthorization: Bearer tok\r\n"
        b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
    )
    with pytest.raises(ValueError, match="origin"):
        raw.request_bytes("GET", "https://elsewhere.test/declarations/1", "tok", None)
    explicit = RawHttp(
        "https://onss.test:443/v2",
        limit=1,
        connect_timeout_s=1,
        read_timeout_s=1,
        pool_timeout_s=1,
        user_agent="ua",
    )
    assert b"\r\nHost: onss.test\r\n" in explicit.request_bytes(
        "GET", "https://onss.test:443/v2/declarations/1", "tok", None
    )


# -- TLS ---------------------------------------------------------------------------------------


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


async def test_tls_against_a_local_server(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(cert, key)
    server = LoopbackServer()
    await server.start(ssl=server_side)
    server.script(CREATED, _chunked(ANSWER_BYTES))
    trusting = ssl.create_default_context(cafile=str(cert))
    raw = _raw(server.port, scheme="https", ssl_context=trusting)
    untrusting = _raw(server.port, scheme="https", ssl_context=ssl.create_default_context())
    try:
        created = await raw.exchange("POST", _url(server.port, "https"), token="t", body=b"{}")
        answer = await raw.exchange("GET", _url(server.port, "https"), token="t")
        with pytest.raises(httpx.ConnectError) as info:  # an unknown certificate: never sent
            await untrusting.exchange("POST", _url(server.port, "https"), token="t", body=b"{}")
    finally:
        await raw.aclose()
        await untrusting.aclose()
        await server.stop()
    assert created.headers["location"] == "/REST/dimona/v2/declarations/42"
    assert json.loads(answer.content) == ANSWER
    assert not request_was_sent(info.value)
    assert server.methods == ["POST", "GET"]
    assert raw.connections_made == 1
