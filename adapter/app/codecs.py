"""Ports for the record encodings (implemented by ``adapter.edges.avro``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol


class RecordDecoder(Protocol):
    async def prepare(self, payloads: Sequence[bytes | None]) -> None:
        """Fetch, off the event loop, whatever ``decode`` will need for these payloads (the
        registry's schemas); ``TransientError`` when that source is unavailable."""
        ...

    def decode(self, payload: bytes) -> dict[str, Any]:
        """The record, or ``UndecodableMessage``."""
        ...


class RecordEncoder(Protocol):
    def encode(self, record: Mapping[str, Any]) -> bytes: ...
