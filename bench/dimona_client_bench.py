"""Micro-benchmark of the Dimona REST client's transports (``make bench``).

A tiny HTTP/1.1 server (raw asyncio protocol, keep-alive) runs in a subprocess and answers
``POST /declarations`` with ``201 Created`` + ``Location``, ``GET /declarations/{id}`` with a
200 answer (accepted, a period, one warning) and the token endpoint with a token, either at once
or after 50 ms. The client process drives ``DimonaRestClient.submit_body`` (call ``submit``) or
``get_answer`` (call ``get_answer``) with N workers in a loop for a fixed time and reports
requests/s and client CPU per request (``time.process_time``, this process only). On a machine
with two or more CPUs the client is pinned to CPU 0 and the server to CPU 1.

    uv run python bench/dimona_client_bench.py [--seconds 3] [--inflight 1,30,200]
        [--delays 0,50] [--calls submit,get_answer]
        [--transports httpx,httpx-pool,httpx-pool/10,aiohttp-httpx,aiohttp,raw,
                      bare-aiohttp,bare-raw]

``httpx-pool/10`` = the httpx-pool transport with at most 10 requests per client (default 30).
``aiohttp`` is the default transport: the two hot calls on the lean path (aiohttp directly);
``aiohttp-httpx`` is the same transport with the hot calls through httpx (``lean=False``, the
path before the lean one); ``raw`` the two hot calls on raw HTTP/1.1 connections parsed by
httptools (``raw.py``); ``bare-aiohttp`` is a plain ``aiohttp.ClientSession`` sending the same
request and reading the answer, without the client (no token, limiter, slot, parsing): the floor;
``bare-raw`` the same with ``raw.RawHttp`` alone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

TOKEN_BODY = b'{"access_token":"bench","token_type":"Bearer","expires_in":3600}'
CREATED = (
    b"HTTP/1.1 201 Created\r\nLocation: /REST/dimona/v2/declarations/656309300157\r\n"
    b"Content-Length: 0\r\nConnection: keep-alive\r\n\r\n"
)
TOKEN = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
    + str(len(TOKEN_BODY)).encode()
    + b"\r\n\r\n"
    + TOKEN_BODY
)
ANSWER_BODY = (
    b'{"declarationStatus":{"declarationId":656309300157,"result":"W",'
    b'"period":{"id":656309300158},"anomalies":[{"errorId":"90017-510","severity":"NP",'
    b'"labelFr":"Avertissement","labelNl":"Waarschuwing"}]}}'
)
ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
    + str(len(ANSWER_BODY)).encode()
    + b"\r\n\r\n"
    + ANSWER_BODY
)
BODY = {
    "employer": {"employerId": 123456749},
    "worker": {"ssin": "90051512391"},
    "dimonaIn": {
        "startDate": "2026-03-02",
        "features": {"jointCommissionNumber": "XXX", "workerType": "OTH"},
    },
}


def _pin(cpu: int) -> None:
    with contextlib.suppress(AttributeError, OSError):
        if len(os.sched_getaffinity(0)) > 1:
            os.sched_setaffinity(0, {cpu})


# -- server -------------------------------------------------------------------------------------


class _Protocol(asyncio.Protocol):
    delay = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head = self.buffer[:end].lower()
            length = 0
            if (at := head.find(b"content-length:")) >= 0:
                length = int(head[at + 15 :].split(b"\r\n", 1)[0])
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            request_line = head.split(b"\r\n", 1)[0]
            if b"/token" in request_line:
                answer = TOKEN
            elif request_line.startswith(b"get "):
                answer = ANSWER
            else:
                answer = CREATED
            if self.delay:
                asyncio.get_running_loop().call_later(self.delay, self._write, answer)
            else:
                self._write(answer)

    def _write(self, answer: bytes) -> None:
        if not self.transport.is_closing():
            self.transport.write(answer)


async def _serve(port: int, delay_ms: float) -> None:
    _Protocol.delay = delay_ms / 1000
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Protocol, "127.0.0.1", port, backlog=4096)
    async with server:
        await server.serve_forever()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_server(delay_ms: float) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(port), str(delay_ms)],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return process, port
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("bench server did not start")


# -- client -------------------------------------------------------------------------------------


async def _drive(
    call: Callable[[], Awaitable[object]], inflight: int, seconds: float
) -> tuple[float, float]:
    await asyncio.gather(*(call() for _ in range(inflight)))  # warm up
    count = 0
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal count
        while time.perf_counter() < stop:
            await call()
            count += 1

    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(inflight)))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return count / wall, cpu / count * 1e6


async def _measure_bare(port: int, call: str, inflight: int, seconds: float) -> tuple[float, float]:
    import aiohttp

    url = f"http://127.0.0.1:{port}/REST/dimona/v2/declarations"
    data = json.dumps(BODY, separators=(",", ":")).encode()
    headers = {"Authorization": "Bearer bench", "Content-Type": "application/json"}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=inflight)) as session:

        async def once() -> bytes:
            if call == "submit":
                request = session.post(url, data=data, headers=headers, allow_redirects=False)
            else:
                request = session.get(f"{url}/656309300157", headers=headers)
            async with request as response:
                return await response.read()

        return await _drive(once, inflight, seconds)


async def _measure_bare_raw(
    port: int, call: str, inflight: int, seconds: float
) -> tuple[float, float]:
    from adapter.edges.dimona_rest.lean import render_json
    from adapter.edges.dimona_rest.raw import RawHttp

    url = f"http://127.0.0.1:{port}/REST/dimona/v2/declarations"
    data = render_json(BODY)
    raw = RawHttp(
        url,
        limit=inflight,
        connect_timeout_s=5,
        read_timeout_s=30,
        pool_timeout_s=60,
        user_agent="dimona-adapter",
    )

    async def once() -> object:
        if call == "submit":
            return await raw.exchange("POST", url, token="bench", body=data)
        return await raw.exchange("GET", f"{url}/656309300157", token="bench")

    try:
        return await _drive(once, inflight, seconds)
    finally:
        await raw.aclose()


async def _measure(
    port: int, transport: str, call: str, inflight: int, seconds: float, keys: Path
) -> tuple[float, float]:
    from adapter.edges.dimona_rest.client import DimonaRestClient
    from adapter.edges.dimona_rest.config import DimonaRestConfig

    if transport == "bare-aiohttp":
        return await _measure_bare(port, call, inflight, seconds)
    if transport == "bare-raw":
        return await _measure_bare_raw(port, call, inflight, seconds)
    transport, _, per_client = transport.partition("/")
    lean = transport != "aiohttp-httpx"
    root = f"http://127.0.0.1:{port}"
    config = DimonaRestConfig(
        base_url=f"{root}/REST/dimona/v2",
        token_url=f"{root}/REST/oauth/v5/token",
        client_id="bench",
        private_key_path=keys,
        transport="aiohttp" if transport == "aiohttp-httpx" else transport,
        max_in_flight=inflight,
        max_per_client=int(per_client or 30),
        read_timeout_s=30,
        pool_timeout_s=60,
    )
    async with DimonaRestClient.from_config(config, lean=lean) as client:
        if call == "submit":
            return await _drive(lambda: client.submit_body(BODY), inflight, seconds)
        return await _drive(lambda: client.get_answer(656309300157), inflight, seconds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", nargs=2, metavar=("PORT", "DELAY_MS"))
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", "3"))
    )
    parser.add_argument("--inflight", default="1,30,200")
    parser.add_argument("--delays", default="0,50")
    parser.add_argument("--calls", default="submit,get_answer")
    parser.add_argument(
        "--transports",
        default="httpx,httpx-pool,httpx-pool/10,aiohttp-httpx,aiohttp,raw,bare-aiohttp,bare-raw",
    )
    parser.add_argument("--output", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    if args.serve:
        _pin(1)
        asyncio.run(_serve(int(args.serve[0]), float(args.serve[1])))
        return
    _pin(0)
    from adapter.edges.dimona_rest.keys import create_key_pair

    with tempfile.TemporaryDirectory() as tmp:
        keys = create_key_pair(Path(tmp), "bench").private_key
        python = sys.version.split()[0]
        lines = [
            f"# Dimona client transports, {args.seconds:g} s per cell, python {python}",
            "| transport | call | in flight | remote delay | requests/s | client CPU per request |",
            "|---|---|---|---|---|---|",
        ]
        print("\n".join(lines), flush=True)
        for delay in (float(d) for d in args.delays.split(",")):
            server, port = _start_server(delay)
            try:
                for call in args.calls.split(","):
                    for transport in args.transports.split(","):
                        for inflight in (int(n) for n in args.inflight.split(",")):
                            rate, cpu_us = asyncio.run(
                                _measure(port, transport, call, inflight, args.seconds, keys)
                            )
                            cells = [transport, call, inflight, f"{delay:g} ms", f"{rate:,.0f}"]
                            cells.append(f"{cpu_us:,.0f} µs")
                            lines.append("| " + " | ".join(map(str, cells)) + " |")
                            print(lines[-1], flush=True)
            finally:
                server.terminate()
                server.wait()
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
