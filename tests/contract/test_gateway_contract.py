"""The ``DimonaGateway`` contract, run against every implementation of the port.

* ``fake``: ``tests.fakes.onss.InMemoryOnss``, the fake the app's unit tests drive;
* ``rest``: ``DimonaRestClient`` against the sandbox on loopback (real HTTP, real OAuth);
* ``soap``: ``DimonaSoapClient`` against the same sandbox's SOAP endpoint.

The sandbox is started with a processing delay of an hour, so nothing is processed until a test
says so (``Backend.process``): "not processed yet" is a state the test controls, not a race.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import pytest

from adapter.app.ports import DimonaGateway
from adapter.core.declarations import Declaration, UnresolvedPeriod
from adapter.core.errors import PermanentError
from adapter.core.results import DimonaResult
from adapter.edges.dimona_rest.keys import KeyPairPaths, create_key_pair
from adapter.sandbox import admin_client
from adapter.sandbox.process import SandboxProcess
from tests import declarations as d
from tests.fakes.onss import InMemoryOnss
from tests.sandbox.loopback import rest_client, running_sandbox, soap_client
from tests.sandbox.payloads import SSIN

CLIENT_ID = "self_service_chaman_424243_gateway"
NEVER_GIVEN = 999_999_999_999
ACCEPTED = (DimonaResult.ACCEPTED, DimonaResult.ACCEPTED_WITH_WARNING)


@dataclass(frozen=True)
class Backend:
    gateway: DimonaGateway
    process: Callable[[], object]
    """ONSS processes every declaration it received."""
    requests: Callable[[], int]
    """Requests that reached ONSS so far."""


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> KeyPairPaths:
    return create_key_pair(tmp_path_factory.mktemp("gateway-keys"), CLIENT_ID)


@pytest.fixture(scope="module")
def sandbox(keys: KeyPairPaths) -> Iterator[SandboxProcess]:
    with running_sandbox(keys, CLIENT_ID, processing_delay=3600) as running:
        yield running


@pytest.fixture(
    params=[
        "fake",
        pytest.param("rest", marks=pytest.mark.slow),
        pytest.param("soap", marks=pytest.mark.slow),
    ]
)
async def backend(request: pytest.FixtureRequest, keys: KeyPairPaths) -> AsyncIterator[Backend]:
    if request.param == "fake":
        onss = InMemoryOnss(polls_before_answer=None)
        yield Backend(onss, onss.process, lambda: onss.request_count)
        return
    sandbox: SandboxProcess = request.getfixturevalue("sandbox")
    admin_client.reset(sandbox.admin_url)

    def process() -> int:
        return admin_client.process_now(sandbox.admin_url, everything=True)

    connect = rest_client if request.param == "rest" else soap_client
    async with connect(sandbox, keys, CLIENT_ID) as client:
        yield Backend(client, process, lambda: client.request_count)


async def _accepted_period(backend: Backend) -> tuple[int, int]:
    """Declare the ordinary IN and let ONSS process it: (its declaration id, its period id)."""
    declaration_id = await backend.gateway.submit(d.ordinary_in())
    backend.process()
    answer = await backend.gateway.get_answer(declaration_id)
    assert answer is not None
    assert answer.result in ACCEPTED, answer.anomalies
    assert answer.period_id is not None
    return declaration_id, answer.period_id


async def test_submit_returns_the_declaration_id(backend: Backend) -> None:
    first = await backend.gateway.submit(d.ordinary_in())
    second = await backend.gateway.submit(d.flexi_day())
    assert isinstance(first, int)
    assert first > 0
    assert second not in (first, 0)


async def test_no_answer_until_processed_then_the_answer(backend: Backend) -> None:
    declaration_id = await backend.gateway.submit(d.ordinary_in())
    assert await backend.gateway.get_answer(declaration_id) is None
    backend.process()
    answer = await backend.gateway.get_answer(declaration_id)
    assert answer is not None
    assert answer.declaration_id == declaration_id
    assert answer.result is DimonaResult.ACCEPTED
    assert answer.period_id is not None
    assert await backend.gateway.get_answer(NEVER_GIVEN) is None


async def test_find_recorded_finds_the_declaration_unless_excluded(backend: Backend) -> None:
    declaration = d.ordinary_in()
    declaration_id = await backend.gateway.submit(declaration)
    backend.process()
    gateway = backend.gateway
    assert await gateway.find_recorded(declaration, exclude=frozenset()) == declaration_id
    assert await gateway.find_recorded(declaration, exclude=frozenset({declaration_id})) is None
    another_day = d.ordinary_in(start=d.d(3, 9))
    assert await gateway.find_recorded(another_day, exclude=frozenset()) is None


async def test_find_recorded_finds_the_lost_one_among_identical_declarations(
    backend: Backend,
) -> None:
    # The reconciliation case: the first POST's id is known, the second's answer was lost.
    declaration = d.ordinary_in()
    known = await backend.gateway.submit(declaration)
    lost = await backend.gateway.submit(declaration)
    backend.process()
    assert await backend.gateway.find_recorded(declaration, exclude=frozenset({known})) == lost


async def test_find_recorded_never_adopts_another_workers_declaration(backend: Backend) -> None:
    """Two workers without SSIN, hired by one employer on the same day with the same features:
    the lost IN of one must not be taken for the other's (found by the chaos suite: the worker
    was never declared, and its LEAVE closed the other's period)."""
    theirs = await backend.gateway.submit(d.without_ssin("NOWAK"))
    backend.process()
    ours = d.without_ssin("KOWALSKA")
    assert await backend.gateway.find_recorded(ours, exclude=frozenset()) is None
    lost = await backend.gateway.submit(ours)
    backend.process()
    found = await backend.gateway.find_recorded(ours, exclude=frozenset({theirs}))
    assert found == lost
    assert await backend.gateway.find_recorded(ours, exclude=frozenset({lost})) is None


