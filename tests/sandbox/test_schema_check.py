"""The compiled schema check must agree with jsonschema (which names the bad fields)."""

from __future__ import annotations

import copy
import random
from typing import Any

from adapter.sandbox.schema import _FAST_CHECK, schema_valid
from tests.sandbox import payloads as p

_REPLACEMENTS: list[object] = [
    None, "", "x", "18:00", "1800", "2027-02-30", "2027-02-28", 0, 1, -5, 10**13, 1.5, True,
    [], {}, "XXX", "322", "12345678901", "0412345614", "9999-12-31", 656309300157,
]  # fmt: skip


def _paths(value: object, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((*prefix, key))
            found.extend(_paths(item, (*prefix, key)))
    return found


def _mutate(body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    mutated = copy.deepcopy(body)
    path = rng.choice(_paths(mutated))
    parent: Any = mutated
    for key in path[:-1]:
        parent = parent[key]
    action = rng.random()
    if action < 0.2:
        del parent[path[-1]]
    elif action < 0.3:
        parent["unexpected"] = 1
    else:
        parent[path[-1]] = rng.choice(_REPLACEMENTS)
    return mutated


def test_compiled_check_agrees_with_jsonschema() -> None:
    rng = random.Random(20261128)
    bodies = [
        p.ordinary_in(), p.flexi_day(), p.student(), p.without_ssin(), p.temp_agency(),
        p.out(656309300157), p.update(656309300157, endDate="9999-12-31"), p.cancel(656309300157),
    ]  # fmt: skip
    for body in bodies:
        assert _FAST_CHECK(body)
        assert schema_valid(body)
        for _ in range(300):
            mutated = _mutate(body, rng)
            if _FAST_CHECK(mutated):
                assert schema_valid(mutated), mutated
