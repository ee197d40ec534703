"""Throughput of the Dimona sandbox on loopback: requests/s and sandbox CPU per request.

    uv run python bench/sandbox_throughput.py [--seconds 10] [--concurrency 200] [--latency-ms 50]
        [--routes both|post|get] [--processing-delay S --poll-interval S] [--rate N]
        [--checkout PATH --checkout PATH --repeat K]

Starts the sandbox as a subprocess (processing delay 0 unless asked), registers a client, takes
one token, then runs ``concurrency`` keep-alive connections. Each does what the adapter does per
declaration: POST /declarations (an IN for a fresh worker), then GET /declarations/{id} until it
is processed (404 while pending; with processing delay 0 the first GET is a 200).
``--routes post`` / ``get`` measure one route alone (``get`` reads declarations processed during
the warm-up). ``--rate`` offers a fixed load, so that CPU per request is compared at equal
throughput. ``--checkout`` runs the sandbox of another checkout (for a before/after in one run).
The load generator is a minimal asyncio HTTP/1.1 client so that it, not the sandbox, stays
cheap. CPU is read from /proc for the sandbox process only.
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


class _Load:
    """What every simulated client shares: the offered rate, counters and statuses."""

    def __init__(self, host: str, port: int, token: str, options: argparse.Namespace) -> None:
        self.host, self.port, self.options = host, port, options
        self.auth = f"Authorization: Bearer {token}\r\n".encode()
        self.start = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()
        self.requests = 0
        self.statuses: dict[int, int] = {}
        self.next_ssin = 0
        self.locations: list[bytes] = []  # processed declarations, for --routes get
        self.slots = 0
        self.begin = time.monotonic()

    async def pace(self) -> None:
        """With --rate, wait for this declaration's slot (open loop, shared by all clients)."""
        rate = self.options.rate
        if rate:
            self.slots += 1
            delay = self.begin + self.slots / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)

    def count(self, status: int) -> None:
        self.requests += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def post(self) -> tuple[bytes, bytes]:
        self.next_ssin += 1
        body = json.dumps({
            "employer": {"employerId": 123456749},
            "worker": {"ssin": _ssin(self.next_ssin)},
            "dimonaIn": {"startDate": self.start,
                         "features": {"jointCommissionNumber": "XXX", "workerType": "OTH"}},
        }).encode()  # fmt: skip
        head = (
            b"POST /REST/dimona/v2/declarations HTTP/1.1\r\nHost: %s:%d\r\n"
            % (self.host.encode(), self.port)
            + self.auth
            + b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
        )
        return head, body

    def get(self, location: bytes) -> bytes:
        path = location.split(b"//", 1)[-1].partition(b"/")[2]
        host = b"Host: %s:%d\r\n" % (self.host.encode(), self.port)
        return b"GET /%s HTTP/1.1\r\n" % path + host + self.auth + b"\r\n"


