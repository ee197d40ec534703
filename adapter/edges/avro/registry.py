"""Confluent Schema Registry wire format: ``00`` + 4-byte big-endian schema id + Avro body.

The enterprise option (``encoding.format = "confluent"``). The writer registers the newest
schema of the family under the subject ``<topic>-value`` (TopicNameStrategy) once, at
start-up, and caches the id; the reader fetches unknown ids once and resolves them against
the newest local schema, so producers may still write older versions.

The registry is only ever called from coroutines (``register_writer`` and ``prepare``), with
an async client and a timeout, so a slow or absent registry never blocks the event loop;
``encode`` and ``decode`` work from the caches alone and never do I/O. A registry that is
unreachable, times out, or answers 5xx or 429 raises ``TransientError`` (with the
``Retry-After`` it sent): the caller retries the batch. An id the registry does not know
(404) is not transient: ``decode`` rejects its records as undecodable.

Only the registry's REST API is used (``POST /subjects/{subject}/versions``,
``GET /schemas/ids/{id}``), through httpx; tests run against an HTTP fake of that API.
"""

from __future__ import annotations

import io
import json
import struct
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import fastavro
import httpx
from fastavro import schemaless_reader

from adapter.core.errors import FatalConfiguration, TransientError, UndecodableMessage
from adapter.edges.avro.codec import framed_writer
from adapter.edges.avro.schemas import SchemaVersion, schema_family
from adapter.edges.retry_after import retry_after_seconds

MAGIC = b"\x00"
_HEADER = struct.Struct(">bI")
CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"
_MAX_UNKNOWN = 1024
"""Ids remembered as unknown to the registry (each batch asks again for those it meets)."""


def schema_id_of(payload: bytes | None) -> int | None:
    """The schema id of a Confluent-framed payload; None when it is not one."""
    if payload is None or len(payload) < _HEADER.size or payload[:1] != MAGIC:
        return None
    _magic, schema_id = _HEADER.unpack_from(payload)
    return int(schema_id)


class SchemaRegistryCodec:
    """Encode with the newest local schema, decode any schema the registry knows."""

    def __init__(
        self,
        family: str,
        *,
        registry_url: str,
        subject: str,
        directory: Path | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout_s: float = 5.0,
    ) -> None:
        self.family = family
        self.subject = subject
        self.writer: SchemaVersion = schema_family(family, directory)[-1]
        self._write = framed_writer(self.writer.parsed)
        self.timeout_s = timeout_s
        self._base_url = registry_url.rstrip("/")
        self._transport = transport
        self._timeout = httpx.Timeout(timeout_s)
        self._http: httpx.AsyncClient | None = None  # opened on first use, on the loop
        self._writer_id: int | None = None
        self._by_id: dict[int, Any] = {}
        self._unknown: dict[int, str] = {}  # id -> why decode rejects its records

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def register_writer(self) -> int:
        """Register the writer schema under the subject (once) and cache its id, so that
        ``encode`` stays synchronous. ``TransientError`` while the registry is down."""
        if self._writer_id is None:
            body = await self._call(
                "POST",
                f"/subjects/{self.subject}/versions",
                json={"schema": json.dumps(self.writer.raw)},
                headers={"Content-Type": CONTENT_TYPE},
            )
            if body is None:
                msg = f"schema registry has no subject endpoint for {self.subject} (404)"
                raise FatalConfiguration(msg)
            self._writer_id = int(body["id"])
            self._by_id[self._writer_id] = self.writer.parsed
        return self._writer_id

    async def prepare(self, payloads: Sequence[bytes | None]) -> None:
        """Fetch the writer schemas of these payloads that are not cached yet.

        Ids the registry does not know are remembered, for ``decode`` to reject their records;
        ``TransientError`` (nothing is lost: what was fetched stays cached) when the registry
        cannot answer now.
        """
        wanted = dict.fromkeys(
            schema_id
            for schema_id in map(schema_id_of, payloads)
            if schema_id is not None and schema_id not in self._by_id
        )
        for schema_id in wanted:  # a batch rarely needs more than one: fail fast, in order
            body = await self._call("GET", f"/schemas/ids/{schema_id}")
            if body is None:
                self._remember_unknown(schema_id, f"schema registry does not know id {schema_id}")
                continue
            try:
                parsed = fastavro.parse_schema(json.loads(body["schema"]))
            except (ValueError, KeyError, TypeError, fastavro.schema.SchemaParseException) as exc:
                reason = f"registry schema {schema_id} is not Avro: {type(exc).__name__}"
                self._remember_unknown(schema_id, reason)
                continue
            self._unknown.pop(schema_id, None)
            self._by_id[schema_id] = parsed

    def encode(self, record: Mapping[str, Any]) -> bytes:
        if self._writer_id is None:
            msg = f"the {self.family} writer schema is not registered yet (register_writer)"
            raise TransientError(msg)
        return self._write(_HEADER.pack(0, self._writer_id), record)

    def decode(self, payload: bytes) -> dict[str, Any]:
        schema_id = schema_id_of(payload)
        if schema_id is None:
            msg = "not a Confluent Schema Registry record (missing magic byte 0)"
            raise UndecodableMessage(msg)
        writer = self._by_id.get(schema_id)
        if writer is None:
            unknown = self._unknown.get(schema_id)
            if unknown is not None:
                raise UndecodableMessage(unknown)
            # Never fetched here: decode does no I/O. The caller prepares, then retries.
            msg = f"schema id {schema_id} is not resolved yet (prepare the batch first)"
            raise TransientError(msg)
        try:
            record = schemaless_reader(
                io.BytesIO(payload[_HEADER.size :]), writer, self.writer.parsed
            )
        except Exception as exc:
            kind = type(exc).__name__
            msg = f"bytes do not decode as {self.family} (schema id {schema_id}): {kind}: {exc}"
            raise UndecodableMessage(msg) from exc
        if not isinstance(record, dict):
            raise UndecodableMessage(f"{self.family} record did not decode to a record")
        return record

    def _remember_unknown(self, schema_id: int, reason: str) -> None:
        self._unknown.pop(schema_id, None)
        self._unknown[schema_id] = reason
        while len(self._unknown) > _MAX_UNKNOWN:
            del self._unknown[next(iter(self._unknown))]

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                base_url=self._base_url, transport=self._transport, timeout=self._timeout
            )
        return self._http

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any] | None:
        """The JSON body; None for 404. Never the registry URL in a message: it may hold
        credentials."""
        try:
            response = await self._client().request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            msg = f"schema registry timed out ({type(exc).__name__})"
            raise TransientError(msg) from exc
        except httpx.TransportError as exc:
            msg = f"schema registry unreachable ({type(exc).__name__})"
            raise TransientError(msg) from exc
        status = response.status_code
        if status == 429 or status >= 500:
            msg = f"schema registry answered {status} to {method} {path}"
            raise TransientError(msg, retry_after=_retry_after_now(response.headers))
        if status == 404:
            return None
        if status >= 400:
            detail = response.text[:200]
            msg = f"schema registry refused {method} {path}: {status} {detail}"
            raise FatalConfiguration(msg)
        try:
            body = response.json()
        except ValueError as exc:  # a proxy's error page, say: worth another try
            msg = f"schema registry answered {method} {path} with a body that is not JSON"
            raise TransientError(msg) from exc
        if not isinstance(body, dict):
            msg = f"schema registry answered {method} {path} with a body that is not an object"
            raise TransientError(msg)
        return body


def _retry_after_now(headers: httpx.Headers) -> float | None:
    return retry_after_seconds(headers, now=time.time())
