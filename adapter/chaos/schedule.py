"""The seeded fault plan of one chaos run: what happens when, decided before the run starts.

Times are seconds from the start of the chaos phase. The same seed always gives the same plan
(the moments are exact; what the adapter is doing at those moments is not).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Action(StrEnum):
    KILL = "kill"  # SIGKILL the adapter
    RESTART = "restart"  # start a new adapter process
    CUT = "cut"  # sever the adapter's broker connection (TCP proxy)
    RESTORE = "restore"
    SANDBOX = "sandbox"  # replace the sandbox faults with ``faults``
    PRODUCE = "produce"  # produce the next wave of events


@dataclass(frozen=True, slots=True, order=True)
class Step:
    at_s: float
    action: Action
    faults: dict[str, Any] = field(default_factory=dict, compare=False)
    label: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class FaultPlan:
    seed: int
    steps: tuple[Step, ...]
    chaos_s: float

    def count(self, action: Action) -> int:
        return sum(1 for s in self.steps if s.action is action)

    @property
    def sandbox_labels(self) -> list[str]:
        return [s.label for s in self.steps if s.action is Action.SANDBOX and s.label]


_ENDPOINTS = ("submit", "get", "search", "token")
_KINDS = ["errors", "lost", "resets", "slow", "processing"]


def _sandbox_faults(rng: random.Random, seed: int) -> tuple[dict[str, Any], str]:
    """One window of sandbox trouble: one to three kinds at once."""
    kinds = rng.sample(_KINDS, rng.randint(1, 3))
    faults: dict[str, Any] = {"seed": seed, "retryAfterSeconds": 1}
    for kind in kinds:
        if kind == "errors":
            faults["errors"] = {
                endpoint: {
                    "500": rng.uniform(0.02, 0.1),
                    "503": rng.uniform(0.05, 0.2),
                    "429": rng.uniform(0.05, 0.2),
                }
                for endpoint in rng.sample(_ENDPOINTS, rng.randint(1, 4))
            }
        elif kind == "lost":
            faults["lostResponses"] = {"submit": rng.uniform(0.1, 0.4)}
            faults["lostResponseMode"] = rng.choice(["reset", "500"])
        elif kind == "resets":
            faults["resets"] = {e: rng.uniform(0.05, 0.2) for e in ("get", "search", "submit")}
        elif kind == "slow":
            faults["latency"] = {
                "default": {"distribution": "uniform", "minMs": 50, "maxMs": rng.randint(200, 900)}
            }
        elif kind == "processing":
            faults["slowProcessing"] = {"rate": rng.uniform(0.1, 0.4), "extraSeconds": 4}
    if faults.get("lostResponseMode") == "500":
        kinds = ["lost-500" if k == "lost" else k for k in kinds]
    return faults, "+".join(sorted(kinds))


FAULT_KINDS = ("kill", "cut", "token", "errors", "lost", "lost-500", "resets", "slow", "processing")
"""What ``--without`` can leave out of a plan (the rest of the plan stays the same)."""
_KEYS = {
    "token": ("tokenOutage",),
    "errors": ("errors",),
    "lost": ("lostResponses", "lostResponseMode"),
    "resets": ("resets",),
    "slow": ("latency",),
    "processing": ("slowProcessing",),
}


def _without(step: Step, left_out: frozenset[str]) -> Step | None:
    if step.action in (Action.KILL, Action.RESTART):
        return None if "kill" in left_out else step
    if step.action in (Action.CUT, Action.RESTORE):
        return None if "cut" in left_out else step
    if step.action is not Action.SANDBOX or not step.label:
        return step
    faults = dict(step.faults)
    kinds = step.label.split("+")
    if "lost-500" in left_out and faults.get("lostResponseMode") == "500":
        faults["lostResponseMode"] = "reset"
        kinds = ["lost" if k == "lost-500" else k for k in kinds]
    for kind in left_out & _KEYS.keys():
        for key in _KEYS[kind]:
            faults.pop(key, None)
        kinds = [k for k in kinds if k != kind and not (kind == "lost" and k == "lost-500")]
    if not kinds:
        return None
    return Step(step.at_s, step.action, faults, "+".join(kinds))


def make_plan(
    seed: int, *, chaos_s: float, waves: int, without: frozenset[str] = frozenset()
) -> FaultPlan:
    """Kills, broker cuts and sandbox fault windows spread over ``chaos_s`` seconds.

    ``without`` (names from ``FAULT_KINDS``) removes faults after the plan is drawn, so the
    rest of a seed's plan is unchanged."""
    rng = random.Random(seed)  # noqa: S311 - repeatable chaos, not secrets
    steps: list[Step] = [Step(0.0, Action.PRODUCE)]
    steps += [
        Step(round(chaos_s * 0.75 * i / max(1, waves - 1), 2), Action.PRODUCE)
        for i in range(1, waves)
    ]
    kills = rng.randint(2, 4)
    for _ in range(kills):
        at = rng.uniform(2.0, chaos_s - 3.0)
        steps.append(Step(round(at, 2), Action.KILL))
        steps.append(Step(round(at + rng.uniform(0.3, 2.5), 2), Action.RESTART))
    for _ in range(rng.randint(1, 2)):
        at = rng.uniform(3.0, chaos_s - 10.0)
        steps.append(Step(round(at, 2), Action.CUT))
        steps.append(Step(round(at + rng.uniform(2.0, 9.0), 2), Action.RESTORE))
    at = rng.uniform(0.5, 3.0)
    while at < chaos_s - 2.0:
        if rng.random() < 0.2:  # the token endpoint down (tokens live 5 s: renewals fail)
            faults, label = {"seed": seed, "tokenOutage": True}, "token"
            length = rng.uniform(2.0, 4.0)
        else:
            faults, label = _sandbox_faults(rng, seed)
            length = rng.uniform(3.0, 8.0)
        steps.append(Step(round(at, 2), Action.SANDBOX, faults, label))
        steps.append(Step(round(at + length, 2), Action.SANDBOX, {"seed": seed}))
        at += length + rng.uniform(0.5, 3.0)
    kept = [k for k in (_without(step, without) for step in steps) if k is not None]
    return FaultPlan(seed, tuple(sorted(kept)), chaos_s)
