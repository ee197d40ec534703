"""Every published Avro schema stays backward compatible with its previous version.

Versions live side by side as ``schemas/<name>.v<N>.avsc``. For each N > 1 a reader using
version N must read data written with version N-1 (Avro schema resolution rules). The
working copy of each file must also stay compatible with the version committed in git,
when there is one, so an edit in place cannot break consumers either.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import fastavro
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"
VERSIONED = re.compile(r"^(?P<name>[a-z_]+)\.v(?P<version>\d+)\.avsc$")
PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
PROMOTIONS = {
    ("int", "long"),
    ("int", "float"),
    ("int", "double"),
    ("long", "float"),
    ("long", "double"),
    ("float", "double"),
    ("string", "bytes"),
    ("bytes", "string"),
}

Schema = Any


class Names:
    """Named types of one schema, by full name and by short name."""

    def __init__(self, schema: Schema) -> None:
        self.types: dict[str, dict[str, Any]] = {}
        self._collect(schema, "")

    def _collect(self, schema: Schema, namespace: str) -> None:
        if isinstance(schema, list):
            for branch in schema:
                self._collect(branch, namespace)
        elif isinstance(schema, dict):
            kind = schema.get("type")
            if kind in ("record", "enum", "fixed"):
                namespace = schema.get("namespace", namespace)
                self.types[schema["name"]] = schema
                self.types[f"{namespace}.{schema['name']}"] = schema
                for field in schema.get("fields", []):
                    self._collect(field["type"], namespace)
            elif kind == "array":
                self._collect(schema["items"], namespace)
            elif kind == "map":
                self._collect(schema["values"], namespace)
            elif isinstance(kind, dict | list):
                self._collect(kind, namespace)

    def resolve(self, schema: Schema) -> Schema:
        if isinstance(schema, str) and schema not in PRIMITIVES:
            return self.types[schema]
        if isinstance(schema, dict) and schema.get("type") in PRIMITIVES:
            return schema["type"]  # logical types resolve on their underlying type
        if (
            isinstance(schema, dict)
            and isinstance(schema.get("type"), dict | list | str)
            and (schema.get("type") not in ("record", "enum", "fixed", "array", "map"))
        ):
            return self.resolve(schema["type"])
        return schema


def problems(reader: Schema, writer: Schema) -> list[str]:
    """Why data written with ``writer`` cannot be read with ``reader`` (empty: compatible)."""
    found: list[str] = []
    _match(Names(reader), reader, Names(writer), writer, "$", found, set())
    return found


def _kind(schema: Schema) -> str:
    if isinstance(schema, list):
        return "union"
    if isinstance(schema, str):
        return schema
    return str(schema["type"])


def _matches(rn: Names, reader: Schema, wn: Names, writer: Schema) -> bool:
    found: list[str] = []
    _match(rn, reader, wn, writer, "$", found, set())
    return not found


def _match(
    rn: Names,
    reader: Schema,
    wn: Names,
    writer: Schema,
    path: str,
    found: list[str],
    seen: set[tuple[int, int]],
) -> None:
    reader, writer = rn.resolve(reader), wn.resolve(writer)
    rk, wk = _kind(reader), _kind(writer)
    if wk == "union":
        for branch in writer:
            if rk == "union":
                if not any(_matches(rn, r, wn, branch) for r in reader):
                    found.append(f"{path}: writer branch {_kind(wn.resolve(branch))} unreadable")
            else:
                _match(rn, reader, wn, branch, path, found, seen)
        return
    if rk == "union":
        if not any(_matches(rn, r, wn, writer) for r in reader):
            found.append(f"{path}: no reader branch reads {wk}")
        return
    if rk in PRIMITIVES or wk in PRIMITIVES:
        if rk != wk and (wk, rk) not in PROMOTIONS:
            found.append(f"{path}: {wk} cannot be read as {rk}")
        return
    if rk != wk:
        found.append(f"{path}: {wk} cannot be read as {rk}")
        return
    key = (id(reader), id(writer))
    if key in seen:
        return
    seen.add(key)
    if rk == "record":
        if reader["name"] != writer["name"] and writer["name"] not in reader.get("aliases", []):
            found.append(f"{path}: record {writer['name']} read as {reader['name']}")
        written = {f["name"]: f for f in writer["fields"]}
        for field in reader["fields"]:
            names = [field["name"], *field.get("aliases", [])]
            source = next((written[n] for n in names if n in written), None)
            if source is None:
                if "default" not in field:
                    found.append(f"{path}.{field['name']}: new field without a default")
            else:
                _match(
                    rn, field["type"], wn, source["type"], f"{path}.{field['name']}", found, seen
                )
    elif rk == "enum":
        missing = set(writer["symbols"]) - set(reader["symbols"])
        if missing and "default" not in reader:
            found.append(f"{path}: enum symbols {sorted(missing)} unknown to the reader")
    elif rk == "array":
        _match(rn, reader["items"], wn, writer["items"], f"{path}[]", found, seen)
    elif rk == "map":
        _match(rn, reader["values"], wn, writer["values"], f"{path}{{}}", found, seen)
    elif rk == "fixed" and reader["size"] != writer["size"]:
        found.append(f"{path}: fixed size changed")


def families() -> dict[str, dict[int, Path]]:
    out: dict[str, dict[int, Path]] = {}
    for path in SCHEMAS.glob("*.avsc"):
        match = VERSIONED.match(path.name)
        assert match, f"{path.name} does not follow <name>.v<N>.avsc"
        out.setdefault(match["name"], {})[int(match["version"])] = path
    return out


def load(path: Path) -> Schema:
    return json.loads(path.read_text(encoding="utf-8"))


def consecutive_pairs() -> list[tuple[Path, Path]]:
    pairs = []
    for versions in families().values():
        ordered = sorted(versions)
        pairs += [(versions[a], versions[b]) for a, b in itertools.pairwise(ordered)]
    return pairs


def committed_versions() -> list[tuple[str, Path]]:
    """(text at HEAD, working file) for every schema file already committed."""
    out = []
    for versions in families().values():
        for path in versions.values():
            rel = path.relative_to(ROOT).as_posix()
            shown = subprocess.run(
                ["git", "-C", str(ROOT), "show", f"HEAD:{rel}"],
                capture_output=True,
                text=True,
                check=False,
            )
            if shown.returncode == 0:
                out.append((shown.stdout, path))
    return out


def test_expected_families_exist() -> None:
    assert {"employment_event", "declaration_status_changed"} <= set(families())


@pytest.mark.parametrize("family", sorted(families()))
def test_versions_are_contiguous_and_parse(family: str) -> None:
    versions = families()[family]
    assert sorted(versions) == list(range(1, len(versions) + 1))
    for path in versions.values():
        fastavro.parse_schema(load(path))


def test_new_version_reads_previous_version() -> None:
    # Runs over every consecutive pair (none while each family has only v1).
    found = {
        f"{new.name} reading {old.name}": problems(load(new), load(old))
        for old, new in consecutive_pairs()
    }
    assert {k: v for k, v in found.items() if v} == {}


def test_working_copy_reads_committed_copy() -> None:
    found = {
        work.name: problems(load(work), json.loads(head)) for head, work in committed_versions()
    }
    assert {k: v for k, v in found.items() if v} == {}


@pytest.mark.parametrize("family", sorted(families()))
def test_every_version_is_compatible_with_itself(family: str) -> None:
    for path in families()[family].values():
        assert problems(load(path), load(path)) == []


# ------------------------------------------------------------- the checker itself

BASE: dict[str, Any] = {
    "type": "record",
    "name": "R",
    "namespace": "t",
    "fields": [
        {"name": "a", "type": "int"},
        {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["X", "Y"]}},
        {"name": "o", "type": ["null", "string"], "default": None},
    ],
}


def evolve(**changes: Any) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(json.dumps(BASE))
    fields = {f["name"]: f for f in schema["fields"]}
    for name, value in changes.items():
        if value is None:
            schema["fields"] = [f for f in schema["fields"] if f["name"] != name]
        elif name in fields:
            fields[name].update(value)
        else:
            schema["fields"].append({"name": name, **value})
    return schema


@pytest.mark.parametrize(
    ("new", "compatible"),
    [
        (evolve(b={"type": ["null", "string"], "default": None}), True),
        (evolve(b={"type": "string"}), False),
        (evolve(o=None), True),
        (evolve(a={"type": "long"}), True),
        (evolve(a={"type": "string"}), False),
        (evolve(e={"type": {"type": "enum", "name": "E", "symbols": ["X", "Y", "Z"]}}), True),
        (evolve(e={"type": {"type": "enum", "name": "E", "symbols": ["X"]}}), False),
        (evolve(e={"type": {"type": "enum", "name": "E", "symbols": ["X"], "default": "X"}}), True),
        (evolve(o={"type": "string"}), False),
        (evolve(a={"type": ["null", "int"]}), True),
    ],
)
def test_checker_agrees_with_fastavro(new: dict[str, Any], compatible: bool) -> None:
    assert (problems(new, BASE) == []) is compatible
    datum = {"a": 1, "e": "Y", "o": None}
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, fastavro.parse_schema(BASE), datum)
    buffer.seek(0)
    try:
        fastavro.schemaless_reader(buffer, fastavro.parse_schema(BASE), fastavro.parse_schema(new))
        read = True
    except Exception:  # noqa: BLE001 - any resolution failure means incompatible
        read = False
    if compatible:
        assert read
