"""Ports for the record encodings (implemented by ``adapter.edges.avro``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class RecordDecoder(Protocol):
    def decode(self, payload: bytes) -> dict[str, Any]:
        """The record, or ``UndecodableMessage``."""
        ...


class RecordEncoder(Protocol):
    def encode(self, record: Mapping[str, Any]) -> bytes: ...
