"""The Confluent framing against an HTTP fake of the Schema Registry API (confluent-kafka's
mock:// client cannot serve subject lookups), over httpx.MockTransport, plus one real socket.

What issue 11 (point 7) asks of it: the registry is only called from coroutines, so a slow
registry never blocks the loop; ``prepare`` raises ``TransientError`` on an outage (the batch
is retried) and succeeds once the registry is back; ``decode`` and ``encode`` never do I/O; an
id the registry does not know is undecodable, not transient.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import socket
import time
from datetime import date
from typing import Any

import httpx
import pytest

from adapter.bootstrap import EVENT_SCHEMA, STATUS_SCHEMA, record_codec, register_writer
from adapter.core.errors import FatalConfiguration, TransientError, UndecodableMessage
from adapter.core.events import EmploymentEvent
from adapter.demo_events import hire, ssin_for
from adapter.edges.avro.registry import SchemaRegistryCodec
from adapter.settings import EncodingSettings, Settings

SUBJECT = "hr.employment.events-value"


def record() -> dict[str, Any]:
    return EmploymentEvent.model_validate(
        hire("E-1", ssin_for(1), date(2026, 12, 1))
    ).to_avro_record()


Fault = httpx.Response | Exception


class FakeRegistry:
    """The two endpoints of the Schema Registry REST API the codec uses.

    ``faults`` are served (or raised) in order, one per request, before normal service
    resumes; with ``down`` every request fails the test; with ``gate`` set, a request waits
    for it (``entered`` tells that one arrived).
    """

    def __init__(self) -> None:
        self.schemas: dict[int, str] = {}
        self.subjects: dict[str, list[int]] = {}
        self.requests: list[str] = []
        self.timeouts: list[object] = []
        self.faults: list[Fault] = []
        self.down = False
        self.gate: asyncio.Event | None = None
        self.entered = asyncio.Event()

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def add(self, schema: dict[str, Any] | str) -> int:
        """A schema registered by someone else (another producer)."""
        text = schema if isinstance(schema, str) else json.dumps(schema)
        schema_id = len(self.schemas) + 1
        self.schemas[schema_id] = text
        return schema_id

    async def handle(self, request: httpx.Request) -> httpx.Response:
        assert not self.down, f"no registry call expected, got {request.method} {request.url}"
        self.requests.append(f"{request.method} {request.url.path}")
        self.timeouts.append(request.extensions.get("timeout"))
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.faults:
            fault = self.faults.pop(0)
            if isinstance(fault, Exception):
                raise fault
            return fault
        parts = request.url.path.strip("/").split("/")
        if request.method == "POST" and parts[0] == "subjects" and parts[2] == "versions":
            schema = json.loads(request.content)["schema"]
            existing = next((i for i, s in self.schemas.items() if s == schema), None)
            schema_id = existing or self.add(schema)
            self.subjects.setdefault(parts[1], []).append(schema_id)
            return httpx.Response(200, json={"id": schema_id})
        if request.method == "GET" and parts[:2] == ["schemas", "ids"]:
            found = self.schemas.get(int(parts[2]))
            if found is None:
                return httpx.Response(
                    404, json={"error_code": 40403, "message": "Schema not found"}
                )
            return httpx.Response(200, json={"schema": found})
        return httpx.Response(404)


@pytest.fixture
def registry() -> FakeRegistry:
    return FakeRegistry()


def codec(registry: FakeRegistry, **options: Any) -> SchemaRegistryCodec:
    return SchemaRegistryCodec(
        EVENT_SCHEMA,
        registry_url="http://registry",
        subject=SUBJECT,
        transport=registry.transport(),
        **options,
    )


async def written(registry: FakeRegistry) -> bytes:
    """A record framed by another producer of the topic."""
    writer = codec(registry)
    await writer.register_writer()
    payload = writer.encode(record())
    await writer.aclose()
    registry.requests.clear()
    return payload


def framed(schema_id: int, body: bytes = b"body") -> bytes:
    return b"\x00" + schema_id.to_bytes(4, "big") + body


async def test_round_trip_registers_once_and_caches(registry: FakeRegistry) -> None:
    writer, reader = codec(registry), codec(registry)
    assert await writer.register_writer() == 1
    assert await writer.register_writer() == 1
    first, second = writer.encode(record()), writer.encode(record())
    assert first[0] == 0
    assert int.from_bytes(first[1:5], "big") == 1
    await reader.prepare([first, second, None])
    await reader.prepare([first])
    assert reader.decode(first)["employmentId"] == "E-1"
    assert reader.decode(second)["employmentId"] == "E-1"
    assert registry.requests == [f"POST /subjects/{SUBJECT}/versions", "GET /schemas/ids/1"]
    await writer.aclose()
    await reader.aclose()


def _in_a_minute() -> str:
    return email.utils.formatdate(time.time() + 60, usegmt=True)


@pytest.mark.parametrize(
    ("fault", "retry_after"),
    [
        (httpx.Response(503, headers={"Retry-After": "7"}), 7.0),
        (httpx.Response(500), None),
        (httpx.Response(502, text="<html>bad gateway</html>"), None),
        (httpx.Response(429, headers={"Retry-After": "3"}), 3.0),
        (httpx.Response(429, headers={"Retry-After": _in_a_minute()}), "about a minute"),
        (httpx.Response(200, text="<html>proxy error page</html>"), None),
        (httpx.ConnectError("[Errno 111] Connection refused"), None),
        (httpx.ReadTimeout("timed out"), None),
        (httpx.ConnectTimeout("timed out"), None),
    ],
    ids=[
        "503-retry-after",
        "500",
        "502",
        "429",
        "429-http-date",
        "not-json",
        "connection-refused",
        "read-timeout",
        "connect-timeout",
    ],
)
async def test_prepare_raises_transient_during_an_outage_and_succeeds_afterwards(
    registry: FakeRegistry, fault: Fault, retry_after: float | str | None
) -> None:
    payload = await written(registry)
    reader = codec(registry)
    registry.faults = [fault]
    with pytest.raises(TransientError) as raised:
        await reader.prepare([payload])
    if retry_after == "about a minute":
        assert raised.value.retry_after is not None
        assert 0 < raised.value.retry_after <= 60
    else:
        assert raised.value.retry_after == retry_after
    with pytest.raises(TransientError, match="not resolved"):
        reader.decode(payload)  # still unknown: the caller retries the batch, nothing is lost
    await reader.prepare([payload])  # the registry is back
    assert reader.decode(payload)["employmentId"] == "E-1"
    assert registry.requests == ["GET /schemas/ids/1", "GET /schemas/ids/1"]
    await reader.aclose()


async def test_connection_refused_by_a_real_socket_is_transient_and_hides_the_url() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    reader = SchemaRegistryCodec(
        EVENT_SCHEMA, registry_url=f"http://user:s3cret@127.0.0.1:{port}", subject=SUBJECT
    )
    with pytest.raises(TransientError, match="unreachable") as raised:
        await reader.prepare([framed(1)])
    assert "s3cret" not in str(raised.value)
    with pytest.raises(TransientError):
        await reader.register_writer()
    await reader.aclose()


async def test_decode_after_prepare_does_no_io(registry: FakeRegistry) -> None:
    payload = await written(registry)
    reader = codec(registry)
    await reader.prepare([payload, framed(9), payload])
    seen = list(registry.requests)
    registry.down = True  # any request from here on fails the test
    for _ in range(3):
        assert reader.decode(payload)["employmentId"] == "E-1"
    with pytest.raises(UndecodableMessage, match="does not know id 9"):
        reader.decode(framed(9))
    with pytest.raises(TransientError, match="not resolved"):
        reader.decode(framed(5))  # never prepared: no lookup from decode, ever
    with pytest.raises(UndecodableMessage, match="magic byte"):
        reader.decode(b"\xc3\x01whatever")
    assert registry.requests == seen == ["GET /schemas/ids/1", "GET /schemas/ids/9"]
    await reader.aclose()


async def test_an_unknown_id_is_undecodable_until_the_registry_knows_it(
    registry: FakeRegistry,
) -> None:
    reader = codec(registry)
    await reader.prepare([framed(7)])  # a 404 is no outage: prepare succeeds
    with pytest.raises(UndecodableMessage, match="does not know"):
        reader.decode(framed(7))
    payload = await written(registry)  # id 1
    for _ in range(6):
        registry.add({"type": "string"})  # ids 2..7
    await reader.prepare([payload, framed(7)])
    assert reader.decode(payload)["employmentId"] == "E-1"
    with pytest.raises(UndecodableMessage, match="do not decode"):
        reader.decode(framed(7))  # known now, but a string schema, not an employment event
    await reader.aclose()


async def test_a_registry_schema_that_is_not_avro_is_undecodable(registry: FakeRegistry) -> None:
    schema_id = registry.add('syntax = "proto3"; message Employment {}')
    reader = codec(registry)
    await reader.prepare([framed(schema_id)])
    with pytest.raises(UndecodableMessage, match="not Avro"):
        reader.decode(framed(schema_id))
    await reader.aclose()


async def test_a_refusal_of_the_registry_is_a_configuration_error(registry: FakeRegistry) -> None:
    reader = codec(registry)
    registry.faults = [httpx.Response(401, json={"error_code": 401, "message": "Unauthorized"})]
    with pytest.raises(FatalConfiguration, match="401"):
        await reader.prepare([framed(1)])
    registry.faults = [httpx.Response(409, json={"error_code": 409, "message": "incompatible"})]
    with pytest.raises(FatalConfiguration, match="409"):
        await reader.register_writer()
    await reader.aclose()


async def test_prepare_never_blocks_the_loop(registry: FakeRegistry) -> None:
    payload = await written(registry)
    reader = codec(registry)
    registry.gate = asyncio.Event()
    registry.entered.clear()
    preparing = asyncio.create_task(reader.prepare([payload]))
    await registry.entered.wait()  # the loop runs this test while the lookup is in flight
    assert not preparing.done()
    registry.gate.set()
    await preparing
    assert reader.decode(payload)["employmentId"] == "E-1"
    await reader.aclose()


async def test_every_request_has_the_timeout(registry: FakeRegistry) -> None:
    reader = codec(registry, timeout_s=2.5)
    await reader.register_writer()
    await reader.prepare([framed(3)])
    limits = {"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5}
    assert registry.timeouts == [limits, limits]
    await reader.aclose()


async def test_encode_uses_the_id_resolved_once_and_never_calls_the_registry(
    registry: FakeRegistry,
) -> None:
    writer = codec(registry)
    with pytest.raises(TransientError, match="not registered"):
        writer.encode(record())
    assert registry.requests == []
    registry.faults = [httpx.Response(503)]
    with pytest.raises(TransientError):
        await writer.register_writer()
    await writer.register_writer()
    registry.down = True
    payloads = [writer.encode(record()) for _ in range(3)]
    assert {p[:5] for p in payloads} == {b"\x00\x00\x00\x00\x01"}
    assert writer.decode(payloads[0])["employmentId"] == "E-1"  # its own schema is cached
    await writer.aclose()


async def test_start_up_waits_out_a_registry_outage(registry: FakeRegistry) -> None:
    writer = codec(registry)
    registry.faults = [
        httpx.Response(503, headers={"Retry-After": "0"}),
        httpx.Response(429, headers={"Retry-After": "0"}),
    ]
    assert await register_writer(writer)
    assert registry.requests == [f"POST /subjects/{SUBJECT}/versions"] * 3
    assert writer.encode(record())[:5] == b"\x00\x00\x00\x00\x01"
    await writer.aclose()


async def test_a_stop_ends_the_start_up_wait_for_the_registry(registry: FakeRegistry) -> None:
    """SIGTERM while the registry is down at start-up: the wait ends, nothing starts."""
    writer = codec(registry)
    registry.faults = [httpx.Response(503, headers={"Retry-After": "30"})] * 5
    stopping = asyncio.Event()
    waiting = asyncio.create_task(register_writer(writer, stopping))
    while not registry.requests:  # noqa: ASYNC110 - the fake has no event for this
        await asyncio.sleep(0.01)
    stopping.set()
    assert await asyncio.wait_for(waiting, 5) is False
    await writer.aclose()


async def test_the_settings_reach_the_registry_codec() -> None:
    settings = Settings(
        encoding=EncodingSettings(
            format="confluent", schema_registry_url="http://r:8081", schema_registry_timeout_s=1.5
        )
    )
    for family, topic in ((EVENT_SCHEMA, "in"), (STATUS_SCHEMA, "out")):
        made = record_codec(settings, family, topic)
        assert isinstance(made, SchemaRegistryCodec)
        assert made.subject == f"{topic}-value"
        assert made.timeout_s == 1.5
        await made.aclose()
    assert Settings().encoding.schema_registry_timeout_s == 5.0
