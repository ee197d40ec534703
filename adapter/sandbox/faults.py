"""Faults on demand: latency, error statuses, connection resets, lost responses, outages.

Set at start-up (``--latency-ms``, ``--faults-file``) and at run time through ``/admin/faults``.
Every delay is an ``asyncio.sleep``: the server never blocks. Random draws come from a seeded
generator; a per-endpoint ``script`` gives fully deterministic sequences for tests.
"""

from __future__ import annotations

import copy
import random
from collections import deque
from dataclasses import dataclass, field
from typing import Any

ENDPOINTS = ("token", "submit", "get", "search", "period", "soap")
ACTIONS = ("ok", "500", "503", "429", "reset", "lost")
_STATUS_ACTIONS = ("500", "503", "429")


class FaultError(ValueError):
    """A fault definition that cannot be used."""


@dataclass(frozen=True, slots=True)
class Latency:
    """A delay distribution in milliseconds."""

    distribution: str = "fixed"
    a: float = 0.0
    b: float = 0.0

    @classmethod
    def parse(cls, data: object) -> Latency:
        if isinstance(data, int | float) and not isinstance(data, bool):
            return cls("fixed", float(data))
        if not isinstance(data, dict):
            raise FaultError("a latency is a number of ms or an object")
        if "fixedMs" in data:
            return cls("fixed", _non_negative(data["fixedMs"]))
        kind = data.get("distribution")
        keys = {
            "uniform": ("minMs", "maxMs"),
            "normal": ("meanMs", "stdMs"),
            "exponential": ("meanMs", None),
            "lognormal": ("medianMs", "sigma"),
        }.get(str(kind))
        if keys is None:
            raise FaultError("distribution must be uniform, normal, exponential or lognormal")
        first = _non_negative(data.get(keys[0]))
        second = _non_negative(data.get(keys[1])) if keys[1] else 0.0
        return cls(str(kind), first, second)

    def sample_seconds(self, rng: random.Random) -> float:
        if self.distribution == "fixed":
            ms = self.a
        elif self.distribution == "uniform":
            ms = rng.uniform(self.a, self.b)
        elif self.distribution == "normal":
            ms = rng.gauss(self.a, self.b)
        elif self.distribution == "exponential":
            ms = rng.expovariate(1.0 / self.a) if self.a > 0 else 0.0
        else:
            ms = rng.lognormvariate(0.0, self.b) * self.a
        return max(ms, 0.0) / 1000.0

    def to_wire(self) -> dict[str, Any]:
        names = {
            "fixed": ("fixedMs", None),
            "uniform": ("minMs", "maxMs"),
            "normal": ("meanMs", "stdMs"),
            "exponential": ("meanMs", None),
            "lognormal": ("medianMs", "sigma"),
        }[self.distribution]
        wire: dict[str, Any] = {names[0]: self.a}
        if self.distribution != "fixed":
            wire["distribution"] = self.distribution
        if names[1]:
            wire[names[1]] = self.b
        return wire


