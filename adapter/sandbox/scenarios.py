"""Scenario hooks: force the answer ONSS gives for a given worker, so tests can ask for S, W-510...

A scenario matches a declaration by the worker's SSIN (or, for workers without one, by family
name, case-insensitive), optionally only for one kind (IN/OUT/UPDATE/CANCEL). It forces the
result and anomalies instead of the rules; an ``S`` can resolve to A/W/B after some seconds.
The effect of a forced A/W is applied as if the rules had accepted the declaration.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

RESULTS = ("A", "W", "B", "S")


class ScenarioError(ValueError):
    """A scenario definition that cannot be used."""


@dataclass(slots=True)
class Scenario:
    id: int
    result: str
    ssin: str | None = None
    family_name: str | None = None
    kind: str | None = None
    anomalies: list[str] = field(default_factory=list)
    resolve_after_seconds: float | None = None
    resolve_to: str = "A"
    resolve_anomalies: list[str] = field(default_factory=list)
    processing_delay_seconds: float | None = None
    remaining: int | None = None

    def matches(self, kind: str, worker: dict[str, Any]) -> bool:
        if self.kind is not None and self.kind != kind:
            return False
        if self.ssin is not None:
            return worker.get("ssin") == self.ssin
        if self.family_name is not None:
            return str(worker.get("familyName", "")).upper() == self.family_name.upper()
        return False

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "match": {"ssin": self.ssin, "familyName": self.family_name, "kind": self.kind},
            "result": self.result,
            "anomalies": self.anomalies,
            "resolveAfterSeconds": self.resolve_after_seconds,
            "resolveTo": self.resolve_to,
            "resolveAnomalies": self.resolve_anomalies,
            "processingDelaySeconds": self.processing_delay_seconds,
            "remaining": self.remaining,
        }


def _codes(value: object, name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ScenarioError(f"{name} must be a list of anomaly codes")
    return list(value)


def _number(value: object, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ScenarioError(f"{name} must be a non-negative number")
    return float(value)


class ScenarioBook:
    """The scenarios in force, first match wins (in the order they were added)."""

    def __init__(self) -> None:
        self._scenarios: list[Scenario] = []
        self._ids = itertools.count(1)

    def add(self, data: dict[str, Any]) -> Scenario:
        match = data.get("match", {})
        if not isinstance(match, dict):
            raise ScenarioError("match must be an object")
        ssin, family = match.get("ssin"), match.get("familyName")
        if (ssin is None) == (family is None):
            raise ScenarioError("match needs exactly one of ssin or familyName")
        kind = match.get("kind")
        if kind is not None and kind not in ("IN", "OUT", "UPDATE", "CANCEL"):
            raise ScenarioError("match.kind must be IN, OUT, UPDATE or CANCEL")
        result = data.get("result")
        if result not in RESULTS:
            raise ScenarioError("result must be one of A, W, B, S")
        resolve_to = data.get("resolveTo", "A")
        if resolve_to not in ("A", "W", "B"):
            raise ScenarioError("resolveTo must be A, W or B")
        remaining = data.get("remaining")
        if remaining is not None and (not isinstance(remaining, int) or remaining < 1):
            raise ScenarioError("remaining must be a positive integer")
        scenario = Scenario(
            id=next(self._ids),
            result=str(result),
            ssin=None if ssin is None else str(ssin),
            family_name=None if family is None else str(family),
            kind=kind,
            anomalies=_codes(data.get("anomalies"), "anomalies"),
            resolve_after_seconds=_number(data.get("resolveAfterSeconds"), "resolveAfterSeconds"),
            resolve_to=str(resolve_to),
            resolve_anomalies=_codes(data.get("resolveAnomalies"), "resolveAnomalies"),
            processing_delay_seconds=_number(
                data.get("processingDelaySeconds"), "processingDelaySeconds"
            ),
            remaining=remaining,
        )
        self._scenarios.append(scenario)
        return scenario

    def find(self, kind: str, worker: dict[str, Any]) -> Scenario | None:
        """The scenario for this declaration; consumes one use of a limited scenario."""
        if not self._scenarios:
            return None
        for scenario in self._scenarios:
            if scenario.matches(kind, worker):
                if scenario.remaining is not None:
                    scenario.remaining -= 1
                    if scenario.remaining == 0:
                        self._scenarios.remove(scenario)
                return scenario
        return None

    def remove(self, scenario_id: int) -> bool:
        before = len(self._scenarios)
        self._scenarios = [s for s in self._scenarios if s.id != scenario_id]
        return len(self._scenarios) != before

    def clear(self) -> None:
        self._scenarios.clear()

    def to_wire(self) -> list[dict[str, Any]]:
        return [s.to_wire() for s in self._scenarios]
