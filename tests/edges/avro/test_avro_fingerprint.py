"""The single-object header against the Avro specification, not against fastavro.

The spec (Avro 1.11, "Single-object encoding" and "Schema Fingerprints") frames a record as
``C3 01`` + the CRC-64-AVRO fingerprint of the writer schema's Parsing Canonical Form,
little-endian, + the binary body. The fingerprint below is the spec's own table-driven
algorithm, written here independently of the adapter and of fastavro; the vectors are those
of the Avro project (``share/test/data/schema-tests.txt``), given there as signed 64-bit
integers.
"""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import fastavro
import pytest
from fastavro.schema import to_parsing_canonical_form

from adapter.app.status_events import StatusEvents
from adapter.bootstrap import EVENT_SCHEMA, STATUS_SCHEMA, record_codec
from adapter.core.errors import UndecodableMessage
from adapter.core.events import EmploymentEvent
from adapter.demo_events import hire, ssin_for
from adapter.edges.avro.codec import SingleObjectCodec
from adapter.edges.avro.schemas import schema_directory, schema_family
from adapter.settings import EncodingSettings, Settings

EMPTY = 0xC15D213AA4D7A795


def _table() -> list[int]:
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (EMPTY & -(fp & 1))
        table.append(fp)
    return table


TABLE = _table()


def crc64_avro(data: bytes) -> int:
    """``fingerprint64`` of the specification, as an unsigned 64-bit value."""
    fp = EMPTY
    for byte in data:
        fp = (fp >> 8) ^ TABLE[(fp ^ byte) & 0xFF]
    return fp


def framed(fingerprint: int) -> bytes:
    """The 8 header bytes of the spec: the fingerprint, little-endian."""
    return (fingerprint & 0xFFFF_FFFF_FFFF_FFFF).to_bytes(8, "little")


# (schema as a producer may write it, its canonical form, the spec's signed fingerprint)
SPEC_VECTORS = [
    ('"null"', '"null"', 7195948357588979594),
    ('{"type": "null"}', '"null"', 7195948357588979594),
    ('"boolean"', '"boolean"', -6970731678124411036),
    ('"int"', '"int"', 8247732601305521295),
    ('"long"', '"long"', -3434872931120570953),
    ('"float"', '"float"', 5583340709985441680),
    ('"double"', '"double"', -8181574048448539266),
    ('"bytes"', '"bytes"', 5746618253357095269),
    ('"string"', '"string"', -8142146995180207161),
    (
        '{"type": "fixed", "name": "foo", "size": 15}',
        '{"name":"foo","type":"fixed","size":15}',
        1756455273707447556,
    ),
    (
        '{"type": "record", "name": "foo", "fields": [{"name": "f1", "type": "boolean"}]}',
        '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}',
        7843277075252814651,
    ),
    (
        '{"type": "enum", "name": "foo", "symbols": ["A1"]}',
        '{"name":"foo","type":"enum","symbols":["A1"]}',
        -6342190197741309591,
    ),
    (
        '{"type": "record", "name": "PigValue", "fields": [{"name": "value", '
        '"type": ["null", "int", "long", "PigValue"]}]}',
        '{"name":"PigValue","type":"record","fields":[{"name":"value",'
        '"type":["null","int","long","PigValue"]}]}',
        -1759257747318642341,
    ),
]


def test_the_independent_implementation_reproduces_the_spec_vectors() -> None:
    for _schema, canonical, expected in SPEC_VECTORS:
        assert framed(crc64_avro(canonical.encode())) == framed(expected), canonical
    assert framed(7195948357588979594) == bytes.fromhex("8a8f25cce724dd63")


VECTOR_IDS = [
    "null",
    "null-object",
    "boolean",
    "int",
    "long",
    "float",
    "double",
    "bytes",
    "string",
    "fixed",
    "record",
    "enum",
    "recursive-record",
]


@pytest.mark.parametrize(("schema", "canonical", "expected"), SPEC_VECTORS, ids=VECTOR_IDS)
def test_schema_files_carry_the_spec_fingerprint(
    tmp_path: Path, schema: str, canonical: str, expected: int
) -> None:
    (tmp_path / "vector.v1.avsc").write_text(schema, encoding="utf-8")
    [version] = schema_family("vector", tmp_path)
    assert to_parsing_canonical_form(version.parsed) == canonical
    assert version.fingerprint == framed(expected)
    assert version.legacy_fingerprint == framed(expected)[::-1]


def test_the_fingerprint_of_null_is_framed_as_the_spec_says(tmp_path: Path) -> None:
    (tmp_path / "nothing.v1.avsc").write_text('"null"', encoding="utf-8")
    [version] = schema_family("nothing", tmp_path)
    assert version.fingerprint == bytes([0x8A, 0x8F, 0x25, 0xCC, 0xE7, 0x24, 0xDD, 0x63])


def _schema_files() -> list[Path]:
    files = sorted(schema_directory().glob("*.avsc"))
    assert files, "no schema files found"
    return files


