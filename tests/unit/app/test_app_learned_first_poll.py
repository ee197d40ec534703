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
    """Answers a declaration only ``processing_s`` after it was posted (404 before); every
    GET takes ``latency_s``."""

    def __init__(
        self, clock: MovingClock, processing_s: float = PROCESSING_S, latency_s: float = 0.0
    ) -> None:
        self.clock = clock
        self.processing_s = processing_s
        self.latency_s = latency_s
        self.posted_at: dict[int, float] = {}
        self.gets = 0
        self.asked_after: list[float] = []

    async def submit(self, declaration: object) -> int:
        declaration_id = 100_000_000_000 + len(self.posted_at)
        self.posted_at[declaration_id] = self.clock.monotonic()
        return declaration_id

    async def get_answer(self, declaration_id: int) -> DeclarationAnswer | None:
        self.gets += 1
        elapsed = self.clock.monotonic() - self.posted_at[declaration_id]
        self.asked_after.append(elapsed)
        await self.clock.sleep(self.latency_s)
        if elapsed < self.processing_s:
            return None
        return DeclarationAnswer(
            declaration_id=declaration_id, result=DimonaResult.ACCEPTED, period_id=declaration_id
        )

    async def find_recorded(self, declaration: object, *, exclude: frozenset[int]) -> int | None:
        raise AssertionError("no reconciliation here")


async def gets_per_declaration(
    *, learn: bool, declarations: int = 30, onss: SlowOnss | None = None
) -> list[int]:
    clock = onss.clock if onss is not None else MovingClock()
    onss = onss or SlowOnss(clock)
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


async def test_a_fast_onss_keeps_the_first_get_at_its_configured_wait() -> None:
    # Timed by when the answer came back, each report added the GET's own 50 ms and the first
    # GET drifted to ~0.45 s (x = 0.9 (x + 0.05)): a plain consumer ran at half its speed.
    onss = SlowOnss(MovingClock(), processing_s=0.0, latency_s=0.05)
    counts = await gets_per_declaration(learn=True, declarations=60, onss=onss)
    assert counts == [1] * 60
    assert max(onss.asked_after) < 0.06, onss.asked_after[-5:]
