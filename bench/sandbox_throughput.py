"""Throughput of the Dimona sandbox on loopback: requests/s and sandbox CPU per request.

    uv run python bench/sandbox_throughput.py [--seconds 10] [--concurrency 200] [--latency-ms 50]

Starts the sandbox as a subprocess (processing delay 0), registers a client, takes one token,
then runs ``concurrency`` keep-alive connections, each repeating POST /declarations (an IN for a
fresh worker) + GET /declarations/{id}. The load generator is a minimal asyncio HTTP/1.1 client
so that it, not the sandbox, stays cheap. CPU is read from /proc for the sandbox process only.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import time
import uuid
from pathlib import Path

import httpx
import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from adapter.sandbox.process import SandboxProcess

CLIENT_ID = "self_service_chaman_bench_0001"


def _identity() -> tuple[rsa.RSAPrivateKey, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CLIENT_ID)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM).decode()


def _token(sandbox: SandboxProcess, key: rsa.RSAPrivateKey) -> str:
    now = int(time.time())
    claims = {"iss": CLIENT_ID, "sub": CLIENT_ID, "aud": sandbox.token_url,
              "jti": str(uuid.uuid4()), "iat": now, "exp": now + 300}  # fmt: skip
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": jwt.encode(claims, key, algorithm="RS256"),
    }
    response = httpx.post(sandbox.token_url, data=form)
    response.raise_for_status()
    return str(response.json()["access_token"])


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _ssin(n: int) -> str:
    base = 700_101_000 + n
    return f"{base:09d}{97 - base % 97:02d}"


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: bytes, body: bytes
) -> tuple[int, bytes]:
    writer.write(head + body)
    status_line = await reader.readline()
    length = 0
    location = b""
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        lowered = name.lower()
        if lowered == b"content-length":
            length = int(value)
        elif lowered == b"location":
            location = value.strip()
    if length:
        await reader.readexactly(length)
    return int(status_line.split()[1]), location


async def _worker(host: str, port: int, token: str, stop_at: float, counter: list[int],
                  statuses: dict[int, int], next_worker: list[int]) -> None:  # fmt: skip
    reader, writer = await asyncio.open_connection(host, port)
    auth = f"Authorization: Bearer {token}\r\n".encode()
    start = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()
    try:
        while time.monotonic() < stop_at:
            next_worker[0] += 1
            body = json.dumps({
                "employer": {"employerId": 123456749},
                "worker": {"ssin": _ssin(next_worker[0])},
                "dimonaIn": {"startDate": start,
                             "features": {"jointCommissionNumber": "XXX", "workerType": "OTH"}},
            }).encode()  # fmt: skip
            head = (
                b"POST /REST/dimona/v2/declarations HTTP/1.1\r\nHost: %s:%d\r\n"
                % (host.encode(), port)
                + auth
                + b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
            )
            status, location = await _request(reader, writer, head, body)
            statuses[status] = statuses.get(status, 0) + 1
            path = location.split(b"//", 1)[-1].partition(b"/")[2]
            get = (
                b"GET /%s HTTP/1.1\r\nHost: %s:%d\r\n" % (path, host.encode(), port)
                + auth
                + b"\r\n"
            )
            status, _ = await _request(reader, writer, get, b"")
            statuses[status] = statuses.get(status, 0) + 1
            counter[0] += 2
    finally:
        writer.close()


async def _load(
    host: str, port: int, token: str, seconds: float, concurrency: int
) -> tuple[int, dict[int, int]]:
    counter = [0]
    statuses: dict[int, int] = {}
    stop_at = time.monotonic() + seconds
    workers = [
        _worker(host, port, token, stop_at, counter, statuses, [i * 100_000])
        for i in range(concurrency)
    ]
    await asyncio.gather(*workers)
    return counter[0], statuses


def run(seconds: float, concurrency: int, latency_ms: float, state: str) -> dict[str, float]:
    key, pem = _identity()
    clients = [{"clientId": CLIENT_ID, "certificatePem": pem, "employers": None}]
    with SandboxProcess(
        processing_delay=0, latency_ms=latency_ms, clients=clients, state=state
    ) as sandbox:
        assert sandbox.process is not None
        assert sandbox.port is not None
        token = _token(sandbox, key)
        asyncio.run(_load(sandbox.host, sandbox.port, token, 1.0, concurrency))  # warm-up
        cpu_before = _cpu_seconds(sandbox.process.pid)
        wall_before = time.monotonic()
        requests, statuses = asyncio.run(
            _load(sandbox.host, sandbox.port, token, seconds, concurrency)
        )
        wall = time.monotonic() - wall_before
        cpu = _cpu_seconds(sandbox.process.pid) - cpu_before
    return {
        "latency_ms": latency_ms,
        "state": state,
        "concurrency": concurrency,
        "seconds": round(wall, 2),
        "requests": requests,
        "requests_per_s": round(requests / wall, 1),
        "declarations_per_s": round(requests / 2 / wall, 1),
        "sandbox_cpu_s": round(cpu, 2),
        "sandbox_cpu_utilisation": round(cpu / wall, 2),
        "cpu_us_per_request": round(cpu / max(requests, 1) * 1e6, 1),
        "statuses": statuses,  # type: ignore[dict-item]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, action="append")
    parser.add_argument("--state", default="memory", help="memory or a PATH.sqlite")
    args = parser.parse_args()
    for latency in args.latency_ms or [0.0, 50.0]:
        if args.state != "memory":
            Path(args.state).unlink(missing_ok=True)
        print(json.dumps(run(args.seconds, args.concurrency, latency, args.state)))


if __name__ == "__main__":
    main()