def _non_negative(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise FaultError(f"expected a non-negative number, got {value!r}")
    return float(value)


def _rate(value: object) -> float:
    rate = _non_negative(value)
    if rate > 1:
        raise FaultError("a rate is between 0 and 1")
    return rate


def _per_endpoint(data: object, name: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FaultError(f"{name} must be an object keyed by endpoint")
    unknown = set(data) - {*ENDPOINTS, "default"}
    if unknown:
        raise FaultError(f"{name}: unknown endpoint(s) {sorted(unknown)}; use {ENDPOINTS}")
    return data


@dataclass(slots=True)
class Decision:
    delay: float = 0.0
    action: str = "ok"


@dataclass(slots=True)
class FaultSettings:
    """The faults in force; ``wire`` keeps what the operator asked for, for GET /admin/faults."""

    latency: dict[str, Latency] = field(default_factory=dict)
    errors: dict[str, dict[str, float]] = field(default_factory=dict)
    resets: dict[str, float] = field(default_factory=dict)
    lost: dict[str, float] = field(default_factory=dict)
    scripts: dict[str, deque[str]] = field(default_factory=dict)
    lost_response_mode: str = "reset"
    retry_after_seconds: int = 1
    slow_processing_rate: float = 0.0
    slow_processing_seconds: float = 0.0
    token_outage: bool = False
    seed: int | None = None
    wire: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(cls, data: dict[str, Any]) -> FaultSettings:
        unknown = set(data) - {
            "latency", "errors", "resets", "lostResponses", "lostResponseMode", "script",
            "retryAfterSeconds", "slowProcessing", "tokenOutage", "seed",
        }  # fmt: skip
        if unknown:
            raise FaultError(f"unknown fault setting(s): {sorted(unknown)}")
        settings = cls(wire=copy.deepcopy(data))
        for endpoint, spec in _per_endpoint(data.get("latency"), "latency").items():
            settings.latency[endpoint] = Latency.parse(spec)
        for endpoint, rates in _per_endpoint(data.get("errors"), "errors").items():
            if not isinstance(rates, dict) or set(rates) - set(_STATUS_ACTIONS):
                raise FaultError("errors.<endpoint> maps 500, 503 or 429 to a rate")
            settings.errors[endpoint] = {str(k): _rate(v) for k, v in rates.items()}
        for endpoint, rate in _per_endpoint(data.get("resets"), "resets").items():
            settings.resets[endpoint] = _rate(rate)
        for endpoint, rate in _per_endpoint(data.get("lostResponses"), "lostResponses").items():
            settings.lost[endpoint] = _rate(rate)
        for endpoint, steps in _per_endpoint(data.get("script"), "script").items():
            if not isinstance(steps, list) or any(s not in ACTIONS for s in steps):
                raise FaultError(f"script.<endpoint> is a list of {ACTIONS}")
            settings.scripts[endpoint] = deque(steps)
        mode = data.get("lostResponseMode", "reset")
        if mode not in ("reset", "500"):
            raise FaultError("lostResponseMode is reset or 500")
        settings.lost_response_mode = mode
        settings.retry_after_seconds = int(_non_negative(data.get("retryAfterSeconds", 1)))
        slow = data.get("slowProcessing") or {}
        if not isinstance(slow, dict):
            raise FaultError("slowProcessing is {rate, extraSeconds}")
        settings.slow_processing_rate = _rate(slow.get("rate", 0.0))
        settings.slow_processing_seconds = _non_negative(slow.get("extraSeconds", 0.0))
        settings.token_outage = bool(data.get("tokenOutage", False))
        seed = data.get("seed")
        settings.seed = None if seed is None else int(seed)
        return settings


class Faults:
    """Draws the fault (if any) for each request to a faultable endpoint."""

    def __init__(self, base: FaultSettings) -> None:
        self._base = base
        self.settings = copy.deepcopy(base)
        self._rng = random.Random(base.seed)  # noqa: S311 - fault draws, not secrets

    def replace(self, settings: FaultSettings) -> None:
        self.settings = settings
        if settings.seed is not None:
            self._rng = random.Random(settings.seed)  # noqa: S311

    def merge(self, data: dict[str, Any]) -> None:
        self.replace(FaultSettings.parse({**self.settings.wire, **data}))

    def restore(self) -> None:
        self.replace(copy.deepcopy(self._base))

    def to_wire(self) -> dict[str, Any]:
        wire = dict(self.settings.wire)
        wire["script"] = {e: list(s) for e, s in self.settings.scripts.items() if s}
        return wire

    def decide(self, endpoint: str) -> Decision:
        settings = self.settings
        latency = settings.latency.get(endpoint) or settings.latency.get("default")
        decision = Decision(0.0 if latency is None else latency.sample_seconds(self._rng))
        if not (
            settings.scripts
            or settings.token_outage
            or settings.errors
            or settings.resets
            or settings.lost
        ):
            return decision  # latency at most: nothing below would draw or act
        script = settings.scripts.get(endpoint)
        if script:
            decision.action = script.popleft()
            return decision
        if endpoint == "token" and settings.token_outage:
            decision.action = "503"
            return decision
        draw = self._rng.random
        for status, rate in (
            settings.errors.get(endpoint) or settings.errors.get("default", {})
        ).items():
            if rate and draw() < rate:
                decision.action = status
                return decision
        reset = settings.resets.get(endpoint, settings.resets.get("default", 0.0))
        if reset and draw() < reset:
            decision.action = "reset"
            return decision
        lost = settings.lost.get(endpoint, settings.lost.get("default", 0.0))
        if lost and draw() < lost:
            decision.action = "lost"
        return decision

    def extra_processing_delay(self) -> float:
        settings = self.settings
        if settings.slow_processing_rate and self._rng.random() < settings.slow_processing_rate:
            return settings.slow_processing_seconds
        return 0.0
