"""Encode and decode records of one schema family with single-object encoding."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fastavro import schemaless_reader, schemaless_writer

from adapter.core.errors import UndecodableMessage
from adapter.edges.avro.schemas import SchemaVersion, schema_family

SINGLE_OBJECT_MAGIC = b"\xc3\x01"
_HEADER_LENGTH = 10


class SingleObjectCodec:
    """Writes with the newest version of a family; reads any version of it.

    The reader schema is always the newest, so older records are resolved into today's shape.
    """

    def __init__(self, family: str, *, directory: Path | None = None) -> None:
        versions = schema_family(family, directory)
        self.family = family
        self.writer: SchemaVersion = versions[-1]
        self._by_fingerprint = {v.fingerprint: v for v in versions}

    def encode(self, record: Mapping[str, Any]) -> bytes:
        buffer = io.BytesIO()
        buffer.write(SINGLE_OBJECT_MAGIC)
        buffer.write(self.writer.fingerprint)
        schemaless_writer(buffer, self.writer.parsed, dict(record))
        return buffer.getvalue()

    async def prepare(self, payloads: Sequence[bytes | None]) -> None:
        """Nothing to fetch (placeholder until the registry path resolves schemas off-loop)."""

    def decode(self, payload: bytes) -> dict[str, Any]:
        if len(payload) < _HEADER_LENGTH or payload[:2] != SINGLE_OBJECT_MAGIC:
            msg = "not an Avro single-object encoded record (missing C3 01 header)"
            raise UndecodableMessage(msg)
        writer = self._by_fingerprint.get(payload[2:_HEADER_LENGTH])
        if writer is None:
            fingerprint = payload[2:_HEADER_LENGTH].hex()
            msg = f"record written with an unknown {self.family} schema (fingerprint {fingerprint})"
            raise UndecodableMessage(msg)
        try:
            record = schemaless_reader(
                io.BytesIO(payload[_HEADER_LENGTH:]), writer.parsed, self.writer.parsed
            )
        except Exception as exc:
            kind = type(exc).__name__
            msg = f"bytes do not decode as {self.family} v{writer.version}: {kind}: {exc}"
            raise UndecodableMessage(msg) from exc
        if not isinstance(record, dict):
            msg = f"{self.family} record did not decode to a record"
            raise UndecodableMessage(msg)
        return record
