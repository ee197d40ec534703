"""Ports for the record encodings (implemented by ``adapter.edges.avro``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol


class RecordDecoder(Protocol):
    async def prepare(self, payloads: Sequence[bytes | None]) -> None:
        """Resolve, off the event loop, what ``decode`` needs for these payloads (the writer
        schemas a registry holds, say). Call it for a batch before decoding the batch.

        ``TransientError`` (``retry_after`` when the remote side said so) when that cannot
        be done now: retry the batch later. A payload that can never be decoded (an unknown
        schema, foreign bytes) is no error here: ``decode`` rejects it.
        """
        ...

    def decode(self, payload: bytes) -> dict[str, Any]:
        """The record, or ``UndecodableMessage``. Never does I/O: ``TransientError`` when a
        schema the batch needs was not prepared."""
        ...


class RecordEncoder(Protocol):
    def encode(self, record: Mapping[str, Any]) -> bytes:
        """Synchronous and without I/O (whatever it needs is resolved at start-up)."""
        ...