@pytest.mark.parametrize("path", _schema_files(), ids=lambda p: p.name)
def test_every_schema_file_is_framed_with_its_spec_fingerprint(path: Path) -> None:
    family, version_text = path.name.removesuffix(".avsc").rsplit(".v", 1)
    version = next(v for v in schema_family(family) if v.version == int(version_text))
    canonical = to_parsing_canonical_form(fastavro.parse_schema(json.loads(path.read_text())))
    expected = framed(crc64_avro(canonical.encode()))
    assert version.fingerprint == expected
    codec = SingleObjectCodec(family)
    if codec.writer.version == version.version:
        header = codec.encode(_sample(family))[:10]
        assert header == b"\xc3\x01" + expected


def _sample(family: str) -> dict[str, Any]:
    event = EmploymentEvent.model_validate(hire("E-1", ssin_for(1), date(2026, 12, 1)))
    if family == EVENT_SCHEMA:
        return event.to_avro_record()
    codec = SingleObjectCodec(STATUS_SCHEMA)
    received = StatusEvents(codec).received(0, event, datetime(2026, 11, 30, tzinfo=UTC))
    return codec.decode(received.value)


def spec_framed_record(family: str, record: dict[str, Any]) -> bytes:
    """What a spec-compliant producer (Java ``BinaryMessageEncoder``) writes, built here
    from the newest schema file with the independent fingerprint."""
    newest = max(schema_directory().glob(f"{family}.v*.avsc"))
    parsed = fastavro.parse_schema(json.loads(newest.read_text(encoding="utf-8")))
    body = io.BytesIO()
    fastavro.schemaless_writer(body, parsed, record)
    fingerprint = crc64_avro(to_parsing_canonical_form(parsed).encode())
    return b"\xc3\x01" + framed(fingerprint) + body.getvalue()


def test_records_of_a_spec_compliant_producer_decode() -> None:
    record = _sample(EVENT_SCHEMA)
    payload = spec_framed_record(EVENT_SCHEMA, record)
    for legacy in (True, False):
        codec = SingleObjectCodec(EVENT_SCHEMA, accept_legacy_fingerprint=legacy)
        assert codec.decode(payload)["employmentId"] == "E-1"
        assert codec.encode(record) == payload  # the encoder writes the spec framing only


def _legacy(payload: bytes) -> bytes:
    """The framing of earlier releases: the 8 fingerprint bytes reversed."""
    return payload[:2] + payload[2:10][::-1] + payload[10:]


def test_legacy_framing_is_read_only_while_the_setting_allows_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    payload = spec_framed_record(EVENT_SCHEMA, _sample(EVENT_SCHEMA))
    old = _legacy(payload)
    assert old != payload
    accepting = SingleObjectCodec(EVENT_SCHEMA)  # the default of this release: accept both
    with caplog.at_level(logging.WARNING, logger="adapter.edges.avro.codec"):
        assert accepting.decode(old)["employmentId"] == "E-1"
        assert accepting.decode(old)["employmentId"] == "E-1"
    assert [r.getMessage() for r in caplog.records if "legacy" in r.getMessage()] != []
    assert len([r for r in caplog.records if "legacy" in r.getMessage()]) == 1
    strict = SingleObjectCodec(EVENT_SCHEMA, accept_legacy_fingerprint=False)
    with pytest.raises(UndecodableMessage, match="unknown employment_event schema"):
        strict.decode(old)


def test_the_setting_reaches_the_codec(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().encoding.accept_legacy_fingerprint is True
    monkeypatch.setenv("DIMONA_ADAPTER_ENCODING__ACCEPT_LEGACY_FINGERPRINT", "false")
    settings = Settings()
    assert settings.encoding == EncodingSettings(accept_legacy_fingerprint=False)
    old = _legacy(spec_framed_record(EVENT_SCHEMA, _sample(EVENT_SCHEMA)))
    with pytest.raises(UndecodableMessage):
        record_codec(settings, EVENT_SCHEMA, "hr.employment.events").decode(old)
    monkeypatch.delenv("DIMONA_ADAPTER_ENCODING__ACCEPT_LEGACY_FINGERPRINT")
    lenient = record_codec(Settings(), EVENT_SCHEMA, "hr.employment.events")
    assert lenient.decode(old)["employmentId"] == "E-1"


@pytest.mark.parametrize("path", _schema_files(), ids=lambda p: p.name)
def test_the_contract_lists_both_header_values_of_every_schema_file(path: Path) -> None:
    contract = (Path(__file__).resolve().parents[3] / "docs" / "contracts.md").read_text(
        encoding="utf-8"
    )
    canonical = to_parsing_canonical_form(fastavro.parse_schema(json.loads(path.read_text())))
    spec = framed(crc64_avro(canonical.encode()))
    row = f"| `{path.name.removesuffix('.avsc')}` | `{spec.hex(' ')}` | `{spec[::-1].hex(' ')}` |"
    assert row in contract, f"docs/contracts.md (Framing) lacks the row {row}"
