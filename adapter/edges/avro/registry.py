"""Confluent Schema Registry wire format: ``00`` + 4-byte big-endian schema id + Avro body.

The enterprise option (``encoding.format = "confluent"``). The writer registers the newest
schema of the family under the subject ``<topic>-value`` (TopicNameStrategy) once and caches
the id; the reader fetches unknown ids once and resolves them against the newest local
schema, so producers may still write older versions.

Only the registry's REST API is used (``POST /subjects/{subject}/versions``,
``GET /schemas/ids/{id}``), through httpx; tests run against an HTTP fake of that API.
"""

from __future__ import annotations

import io
import json
import struct
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import fastavro
import httpx
from fastavro import schemaless_reader, schemaless_writer

from adapter.core.errors import FatalConfiguration, TransientError, UndecodableMessage
from adapter.edges.avro.schemas import SchemaVersion, schema_family

MAGIC = b"\x00"
_HEADER = struct.Struct(">bI")
CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


class SchemaRegistryCodec:
    """Encode with the newest local schema, decode any schema the registry knows."""

    def __init__(
        self,
        family: str,
        *,
        registry_url: str,
        subject: str,
        directory: Path | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        self.family = family
        self.subject = subject
        self.writer: SchemaVersion = schema_family(family, directory)[-1]
        self._http = httpx.Client(
            base_url=registry_url.rstrip("/"), transport=transport, timeout=timeout_s
        )
        self._writer_id: int | None = None
        self._by_id: dict[int, Any] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise TransientError(f"schema registry unreachable: {exc}") from exc
        if response.status_code >= 500:
            raise TransientError(f"schema registry answered {response.status_code}")
        if response.status_code == 404:
            raise UndecodableMessage(f"schema registry does not know {path}")
        if response.status_code >= 400:
            detail = response.text[:200]
            msg = f"schema registry refused {method} {path}: {response.status_code} {detail}"
            raise FatalConfiguration(msg)
        body: dict[str, Any] = response.json()
        return body

    def writer_id(self) -> int:
        with self._lock:
            if self._writer_id is None:
                body = self._call(
                    "POST",
                    f"/subjects/{self.subject}/versions",
                    json={"schema": json.dumps(self.writer.raw)},
                    headers={"Content-Type": CONTENT_TYPE},
                )
                self._writer_id = int(body["id"])
                self._by_id[self._writer_id] = self.writer.parsed
            return self._writer_id

    def _schema(self, schema_id: int) -> Any:
        with self._lock:
            cached = self._by_id.get(schema_id)
        if cached is not None:
            return cached
        body = self._call("GET", f"/schemas/ids/{schema_id}")
        try:
            parsed = fastavro.parse_schema(json.loads(body["schema"]))
        except (ValueError, KeyError, fastavro.schema.SchemaParseException) as exc:
            raise UndecodableMessage(f"registry schema {schema_id} is not Avro: {exc}") from exc
        with self._lock:
            self._by_id[schema_id] = parsed
        return parsed

    def encode(self, record: Mapping[str, Any]) -> bytes:
        buffer = io.BytesIO()
        buffer.write(_HEADER.pack(0, self.writer_id()))
        schemaless_writer(buffer, self.writer.parsed, dict(record))
        return buffer.getvalue()

    async def prepare(self, payloads: Sequence[bytes | None]) -> None:
        """Nothing to fetch (placeholder until the registry path resolves schemas off-loop)."""

    def decode(self, payload: bytes) -> dict[str, Any]:
        if len(payload) < _HEADER.size or payload[:1] != MAGIC:
            msg = "not a Confluent Schema Registry record (missing magic byte 0)"
            raise UndecodableMessage(msg)
        _magic, schema_id = _HEADER.unpack_from(payload)
        writer = self._schema(schema_id)
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
