"""The valid part of a chaos workload: employment stories, each with what ONSS must end up with.

A story is the events of one employment of one worker, in order, together with the
declarations each event must become and the periods the sandbox must hold at the end. The
expectations are written out by hand from the Dimona rules (docs/reliability.md), not computed
by the adapter's translation: a shared bug would otherwise hide itself.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from adapter.core.identifiers import make_ssin
from adapter.core.rules.quarters import quarter_end
from adapter.demo_events import UNIDENTIFIED_WORKER, hire, leave

FLEXI_HOURS = ("18:00", "23:00")
STUDENT_HOURS = 30


@dataclass(slots=True)
class Story:
    kind: str
    employment_id: str
    worker_key: str
    """How the sandbox names the worker in ``/admin/period-counts``."""
    events: list[dict[str, Any]] = field(default_factory=list)
    declarations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Event id → the declaration kinds it must become (sorted)."""
    periods: int = 0
    """Periods ONSS must hold at the end (active), per ``period-counts``."""
    cancelled: int = 0

    def add(self, event: dict[str, Any], *kinds: str) -> dict[str, Any]:
        self.events.append(event)
        self.declarations[str(event["eventId"])] = tuple(sorted(kinds))
        return event

    @property
    def posted(self) -> Counter[str]:
        """Declarations ONSS must have received for this worker, by kind (each exactly once)."""
        return Counter(k for kinds in self.declarations.values() for k in kinds)


def seeded_ids(seed: int) -> Callable[[], str]:
    """Event ids drawn from their own generator (the rest of a seed's draws stay the same)."""
    rng = random.Random(f"{seed}/event-ids")  # noqa: S311 - repeatable ids, not secrets
    return lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))


STORY_WEIGHTS: dict[str, int] = {
    "oth-hire": 3,
    "oth-leave": 4,
    "oth-change": 2,
    "oth-cancel": 2,
    "stu-two-quarters": 2,
    "stu-two-quarters-leave": 1,
    "flexi-days": 2,
    "no-ssin": 1,
    "no-ssin-leave": 1,
}
"""How often each story is drawn (events per story: 1 or 2)."""