FOLLOW_UPS: dict[str, Callable[[int], Declaration]] = {
    "OUT": d.out,
    "UPDATE": lambda period_id: d.update(period_id, start_date=d.d(3, 3)),
    "CANCEL": d.cancel,
}


@pytest.mark.parametrize("kind", ["IN", "OUT", "UPDATE", "CANCEL"])
async def test_every_kind_is_submitted_answered_and_found(backend: Backend, kind: str) -> None:
    in_id, period_id = await _accepted_period(backend)
    declaration: Declaration = d.ordinary_in()
    declaration_id = in_id
    if kind != "IN":
        declaration = FOLLOW_UPS[kind](period_id)
        declaration_id = await backend.gateway.submit(declaration)
        backend.process()
    answer = await backend.gateway.get_answer(declaration_id)
    assert answer is not None
    assert answer.result in ACCEPTED, answer.anomalies
    assert answer.period_id == period_id
    others = frozenset({in_id} - {declaration_id})
    assert await backend.gateway.find_recorded(declaration, exclude=others) == declaration_id


@pytest.mark.parametrize(
    "follow_up",
    [
        d.out(None).model_copy(update={"ssin": SSIN}),
        d.update(None, end_date=d.d(9, 30)),
        d.cancel(None),
    ],
    ids=["OUT", "UPDATE", "CANCEL"],
)
async def test_an_unresolved_period_is_refused_before_any_request(
    backend: Backend, follow_up: Declaration
) -> None:
    before = backend.requests()
    with pytest.raises(UnresolvedPeriod) as refused:
        await backend.gateway.submit(follow_up)
    with pytest.raises(UnresolvedPeriod):
        await backend.gateway.find_recorded(follow_up, exclude=frozenset())
    assert backend.requests() == before
    assert isinstance(refused.value, PermanentError)  # the pipeline fails the declaration
    assert SSIN not in str(refused.value)
