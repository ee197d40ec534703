"""Find and parse the versioned schema files (``<family>.v<N>.avsc``)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import fastavro
from fastavro.schema import fingerprint, to_parsing_canonical_form

from adapter.core.errors import FatalConfiguration

_FILE_NAME = re.compile(r"^(?P<family>[a-z0-9_]+)\.v(?P<version>\d+)\.avsc$")


@dataclass(frozen=True, slots=True)
class SchemaVersion:
    """One parsed schema file."""

    family: str
    version: int
    path: Path
    raw: dict[str, Any]
    parsed: Any  # fastavro's parsed schema
    fingerprint: bytes  # CRC-64-AVRO of the canonical form, 8 bytes little-endian (the framing)

    @property
    def legacy_fingerprint(self) -> bytes:
        """The byte-reversed fingerprint framed before the fix of issue 11 (docs/contracts.md)."""
        return self.fingerprint[::-1]


def schema_directory() -> Path:
    """``schemas/`` of a source checkout, else the copy packaged inside the wheel."""
    checkout = Path(__file__).resolve().parents[3] / "schemas"
    if checkout.is_dir():
        return checkout
    packaged = Path(str(resources.files("adapter").joinpath("_schemas")))
    if packaged.is_dir():
        return packaged
    msg = "no Avro schema directory found (expected schemas/ or adapter/_schemas)"
    raise FatalConfiguration(msg)


def _load(path: Path, family: str, version: int) -> SchemaVersion:
    raw = json.loads(path.read_text(encoding="utf-8"))
    parsed = fastavro.parse_schema(raw)
    digest = fingerprint(to_parsing_canonical_form(parsed), "CRC-64-AVRO")
    # fastavro's hex is already the spec's little-endian byte sequence ("null" gives
    # 8a8f25cce724dd63, i.e. 7195948357588979594): decode it as bytes, never as a number.
    framed = bytes.fromhex(digest)
    return SchemaVersion(family, version, path, raw, parsed, framed)


@cache
def schema_family(family: str, directory: Path | None = None) -> tuple[SchemaVersion, ...]:
    """Every version of one schema family, oldest first."""
    base = directory or schema_directory()
    versions = []
    for path in base.glob(f"{family}.v*.avsc"):
        match = _FILE_NAME.match(path.name)
        if match and match["family"] == family:
            versions.append(_load(path, family, int(match["version"])))
    if not versions:
        msg = f"no schema files for {family!r} in {base}"
        raise FatalConfiguration(msg)
    return tuple(sorted(versions, key=lambda v: v.version))