async def _declare(load: _Load, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """POST one declaration, then GET it as the adapter polls: 404 while pending, then 200."""
    status, location = await _request(reader, writer, *load.post())
    load.count(status)
    if status != 201 or load.options.routes == "post":
        return
    if load.options.processing_delay:
        await asyncio.sleep(load.options.processing_delay)
    get = load.get(location)
    while True:
        status, _ = await _request(reader, writer, get, b"")
        load.count(status)
        if status != 404:
            break
        await asyncio.sleep(load.options.poll_interval)
    if status == 200 and len(load.locations) < 100_000:
        load.locations.append(location)


async def _worker(load: _Load, stop_at: float, index: int) -> None:
    reader, writer = await asyncio.open_connection(load.host, load.port)
    try:
        while time.monotonic() < stop_at:
            await load.pace()
            if load.options.routes == "get" and load.locations:
                location = load.locations[(index + load.requests) % len(load.locations)]
                status, _ = await _request(reader, writer, load.get(location), b"")
                load.count(status)
            else:
                await _declare(load, reader, writer)
            index += 1
    finally:
        writer.close()


async def _load(load: _Load, seconds: float) -> None:
    load.requests, load.statuses = 0, {}
    load.slots, load.begin = 0, time.monotonic()
    stop_at = time.monotonic() + seconds
    concurrency = load.options.concurrency
    await asyncio.gather(*(_worker(load, stop_at, i) for i in range(concurrency)))


def run(options: argparse.Namespace, latency_ms: float, checkout: Path) -> dict[str, object]:
    key, pem = _identity()
    clients = [{"clientId": CLIENT_ID, "certificatePem": pem, "employers": None}]
    sandbox = SandboxProcess(
        processing_delay=options.processing_delay, latency_ms=latency_ms, clients=clients,
        state=options.state,
    )  # fmt: skip
    here = Path.cwd()
    os.chdir(checkout)  # ``python -m adapter.sandbox`` imports the checkout it starts in
    try:
        sandbox.start()
    except BaseException:
        sandbox.close()
        raise
    finally:
        os.chdir(here)
    try:
        assert sandbox.process is not None
        assert sandbox.port is not None
        load = _Load(sandbox.host, sandbox.port, _token(sandbox, key), options)
        warm_up = options
        if options.routes == "get":  # declarations to read: POST + GET them first
            warm_up = argparse.Namespace(**{**vars(options), "routes": "both", "rate": 0})
        load.options = warm_up
        asyncio.run(_load(load, 1.0 if options.routes != "get" else 3.0))
        load.options = options
        cpu_before = _cpu_seconds(sandbox.process.pid)
        wall_before = time.monotonic()
        asyncio.run(_load(load, options.seconds))
        wall = time.monotonic() - wall_before
        cpu = _cpu_seconds(sandbox.process.pid) - cpu_before
    finally:
        sandbox.close()
    requests = load.requests
    return {
        "checkout": str(checkout),
        "routes": options.routes,
        "latency_ms": latency_ms,
        "processing_delay": options.processing_delay,
        "state": options.state,
        "concurrency": options.concurrency,
        "offered_declarations_per_s": options.rate or None,
        "seconds": round(wall, 2),
        "requests": requests,
        "requests_per_s": round(requests / wall, 1),
        "sandbox_cpu_s": round(cpu, 2),
        "sandbox_cpu_utilisation": round(cpu / wall, 2),
        "cpu_us_per_request": round(cpu / max(requests, 1) * 1e6, 1),
        "statuses": load.statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, action="append")
    parser.add_argument("--state", default="memory", help="memory or a PATH.sqlite")
    parser.add_argument(
        "--routes", choices=["both", "post", "get"], default="both",
        help="both: POST then GET each declaration; post: POST only; get: GET processed ones",
    )  # fmt: skip
    parser.add_argument(
        "--processing-delay", type=float, default=0.0, metavar="S",
        help="sandbox processing delay; clients wait S, then poll GET (404 pending, then 200)",
    )  # fmt: skip
    parser.add_argument("--poll-interval", type=float, default=0.1, metavar="S")
    parser.add_argument(
        "--rate", type=float, default=0.0, metavar="N",
        help="offered load, declarations (or GETs) per second over all clients; 0 = flat out",
    )  # fmt: skip
    parser.add_argument(
        "--checkout", type=Path, action="append", metavar="PATH",
        help="run the sandbox of this checkout (repeatable: the runs alternate, for A/B)",
    )  # fmt: skip
    parser.add_argument("--repeat", type=int, default=1, help="rounds over the checkouts")
    args = parser.parse_args()
    checkouts = [c.resolve() for c in args.checkout or [Path.cwd()]]
    for _ in range(args.repeat):
        for latency in args.latency_ms or [0.0, 50.0]:
            for checkout in checkouts:
                if args.state != "memory":
                    Path(args.state).unlink(missing_ok=True)
                print(json.dumps(run(args, latency, checkout)), flush=True)


if __name__ == "__main__":
    main()
