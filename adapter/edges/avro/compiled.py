"""A writer compiled once from a parsed schema: fastavro's bytes without its work per call.

``fastavro.schemaless_writer`` re-reads the schema on every call and picks the branch of each
union by validating the value against every branch: for ``["null", record]`` it validates
the whole nested record, then writes it. The records the adapter writes are built by its own
code, with the types the schema says, so the branch of a nullable union is known from
``None`` alone. :func:`compile_writer` turns a parsed schema into nested closures that write
straight into a ``bytearray``: one closure per schema node, chosen once.

Only the shapes the adapter's schemas use are compiled: null, boolean, int, long, float,
double, string, enum, array, map, record, named references, unions of ``null`` and one other
type, and the logical types uuid, date and timestamp-millis. Any other schema gives ``None``
and the codec keeps fastavro. The bytes are fastavro's (``tests/edges/avro/test_avro_compiled.py``
compares them on generated records of every schema file): arrays and maps as one block then ``0``,
missing fields written with their default, naive datetimes read as local time as fastavro
reads them. A value of the wrong type raises (``TypeError``, ``ValueError``,
``AttributeError``) instead of being written.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

Writer = Callable[[bytearray, Any], None]

_LONG_MIN, _LONG_MAX = -(1 << 63), (1 << 63) - 1
_INT_MIN, _INT_MAX = -(1 << 31), (1 << 31) - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAYS_SHIFT = date(1970, 1, 1).toordinal()
_MISSING = object()
_DOUBLE, _FLOAT = struct.Struct("<d"), struct.Struct("<f")


def compile_writer(schema: Any) -> Callable[[bytearray, Mapping[str, Any]], None] | None:
    """``write(buffer, record)`` for a schema parsed by ``fastavro.parse_schema``; ``None``
    when the schema uses something not compiled here (the caller keeps fastavro)."""
    named: dict[str, Any] = (
        dict(schema.get("__named_schemas", {})) if isinstance(schema, dict) else {}
    )
    try:
        return _compile(schema, named, {})
    except NotImplementedError:  # a node not compiled here: never leaves this function
        return None


def _zigzag(buffer: bytearray, value: int) -> None:
    n = (value << 1) ^ (value >> 63)
    while n > 0x7F:
        buffer.append((n & 0x7F) | 0x80)
        n >>= 7
    buffer.append(n)


def _zigzag_bytes(value: int) -> bytes:
    out = bytearray()
    _zigzag(out, value)
    return bytes(out)


def write_long(buffer: bytearray, value: int) -> None:
    if 0 <= value < 64:  # most lengths, counts and indexes: one byte
        buffer.append(value << 1)
        return
    if not _LONG_MIN <= value <= _LONG_MAX:
        msg = f"{value!r} is not an Avro long"
        raise ValueError(msg)
    _zigzag(buffer, value)


def write_int(buffer: bytearray, value: int) -> None:
    if not _INT_MIN <= value <= _INT_MAX:
        msg = f"{value!r} is not an Avro int"
        raise ValueError(msg)
    _zigzag(buffer, value)


def write_string(buffer: bytearray, value: str) -> None:
    data = value.encode()
    size = len(data)
    if size < 64:
        buffer.append(size << 1)
    else:
        _zigzag(buffer, size)
    buffer += data


def write_double(buffer: bytearray, value: float) -> None:
    buffer += _DOUBLE.pack(value)


def write_float(buffer: bytearray, value: float) -> None:
    buffer += _FLOAT.pack(value)


def write_boolean(buffer: bytearray, value: object) -> None:
    buffer.append(1 if value else 0)


def write_null(_buffer: bytearray, value: object) -> None:
    if value is not None:
        msg = f"{value!r} is not null"
        raise ValueError(msg)


def write_uuid(buffer: bytearray, value: object) -> None:
    write_string(buffer, value if isinstance(value, str) else str(value))


def write_date(buffer: bytearray, value: date | int) -> None:
    if isinstance(value, date):
        value = value.toordinal() - _DAYS_SHIFT
    write_int(buffer, value)


def write_timestamp_millis(buffer: bytearray, value: datetime | int) -> None:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            delta = value - _EPOCH
            value = (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000
        else:  # as fastavro does: a naive datetime is local time
            value = int(time.mktime(value.timetuple())) * 1000 + value.microsecond // 1000
    write_long(buffer, value)


_PRIMITIVES: dict[str, Writer] = {
    "null": write_null,
    "boolean": write_boolean,
    "int": write_int,
    "long": write_long,
    "string": write_string,
    "float": write_float,
    "double": write_double,
}
_LOGICAL: dict[tuple[str, str], Writer] = {
    ("string", "uuid"): write_uuid,
    ("int", "date"): write_date,
    ("long", "timestamp-millis"): write_timestamp_millis,
}


def _compile(  # noqa: PLR0911 - one return per kind of schema node
    schema: Any, named: dict[str, Any], done: dict[str, Writer]
) -> Writer:
    if isinstance(schema, str):
        if schema in _PRIMITIVES:
            return _PRIMITIVES[schema]
        if schema in done:
            return done[schema]
        if schema in named:
            return _compile(named[schema], named, done)
        raise NotImplementedError(schema)
    if isinstance(schema, list):
        return _union(schema, named, done)
    kind = schema["type"]
    logical = schema.get("logicalType")
    if logical is not None:
        writer = _LOGICAL.get((kind, logical))
        if writer is None:
            raise NotImplementedError(f"{kind}/{logical}")
        return writer
    if kind == "record":
        return _record(schema, named, done)
    if kind == "enum":
        return _enum(schema, done)
    if kind == "array":
        return _array(_compile(schema["items"], named, done))
    if kind == "map":
        return _map(_compile(schema["values"], named, done))
    if isinstance(kind, str) and kind in _PRIMITIVES:
        return _PRIMITIVES[kind]
    raise NotImplementedError(str(kind))


def _union(branches: list[Any], named: dict[str, Any], done: dict[str, Writer]) -> Writer:
    if len(branches) != 2 or "null" not in branches:
        raise NotImplementedError("union other than null and one type")
    null_index = branches.index("null")
    other = _compile(branches[1 - null_index], named, done)
    null_tag, other_tag = null_index << 1, (1 - null_index) << 1

    def write(buffer: bytearray, value: Any) -> None:
        if value is None:
            buffer.append(null_tag)
        else:
            buffer.append(other_tag)
            other(buffer, value)

    return write


def _record(schema: dict[str, Any], named: dict[str, Any], done: dict[str, Writer]) -> Writer:
    fields: list[tuple[str, object, Writer]] = []

    def write(buffer: bytearray, value: Mapping[str, Any]) -> None:
        get = value.get
        for name, default, writer in fields:
            item = get(name, default)
            if item is _MISSING:
                msg = f"no value and no default for {name}"
                raise ValueError(msg)
            writer(buffer, item)

    done[schema["name"]] = write  # before the fields: a record may refer to itself
    for field in schema["fields"]:
        kind = field["type"]
        nullable = isinstance(kind, list) and "null" in kind
        default = field.get("default", None if nullable else _MISSING)
        writer = _compile(kind, named, done)
        if kind in ("float", "double"):  # as fastavro does ("NaN", integers)
            writer = _as_float(writer)
        fields.append((field["name"], default, writer))
    return write


def _as_float(writer: Writer) -> Writer:
    def write(buffer: bytearray, value: Any) -> None:
        writer(buffer, float(value))

    return write


def _enum(schema: dict[str, Any], done: dict[str, Writer]) -> Writer:
    tags = {symbol: _zigzag_bytes(i) for i, symbol in enumerate(schema["symbols"])}
    name = schema["name"]

    def write(buffer: bytearray, value: str) -> None:
        tag = tags.get(value)
        if tag is None:
            msg = f"{value!r} is not a symbol of {name}"
            raise ValueError(msg)
        buffer += tag

    done[name] = write
    return write


def _array(items: Writer) -> Writer:
    def write(buffer: bytearray, value: Any) -> None:
        if len(value) > 0:
            write_long(buffer, len(value))
            for item in value:
                items(buffer, item)
        buffer.append(0)

    return write


def _map(values: Writer) -> Writer:
    def write(buffer: bytearray, value: Mapping[str, Any]) -> None:
        if len(value) > 0:
            write_long(buffer, len(value))
            for key, item in value.items():
                write_string(buffer, key)
                values(buffer, item)
        buffer.append(0)

    return write
