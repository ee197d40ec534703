"""The judge: given what the topics and the sandbox would show, each invariant holds or names
what broke. Synthetic observations, built from a small real workload."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from adapter.bootstrap import EVENT_SCHEMA
from adapter.chaos.invariants import SHORT, judge
from adapter.chaos.observed import DeadLetter, Observed, SandboxRecords
from adapter.chaos.stories import Story
from adapter.chaos.workload import Workload, build_workload
from adapter.edges.avro.codec import SingleObjectCodec

TODAY = datetime(2026, 12, 1, tzinfo=UTC).date()
_ids: Iterator[int] = itertools.count(1)


def small_workload() -> Workload:
    return build_workload(
        9,
        40,
        today=TODAY,
        encode_record=SingleObjectCodec(EVENT_SCHEMA).encode,
        without=frozenset({"wrong-key", "conflict"}),
    )


def _status(employment: str, event_id: str, status: str, **fields: Any) -> dict[str, Any]:
    return {
        "statusEventId": f"s-{next(_ids)}",
        "employmentId": employment,
        "sourceEventIds": [event_id],
        "status": status,
        **fields,
    }


class World:
    """What a correct adapter and ONSS would show for the workload."""

    def __init__(self, workload: Workload) -> None:
        self.workload = workload
        self.statuses: list[dict[str, Any]] = []
        self.declarations: list[dict[str, Any]] = []
        self.periods: list[dict[str, Any]] = []
        self.counts: dict[str, dict[str, Any]] = {}
        for story in workload.stories:
            self._play(story)
        for bad in workload.expected_rejected:
            assert bad.employment_id
            assert bad.event_id
            self.statuses.append(_status(bad.employment_id, bad.event_id, "REJECTED"))

    def _play(self, story: Story) -> None:
        self.counts[story.worker_key] = {
            "worker": story.worker_key,
            "periods": story.periods,
            "cancelled": story.cancelled,
            "pending": 0,
        }
        for event in story.events:
            event_id = str(event["eventId"])
            self.statuses.append(_status(story.employment_id, event_id, "RECEIVED"))
            for position, kind in enumerate(story.declarations[event_id]):
                self.declare(story, event_id, position, kind)

    def declare(self, story: Story, event_id: str, position: int, kind: str) -> None:
        number = next(_ids)
        ref = {
            "declarationRef": f"{event_id}/{position}",
            "declarationKind": kind,
            "declarationId": number,
        }
        employment = story.employment_id
        self.statuses.append(
            _status(employment, event_id, "SUBMITTED", previousStatus="RECEIVED", **ref)
        )
        self.statuses.append(
            _status(employment, event_id, "ACCEPTED", previousStatus="SUBMITTED", **ref)
        )
        block = {"n": number}
        self.declarations.append(
            {
                "id": number,
                "kind": kind,
                "body": {f"dimona{kind.title()}": block},
                "worker_key": story.worker_key,
            }
        )

    def observed(self, letters: list[DeadLetter] | None = None) -> Observed:
        if letters is None:
            letters = [
                DeadLetter(b.key, b.value, next(iter(b.codes or {"X"})), "why", b.event_id)
                for b in self.workload.bad
            ]
        sandbox = SandboxRecords(list(self.counts.values()), self.declarations, self.periods)
        return Observed(self.statuses, letters, sandbox, [])


def failing(observed: Observed, workload: Workload) -> dict[str, str]:
    return {SHORT[v.name]: v.detail for v in judge(workload, observed) if not v.ok}


def test_a_correct_run_holds_every_invariant() -> None:
    world = World(small_workload())
    assert failing(world.observed(), world.workload) == {}


def test_status_events_repeated_in_order_are_harmless() -> None:
    world = World(small_workload())
    world.statuses += [dict(s) for s in world.statuses[:10]]  # a relay re-publishing
    assert failing(world.observed(), world.workload) == {}


def test_a_declaration_posted_twice_is_caught() -> None:
    world = World(small_workload())
    world.declarations.append(json.loads(json.dumps(world.declarations[0])))
    broken = failing(world.observed(), world.workload)
    assert set(broken) == {"posted once"}
    assert "posted twice" in broken["posted once"]


def test_two_outcomes_and_an_illegal_order_are_caught() -> None:
    world = World(small_workload())
    accepted = next(s for s in world.statuses if s["status"] == "ACCEPTED")
    refused = {**accepted, "statusEventId": "late", "status": "REFUSED"}
    world.statuses.append(refused)
    broken = failing(world.observed(), world.workload)
    assert {"one outcome", "order", "accepted"} <= set(broken)
    assert "ACCEPTED → REFUSED" in broken["order"]


def test_a_missing_period_and_a_silent_event_are_caught() -> None:
    world = World(small_workload())
    story = world.workload.stories[0]
    world.counts[story.worker_key]["periods"] += 1
    dropped = str(story.events[0]["eventId"])
    world.statuses = [s for s in world.statuses if dropped not in s["sourceEventIds"]]
    broken = failing(world.observed(), world.workload)
    assert {"final", "periods", "no loss", "= ONSS"} <= set(broken)


def test_bad_records_must_be_dead_lettered_with_their_reason_and_rejected() -> None:
    world = World(small_workload())
    world.statuses = [s for s in world.statuses if s["status"] != "REJECTED"]
    letters = [
        DeadLetter(b.key, b.value, "SOMETHING_ELSE", "", b.event_id) for b in world.workload.bad[1:]
    ]
    broken = failing(world.observed(letters), world.workload)
    assert {"DLQ exact", "rejected", "no loss"} <= set(broken)
    assert "wrong reason" in broken["DLQ exact"]
    assert "without a reason message" in broken["DLQ exact"]


def test_an_event_declared_before_the_previous_one_ended_is_caught() -> None:
    world = World(small_workload())
    story = next(s for s in world.workload.stories if len(s.events) == 2)
    second = str(story.events[1]["eventId"])
    moved = [
        s for s in world.statuses if second in s["sourceEventIds"] and s["status"] != "RECEIVED"
    ]
    world.statuses = [s for s in world.statuses if s not in moved]
    first_final = next(
        n
        for n, s in enumerate(world.statuses)
        if str(story.events[0]["eventId"]) in s["sourceEventIds"] and s["status"] == "ACCEPTED"
    )
    world.statuses[first_final:first_final] = moved
    broken = failing(world.observed(), world.workload)
    assert "order" in broken


def test_an_event_is_not_final_while_one_of_its_declarations_is_unseen() -> None:
    world = World(small_workload())
    story = next(s for s in world.workload.stories if s.kind == "stu-two-quarters")
    event_id = str(story.events[0]["eventId"])
    world.statuses = [s for s in world.statuses if s.get("declarationRef") != f"{event_id}/1"]
    broken = failing(world.observed(), world.workload)
    assert "final" in broken
    assert "accepted" in broken


def test_an_id_of_another_worker_is_caught() -> None:
    world = World(small_workload())
    first, second = world.workload.stories[:2]
    theirs = next(
        s["declarationId"]
        for s in world.statuses
        if s["employmentId"] == second.employment_id and s.get("declarationId")
    )
    for status in world.statuses:
        if status["employmentId"] == first.employment_id and status.get("declarationId"):
            status["declarationId"] = theirs
    broken = failing(world.observed(), world.workload)
    assert "= ONSS" in broken
    assert "another worker" in broken["= ONSS"]


def test_a_status_event_id_reused_for_another_content_is_caught() -> None:
    world = World(small_workload())
    submitted = next(s for s in world.statuses if s["status"] == "SUBMITTED")
    world.statuses.append({**submitted, "declarationId": 1})  # same id, another declaration
    broken = failing(world.observed(), world.workload)
    assert "reused" in broken["one outcome"]
