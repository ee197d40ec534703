"""The seeded fault plan of one chaos run: what happens when, decided before the run starts.

Times are seconds from the start of the chaos phase. The same seed always gives the same plan
(the moments are exact; what the adapter is doing at those moments is not). The two-replica
PostgreSQL mode draws its extras (which replica a kill hits, PostgreSQL cuts and black holes,
broker black holes) from a second generator, so the rest of a seed's plan is the same in both
modes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

MODES = ("sqlite", "postgres-2")
"""One adapter on SQLite; two adapters in one consumer group on one PostgreSQL database."""
ALL_REPLICAS = -1


class Action(StrEnum):
    KILL = "kill"  # SIGKILL an adapter process (``replica``, or every one)
    RESTART = "restart"  # start it again
    CUT = "cut"  # reset every connection of ``link`` and refuse new ones (TCP proxy)
    BLACKHOLE = "blackhole"  # ``link`` silently stops moving bytes
    RESTORE = "restore"  # ``link`` works again (a black hole heals)
    SANDBOX = "sandbox"  # replace the sandbox faults with ``faults``
    PRODUCE = "produce"  # produce the next wave of events


class Link(StrEnum):
    BROKER = "broker"
    POSTGRES = "postgres"


@dataclass(frozen=True, slots=True, order=True)
class Step:
    at_s: float
    action: Action
    faults: dict[str, Any] = field(default_factory=dict, compare=False)
    label: str = field(default="", compare=False)
    replica: int = field(default=ALL_REPLICAS, compare=False)
    link: Link = field(default=Link.BROKER, compare=False)


_LINK_ACTIONS = frozenset({Action.CUT, Action.BLACKHOLE, Action.RESTORE})


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

    def windows(self, link: Link) -> list[str]:
        """The labels of the outages of ``link``, in order (a black hole ending in resets is
        one outage)."""
        labels: list[str] = []
        down = False
        for step in self.steps:
            if step.action not in _LINK_ACTIONS or step.link is not link:
                continue
            if step.action is Action.RESTORE:
                down = False
            elif not down:
                labels.append(step.label)
                down = True
        return labels


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


FAULT_KINDS = (
    "kill",
    "cut",
    "pg",
    "pg-reset",
    "pg-blackhole",
    "token",
    "errors",
    "lost",
    "lost-500",
    "resets",
    "slow",
    "processing",
)
"""What ``--without`` can leave out of a plan (the rest of the plan stays the same): ``cut``
is every broker outage, ``pg`` every PostgreSQL outage."""
_LINK_LABELS = {
    "cut": {"cut", "broker-blackhole"},
    "pg": {"pg-reset", "pg-blackhole"},
    "pg-reset": {"pg-reset"},
    "pg-blackhole": {"pg-blackhole"},
}
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
    if step.action in _LINK_ACTIONS:
        dropped = set().union(*(_LINK_LABELS.get(kind, set()) for kind in left_out))
        return None if step.label in dropped else step
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
    seed: int,
    *,
    chaos_s: float,
    waves: int,
    without: frozenset[str] = frozenset(),
    mode: str = "sqlite",
) -> FaultPlan:
    """Kills, broker cuts and sandbox fault windows spread over ``chaos_s`` seconds; in the
    ``postgres-2`` mode also PostgreSQL outages and kills aimed at either replica.

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
        steps.append(Step(round(at, 2), Action.CUT, label="cut"))
        steps.append(Step(round(at + rng.uniform(2.0, 9.0), 2), Action.RESTORE, label="cut"))
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
    if mode == "postgres-2":
        steps = _two_replicas(seed, steps, chaos_s)
    kept = [k for k in (_without(step, without) for step in steps) if k is not None]
    return FaultPlan(seed, tuple(sorted(kept)), chaos_s)


def _two_replicas(seed: int, steps: list[Step], chaos_s: float) -> list[Step]:
    """Aim each kill at one replica (sometimes both), turn some broker cuts into black holes,
    and add one or two PostgreSQL outages: a reset, or a black hole that heals or ends in
    resets."""
    rng = random.Random(f"{seed}/postgres-2")  # noqa: S311 - repeatable chaos
    out: list[Step] = []
    target = ALL_REPLICAS
    for drawn in steps:  # in drawing order: each KILL is followed by its RESTART
        step = drawn
        if step.action is Action.KILL:
            target = ALL_REPLICAS if rng.random() < 0.15 else rng.randrange(2)
        if step.action in (Action.KILL, Action.RESTART):
            step = replace(step, replica=target)
        elif step.action is Action.CUT and rng.random() < 0.3:
            step = replace(step, action=Action.BLACKHOLE, label="broker-blackhole")
        elif step.action is Action.RESTORE and out and out[-1].label == "broker-blackhole":
            step = replace(step, label="broker-blackhole")
        out.append(step)
    at = rng.uniform(3.0, chaos_s / 2)
    for _ in range(rng.randint(1, 2)):
        if at > chaos_s - 6.0:
            break
        pg = Link.POSTGRES
        if rng.random() < 0.5:
            end = at + rng.uniform(2.0, 8.0)
            out.append(Step(round(at, 2), Action.CUT, label="pg-reset", link=pg))
            out.append(Step(round(end, 2), Action.RESTORE, label="pg-reset", link=pg))
        else:
            end = at + rng.uniform(3.0, 12.0)
            out.append(Step(round(at, 2), Action.BLACKHOLE, label="pg-blackhole", link=pg))
            if rng.random() < 0.5:  # ends in resets, as a firewall dropping the flows would
                out.append(Step(round(end, 2), Action.CUT, label="pg-blackhole", link=pg))
                end += 0.5
            out.append(Step(round(end, 2), Action.RESTORE, label="pg-blackhole", link=pg))
        at = end + rng.uniform(3.0, 10.0)
    return out
