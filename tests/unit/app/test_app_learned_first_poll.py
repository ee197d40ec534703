"""The first GET timed from ONSS's recent answer times: when ONSS takes 2 s to
process and the schedule polls from 0.05 s every 0.2 s, the GETs that would read a 404 are
not sent once a few answers were seen; with the setting off, every declaration pays them
(docs/decisions.md, D-32)."""

from __future__ import annotations

import asyncio

import pytest

from adapter.app.driver import DeclarationDriver, DriverConfig
from adapter.app.intake import Accepted, Intake
from adapter.app.status_events import StatusEvents
from adapter.core.polling import PollSchedule, PollTier
from adapter.core.results import DeclarationAnswer, DimonaResult
from adapter.edges.store.memory import MemoryStore
from tests.unit.app.fakes import EVENTS, STATUSES, MovingClock, hire_message

PROCESSING_S = 2.0


class SlowOnss:
    """Answers a declaration only ``PROCESSING_S`` after it was posted (404 before)."""

    def __init__(self, clock: MovingClock) -> None:
        self.clock = clock
        self.posted_at: dict[int, float] = {}
        self.gets = 0

    async def submit(self, declaration: object) -> int:
        declaration_id = 100_000_000_000 + len(self.posted_at)
        self.posted_at[declaration_id] = self.clock.monotonic()
        return declaration_id

    async def get_answer(self, declaration_id: int) -> DeclarationAnswer | None:
        self.gets += 1
        if self.clock.monotonic() - self.posted_at[declaration_id] < PROCESSING_S:
            return None
        return DeclarationAnswer(
            declaration_id=declaration_id, result=DimonaResult.ACCEPTED, period_id=declaration_id
        )

    async def find_recorded(self, declaration: object, *, exclude: frozenset[int]) -> int | None:
        raise AssertionError("no reconciliation here")


async def gets_per_declaration(*, learn: bool, declarations: int = 30) -> list[int]:
    clock = MovingClock()
    onss = SlowOnss(clock)
    store = MemoryStore()
    schedule = PollSchedule(
        first_wait=0.05, tiers=(PollTier(until=60, interval=0.2),), learn_first_wait=learn
    )
    driver = DeclarationDriver(
        inbox=store,
        ledger=store,
        gateway=onss,  # type: ignore[arg-type]
        statuses=StatusEvents(STATUSES),
        clock=clock,
        config=DriverConfig(poll_schedule=schedule),
    )
    intake = Intake(EVENTS, StatusEvents(STATUSES))
    counts = []
    for n in range(declarations):
        accepted = intake.examine(hire_message(n), now=clock.now(), today=clock.today())
        assert isinstance(accepted, Accepted)
        await store.record_events([accepted.entry], {})
        before = onss.gets
        await asyncio.wait_for(driver.process_event(accepted.entry), 10)
        counts.append(onss.gets - before)
    return counts


@pytest.mark.parametrize("learn", [True, False])
async def test_gets_per_declaration_with_a_slow_onss(learn: bool) -> None:
    counts = await gets_per_declaration(learn=learn)
    assert counts[0] == 11  # nothing learned yet: 0.05 s, then every 0.2 s up to 2.05 s
    if learn:
        assert max(counts[5:]) <= 3, counts
        assert sum(counts[5:]) / len(counts[5:]) < 2.5, counts
    else:
        assert counts[5:] == [11] * len(counts[5:])
