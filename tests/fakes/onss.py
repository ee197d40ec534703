"""``InMemoryOnss``: ONSS behind the ``DimonaGateway`` port, in memory.

The fake of the gateway contract suite (``tests/contract/test_gateway_contract.py``), for the
app's unit tests. ONSS-like where the pipeline depends on it:

* ``submit`` records the declaration and returns its id; a follow-up without its period id is
  refused (the core's ``UnresolvedPeriod``) before anything counts as sent;
* ``get_answer`` is None until the declaration is processed: after ``polls_before_answer`` polls
  that found nothing, or when the test calls ``process()`` (``polls_before_answer=None``: only
  then). An id it never gave is None too, as ONSS's 404;
* processing gives an accepted IN a new period; a follow-up on an unknown or refused period is
  refused (00913-354), on a cancelled one too (00913-355); a CANCEL cancels its period;
  ``decide`` overrides the result of any declaration (a refusal, a warning, an S);
* ``find_recorded`` lists processed declarations only (like the search and the consultation),
  and returns the first one equal to the declaration whose id is not excluded;
* ``fail_next`` scripts a fault for the next call of an operation: a transient error, a
  permanent one, or an uncertain submission that ONSS nevertheless recorded (``recorded=True``).

``request_count`` counts the calls that reached "ONSS", like the clients' counters.
"""

from __future__ import annotations

import itertools
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from adapter.core.declarations import (
    CancelDeclaration,
    Declaration,
    InDeclaration,
    check_resolved,
)
from adapter.core.results import Anomaly, AnomalySeverity, DeclarationAnswer, DimonaResult

Operation = Literal["submit", "get_answer", "find_recorded"]

FIRST_DECLARATION_ID = 656_310_000_000
FIRST_PERIOD_ID = 656_309_000_000


@dataclass(frozen=True, slots=True)
class Verdict:
    """What ONSS decides about one declaration: a result and the anomaly codes behind it."""

    result: DimonaResult = DimonaResult.ACCEPTED
    anomalies: tuple[str, ...] = ()


Decide = Callable[[Declaration], Verdict | None]
"""A test's say on a declaration's result; None leaves it to the ONSS-like rules."""


@dataclass(slots=True)
class Received:
    """One declaration as ONSS holds it."""

    declaration_id: int
    declaration: Declaration
    polls: int = 0
    answer: DeclarationAnswer | None = None


@dataclass(frozen=True, slots=True)
class _Fault:
    error: Exception
    recorded: bool


class InMemoryOnss:
    def __init__(
        self, *, polls_before_answer: int | None = 0, decide: Decide | None = None
    ) -> None:
        self.polls_before_answer = polls_before_answer
        self.decide: Decide = decide or (lambda _declaration: None)
        self.received: dict[int, Received] = {}
        self.request_count = 0
        self._declaration_ids = itertools.count(FIRST_DECLARATION_ID)
        self._period_ids = itertools.count(FIRST_PERIOD_ID)
        self._cancelled: set[int] = set()
        self._periods: set[int] = set()
        self._faults: dict[Operation, deque[_Fault]] = defaultdict(deque)

    # -- what a test arranges ------------------------------------------------------------------
    def fail_next(self, operation: Operation, error: Exception, *, recorded: bool = False) -> None:
        """The next ``operation`` raises ``error``; with ``recorded``, a submission is kept first
        (the answer was lost after ONSS recorded it: the case reconciliation exists for)."""
        self._faults[operation].append(_Fault(error, recorded))

    def process(self) -> int:
        """Process every declaration received and not processed yet; how many."""
        pending = [r for r in self.received.values() if r.answer is None]
        for received in pending:
            self._process(received)
        return len(pending)

    def declarations(self) -> list[Declaration]:
        """What ONSS received, in order."""
        return [r.declaration for r in self.received.values()]

    # -- the port ------------------------------------------------------------------------------
    async def submit(self, declaration: Declaration) -> int:
        check_resolved(declaration)
        self.request_count += 1
        fault = self._fault("submit")
        if fault is not None and not fault.recorded:
            raise fault.error
        declaration_id = next(self._declaration_ids)
        self.received[declaration_id] = Received(declaration_id, declaration)
        if fault is not None:
            raise fault.error
        return declaration_id

    async def get_answer(self, declaration_id: int) -> DeclarationAnswer | None:
        self.request_count += 1
        if (fault := self._fault("get_answer")) is not None:
            raise fault.error
        received = self.received.get(declaration_id)
        if received is None:
            return None
        if received.answer is None:
            received.polls += 1
            due = self.polls_before_answer
            if due is not None and received.polls > due:
                self._process(received)
        return received.answer

    async def find_recorded(
        self, declaration: Declaration, *, exclude: frozenset[int]
    ) -> int | None:
        check_resolved(declaration)
        self.request_count += 1
        if (fault := self._fault("find_recorded")) is not None:
            raise fault.error
        for received in self.received.values():
            if (
                received.answer is not None
                and received.declaration_id not in exclude
                and received.declaration == declaration
            ):
                return received.declaration_id
        return None

    # -- ONSS's processing ---------------------------------------------------------------------
    def _fault(self, operation: Operation) -> _Fault | None:
        faults = self._faults[operation]
        return faults.popleft() if faults else None

    def _process(self, received: Received) -> None:
        declaration = received.declaration
        verdict = self.decide(declaration) or self._rules(declaration)
        period_id: int | None
        if isinstance(declaration, InDeclaration):
            period_id = next(self._period_ids) if verdict.result.creates_period else None
            if period_id is not None:
                self._periods.add(period_id)
        else:
            period_id = declaration.period_id
            if verdict.result.creates_period and isinstance(declaration, CancelDeclaration):
                self._cancelled.add(declaration.period_id or 0)
        severity = (
            AnomalySeverity.BLOCKING
            if verdict.result is DimonaResult.REFUSED
            else AnomalySeverity.NON_BLOCKING
        )
        received.answer = DeclarationAnswer(
            declaration_id=received.declaration_id,
            result=verdict.result,
            period_id=period_id,
            anomalies=tuple(Anomaly(code=code, severity=severity) for code in verdict.anomalies),
        )

    def _rules(self, declaration: Declaration) -> Verdict:
        if isinstance(declaration, InDeclaration):
            return Verdict()
        if declaration.period_id not in self._periods:
            return Verdict(DimonaResult.REFUSED, ("00913-354",))
        if declaration.period_id in self._cancelled:
            return Verdict(DimonaResult.REFUSED, ("00913-355",))
        return Verdict()