class StoryMaker:
    """Distinct workers and employments for one run; dates relative to ``today``."""

    def __init__(self, seed: int, today: date, rng: random.Random) -> None:
        self._rng = rng
        self.new_id = seeded_ids(seed)
        self._tag = f"{seed % 100000:05d}"
        self._born0 = date(1960, 1, 1) + timedelta(days=seed % 3000)
        self._count = 0
        self.today = today
        self.start = today + timedelta(days=5)

    def next_worker(self) -> tuple[str, str]:
        """A fresh employment id and a check-digit-valid SSIN nobody else in the run has."""
        index = self._count
        self._count += 1
        ssin = make_ssin(self._born0 + timedelta(days=index // 400), 1 + 2 * (index % 400))
        return f"E-CHAOS-{self._tag}-{index:04d}", ssin

    def make(self, kind: str) -> Story:
        employment, ssin = self.next_worker()
        story = Story(kind, employment, ssin)
        builder = getattr(self, "_" + kind.replace("-", "_"))
        builder(story, ssin)
        for event in story.events:  # seeded ids: a seed gives the same events, ids included
            kinds = story.declarations.pop(str(event["eventId"]))
            event["eventId"] = self.new_id()
            story.declarations[event["eventId"]] = kinds
        return story

    # -- ordinary workers (OTH) -------------------------------------------------------------
    def _oth_hire(self, story: Story, ssin: str) -> None:
        story.add(hire(story.employment_id, ssin, self.start), "IN")
        story.periods = 1

    def _oth_leave(self, story: Story, ssin: str) -> None:
        story.add(hire(story.employment_id, ssin, self.start), "IN")
        last = self.start + timedelta(days=10 + self._rng.randrange(30))
        story.add(leave(story.employment_id, ssin, last), "OUT")
        story.periods = 1

    def _oth_change(self, story: Story, ssin: str) -> None:
        """A fixed-term contract whose end date moves: an UPDATE of the same period."""
        end = self.start + timedelta(days=20)
        story.add(hire(story.employment_id, ssin, self.start, end=end), "IN")
        change = hire(story.employment_id, ssin, self.start, end=end + timedelta(days=15))
        change["eventType"] = "CHANGE"
        story.add(change, "UPDATE")
        story.periods = 1

    def _oth_cancel(self, story: Story, ssin: str) -> None:
        story.add(hire(story.employment_id, ssin, self.start), "IN")
        cancel = hire(story.employment_id, ssin, self.start)
        cancel["eventType"] = "CANCEL"
        del cancel["contract"]
        story.add(cancel, "CANCEL")
        story.cancelled = 1

    # -- students over a quarter boundary (STU: one IN per quarter) ---------------------------
    def _student_dates(self) -> tuple[date, date]:
        boundary = quarter_end(self.start)
        first = max(self.today + timedelta(days=2), boundary - timedelta(days=4))
        first -= timedelta(days=self._rng.randrange(3))
        first = max(first, self.today + timedelta(days=2))
        return first, boundary + timedelta(days=5 + self._rng.randrange(10))

    def _student(self, story: Story, ssin: str, first: date, end: date) -> dict[str, Any]:
        return hire(
            story.employment_id,
            ssin,
            first,
            worker_type="STU",
            joint_committee="302",
            end=end,
            plannedHours=STUDENT_HOURS,
        )

    def _stu_two_quarters(self, story: Story, ssin: str) -> None:
        first, end = self._student_dates()
        story.add(self._student(story, ssin, first, end), "IN", "IN")
        story.periods = 2

    def _stu_two_quarters_leave(self, story: Story, ssin: str) -> None:
        """Leaves in the first quarter: the second quarter's period is cancelled, the first
        shortened (an UPDATE of its end date)."""
        first, end = self._student_dates()
        story.add(self._student(story, ssin, first, end), "IN", "IN")
        last = min(first + timedelta(days=1), quarter_end(first))
        story.add(leave(story.employment_id, ssin, last), "CANCEL", "UPDATE")
        story.periods, story.cancelled = 1, 1

    # -- flexi days (FLX with hours: one IN per day) -------------------------------------------
    def _flexi_days(self, story: Story, ssin: str) -> None:
        days = 2 + self._rng.randrange(2)
        first = self.start + timedelta(days=self._rng.randrange(5))
        event = hire(
            story.employment_id,
            ssin,
            first,
            worker_type="FLX",
            joint_committee="302",
            end=first + timedelta(days=days - 1),
            startTime=FLEXI_HOURS[0],
            endTime=FLEXI_HOURS[1],
        )
        story.add(event, *(["IN"] * days))
        story.periods = days

    # -- workers without SSIN (ONSS answers S, then A once SIGeDIS has identified them) -------
    def _unidentified(self, story: Story) -> dict[str, Any]:
        index = int(story.employment_id.rsplit("-", 1)[1])
        family = "CHAOS" + "".join(chr(ord("A") + int(d)) for d in f"{index:04d}")
        birth = date(1990, 1, 1) + timedelta(days=index)
        story.worker_key = f"id:{family}|ANNA|{birth.isoformat()}"
        return {**UNIDENTIFIED_WORKER, "familyName": family, "birthDate": birth.isoformat()}

    def _no_ssin_hire(self, story: Story) -> dict[str, Any]:
        event = hire(story.employment_id, "", self.start)
        event["worker"] = self._unidentified(story)
        story.add(event, "IN")
        story.periods = 1
        return event

    def _no_ssin(self, story: Story, _ssin: str) -> None:
        self._no_ssin_hire(story)

    def _no_ssin_leave(self, story: Story, _ssin: str) -> None:
        worker = self._no_ssin_hire(story)["worker"]
        out = leave(story.employment_id, "", self.start + timedelta(days=12))
        out["worker"] = worker
        story.add(out, "OUT")


def story_kinds(without: Iterable[str] = ()) -> list[str]:
    """``--without no-ssin`` leaves the workers without SSIN out."""
    left_out = set(without)
    return [k for k in STORY_WEIGHTS if not (k.startswith("no-ssin") and "no-ssin" in left_out)]


def draw_stories(
    maker: StoryMaker, rng: random.Random, events: int, kinds: list[str] | None = None
) -> list[Story]:
    """Stories until about ``events`` events; every kind at least once when there is room."""
    kinds = kinds or list(STORY_WEIGHTS)
    stories: list[Story] = []
    total = 0
    for kind in kinds:
        if total >= events:
            break
        stories.append(maker.make(kind))
        total += len(stories[-1].events)
    weights = [STORY_WEIGHTS[k] for k in kinds]
    while total < events:
        story = maker.make(rng.choices(kinds, weights)[0])
        stories.append(story)
        total += len(story.events)
    return stories
