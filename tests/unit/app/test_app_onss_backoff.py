"""A failing ONSS is met with growing waits (issue 11, point 5): per declaration, with jitter,
``Retry-After`` capped, and one shared circuit that slows every actor."""

from __future__ import annotations

import asyncio
import itertools

from adapter.app.driver import DeclarationDriver, DriverConfig
from adapter.app.intake import Accepted, Intake
from adapter.app.onss_circuit import CircuitConfig, OnssCircuit
from adapter.app.ports import InboxEntry
from adapter.app.status_events import StatusEvents
from adapter.core.errors import TransientError
from adapter.core.machine import DeclarationState
from adapter.core.results import DeclarationAnswer, DimonaResult
from adapter.edges.store.memory import MemoryStore
from tests.unit.app.fakes import EVENTS, STATUSES, MovingClock, hire_message

DECLARATION_ID = 100_000_000_017


class FailingOnss:
    """Accepts the POST, then answers every GET with a transient failure ``failures`` times."""

    def __init__(self, clock: MovingClock, failures: int, retry_after: float | None = None):
        self.clock = clock
        self.failures = failures
        self.retry_after = retry_after
        self.polled_at: list[float] = []

    async def submit(self, declaration: object) -> int:
        return DECLARATION_ID

    async def get_answer(self, declaration_id: int) -> DeclarationAnswer | None:
        self.polled_at.append(self.clock.monotonic())
        if len(self.polled_at) <= self.failures:
            raise TransientError("get_answer: HTTP 500", retry_after=self.retry_after)
        return DeclarationAnswer(
            declaration_id=declaration_id, result=DimonaResult.ACCEPTED, period_id=5_000_000_001
        )

    async def find_recorded(self, declaration: object, *, exclude: frozenset[int]) -> int | None:
        raise AssertionError("no reconciliation here")


async def drive_one(onss: FailingOnss, clock: MovingClock, **config: float) -> MemoryStore:
    store = MemoryStore()
    message = hire_message(1)
    accepted = Intake(EVENTS, StatusEvents(STATUSES)).examine(
        message, now=clock.now(), today=clock.today()
    )
    assert isinstance(accepted, Accepted)
    await store.record_events([accepted.entry], {})
    driver = DeclarationDriver(
        inbox=store,
        ledger=store,
        gateway=onss,  # type: ignore[arg-type]
        statuses=StatusEvents(STATUSES),
        clock=clock,
        config=DriverConfig(**config),  # type: ignore[arg-type]
        circuit=OnssCircuit(
            clock.monotonic,
            CircuitConfig(
                threshold=3, cap_s=60.0, retry_after_cap_s=config.get("retry_after_cap_s", 300.0)
            ),
        ),
    )
    entry: InboxEntry | None = await store.next_open_event("E-1")
    assert entry is not None
    await asyncio.wait_for(driver.process_event(entry), 10)
    return store


async def test_polls_back_off_exponentially_while_onss_fails() -> None:
    clock = MovingClock()
    onss = FailingOnss(clock, failures=10)
    store = await drive_one(onss, clock)
    first = onss.polled_at[0]
    in_first_30_s = [t for t in onss.polled_at if t - first <= 30.0]
    # Before the fix: a GET every ~0.4 s, 74 in 30 s. Now: 0.5, 1, 2, 4, 8, 16 s... (jittered).
    assert len(in_first_30_s) <= 7, in_first_30_s
    gaps = [b - a for a, b in zip(onss.polled_at, onss.polled_at[1:11], strict=False)]
    assert all(later >= earlier for earlier, later in itertools.pairwise(gaps)), gaps
    (declaration,) = (await store.history("E-1")).declarations
    assert declaration.progress.state is DeclarationState.ACCEPTED


async def test_a_retry_after_is_honoured_up_to_its_cap() -> None:
    clock = MovingClock()
    onss = FailingOnss(clock, failures=2, retry_after=86_400.0)  # "come back tomorrow"
    await drive_one(onss, clock, retry_after_cap_s=120.0, retry_backoff_cap_s=300.0)
    gaps = [b - a for a, b in zip(onss.polled_at, onss.polled_at[1:], strict=False)]
    assert gaps
    assert all(gap <= 121.0 for gap in gaps), gaps
    assert gaps[0] >= 119.0


def test_the_shared_circuit_opens_after_consecutive_failures_and_closes_on_success() -> None:
    now = [0.0]
    circuit = OnssCircuit(lambda: now[0], CircuitConfig(threshold=3, base_s=1.0, cap_s=8.0),
                          jitter=lambda: 1.0)  # fmt: skip
    for _ in range(2):
        circuit.failure()
    assert circuit.wait_s() == 0.0  # below the threshold: every actor still calls
    circuit.failure()
    assert circuit.wait_s() == 1.0
    for _ in range(10):
        circuit.failure()
    assert circuit.wait_s() == 8.0  # capped
    now[0] = 3.0
    assert circuit.wait_s() == 5.0
    circuit.success()
    assert circuit.wait_s() == 0.0


def test_a_retry_after_holds_every_actor_back_capped() -> None:
    circuit = OnssCircuit(lambda: 0.0, CircuitConfig(threshold=100, retry_after_cap_s=60.0))
    circuit.failure(retry_after=30.0)
    assert circuit.wait_s() == 30.0
    circuit.failure(retry_after=10_000.0)
    assert circuit.wait_s() == 60.0
