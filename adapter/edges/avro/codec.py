"""Encode and decode records of one schema family with single-object encoding.

Also :func:`framed_writer`, the body writer both framings share: a writer compiled from the
schema (``compiled.py``, fastavro's bytes without its per-call schema walk and union
validation), or fastavro itself for a schema the compiler does not handle.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from fastavro import schemaless_reader, schemaless_writer

from adapter.core.errors import UndecodableMessage
from adapter.edges.avro.compiled import compile_writer
from adapter.edges.avro.schemas import SchemaVersion, schema_family

SINGLE_OBJECT_MAGIC = b"\xc3\x01"
_HEADER_LENGTH = 10

log = logging.getLogger(__name__)

FramedWriter = Callable[[bytes, Mapping[str, Any]], bytes]
"""``write(header, record)``: the header followed by the record's Avro body."""


def framed_writer(parsed: Any) -> FramedWriter:
    """The writer of records of one parsed schema, behind a framing header."""
    compiled = compile_writer(parsed)
    if compiled is None:

        def with_fastavro(header: bytes, record: Mapping[str, Any]) -> bytes:
            buffer = io.BytesIO()
            buffer.write(header)
            schemaless_writer(buffer, parsed, dict(record))
            return buffer.getvalue()

        return with_fastavro

    def with_compiled(header: bytes, record: Mapping[str, Any]) -> bytes:
        buffer = bytearray(header)
        compiled(buffer, record)
        return bytes(buffer)

    return with_compiled


class SingleObjectCodec:
    """Writes with the newest version of a family; reads any version of it.

    The reader schema is always the newest, so older records are resolved into today's shape.
    The header is ``C3 01`` + the writer schema's CRC-64-AVRO fingerprint, little-endian, as
    the Avro specification frames it. With ``accept_legacy_fingerprint`` the decoder also
    reads records framed with the byte-reversed fingerprint that releases before the fix of
    issue 11 wrote (the migration window of docs/contracts.md); the encoder never writes it.
    """

    def __init__(
        self,
        family: str,
        *,
        directory: Path | None = None,
        accept_legacy_fingerprint: bool = True,
    ) -> None:
        versions = schema_family(family, directory)
        self.family = family
        self.writer: SchemaVersion = versions[-1]
        self._by_fingerprint = {v.fingerprint: v for v in versions}
        self._legacy: dict[bytes, SchemaVersion] = {}
        if accept_legacy_fingerprint:
            # A spec fingerprint always wins over a reversed one that happens to equal it.
            self._legacy = {
                v.legacy_fingerprint: v
                for v in versions
                if v.legacy_fingerprint not in self._by_fingerprint
            }
        self._legacy_seen = False
        self._header = SINGLE_OBJECT_MAGIC + self.writer.fingerprint
        self._write = framed_writer(self.writer.parsed)

    async def prepare(self, payloads: Sequence[bytes | None]) -> None:
        """Nothing to resolve: every schema of the family is local."""

    async def aclose(self) -> None:
        """Nothing to release."""

    def encode(self, record: Mapping[str, Any]) -> bytes:
        return self._write(self._header, record)

    def decode(self, payload: bytes) -> dict[str, Any]:
        if len(payload) < _HEADER_LENGTH or payload[:2] != SINGLE_OBJECT_MAGIC:
            msg = "not an Avro single-object encoded record (missing C3 01 header)"
            raise UndecodableMessage(msg)
        writer = self._writer_of(payload[2:_HEADER_LENGTH])
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

    def _writer_of(self, fingerprint: bytes) -> SchemaVersion:
        writer = self._by_fingerprint.get(fingerprint)
        if writer is not None:
            return writer
        writer = self._legacy.get(fingerprint)
        if writer is None:
            msg = (
                f"record written with an unknown {self.family} schema "
                f"(fingerprint {fingerprint.hex()})"
            )
            raise UndecodableMessage(msg)
        if not self._legacy_seen:
            self._legacy_seen = True  # once per process: enough to know the window is in use
            log.warning(
                "accepted a %s record framed with the legacy byte-reversed fingerprint; "
                "its producer must move to the spec framing before "
                "encoding.accept_legacy_fingerprint is turned off",
                self.family,
            )
        return writer
