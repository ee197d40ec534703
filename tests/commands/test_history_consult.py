"""``history`` and ``consult`` on a store filled the way the executor fills it, with the
declaration really sent to the sandbox (so ONSS and the store can be compared)."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from adapter.app.ports import EventOutcome, InboxEntry, PlannedDeclaration
from adapter.app.status_events import StatusEvents
from adapter.bootstrap import STATUS_SCHEMA
from adapter.cli import main
from adapter.commands.consult import Criteria, Found, matches
from adapter.core.declarations import Declaration
from adapter.core.events import EmploymentEvent
from adapter.core.machine import DeclarationProgress, DeclarationState
from adapter.core.results import DeclarationAnswer
from adapter.core.translation import translate
from adapter.demo_events import hire, ssin_for
from adapter.edges.avro.codec import SingleObjectCodec
from adapter.edges.dimona_rest.client import DimonaRestClient
from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.store.factory import open_async_store
from adapter.settings import Settings, StoreSettings
from tests.commands.settings_env import use_settings


@dataclass(frozen=True)
class Recorded:
    employment_id: str
    ssin: str
    declaration_id: int
    event_id: str


async def _declare(config: DimonaRestConfig, declaration: Declaration) -> DeclarationAnswer:
    async with DimonaRestClient.from_config(config) as client:
        declaration_id = await client.submit(declaration)
        for _ in range(200):
            answer = await client.get_answer(declaration_id)
            if answer is not None:
                return answer
            await asyncio.sleep(0.05)
    raise AssertionError("the sandbox never answered")


async def _record(
    url: str,
    event: EmploymentEvent,
    declaration: Declaration,
    body: dict[str, object] | None,
    answer: DeclarationAnswer,
    now: datetime,
) -> None:
    """The store as the pipeline leaves it once the declaration is accepted and published."""
    store = open_async_store(url)
    await store.migrate()
    statuses = StatusEvents(SingleObjectCodec(STATUS_SCHEMA))
    entry = InboxEntry(event, "hr.employment.events", 1, 17, now.timestamp())
    await store.record_events([entry], {event.event_id: [statuses.received(1, event, now)]})
    [stored] = await store.plan_declarations(
        event.event_id,
        event.employment_id,
        [PlannedDeclaration(declaration, body)],
        now.timestamp(),
    )
    progress = DeclarationProgress(
        DeclarationState.ACCEPTED,
        attempts=1,
        declaration_id=answer.declaration_id,
        submitted_at=now,
        answer=answer,
    )
    await store.save_progress(
        stored, progress, next_action_at=None, outbox=[], periods=None, now=now.timestamp()
    )
    await store.finish_event(event.event_id, EventOutcome.DONE, [], now.timestamp())
    [received] = await store.pending_outbox(None, 10)  # RECEIVED, published
    await store.mark_published([received.row_id])
    store.close()


@pytest.fixture
def recorded(
    tmp_path: Path, onss_config: DimonaRestConfig, monkeypatch: pytest.MonkeyPatch
) -> Recorded:
    # a worker of their own: the sandbox is shared by the whole session
    r = uuid.uuid4().int
    ssin = ssin_for(r % 499, born=date(1960 + r % 40, 1 + r % 12, 1 + r % 28))
    start = date.today() + timedelta(days=5)
    raw = hire(
        "EMP-OPS-1",
        ssin,
        start,
        worker_type="STU",
        joint_committee="302",
        end=start + timedelta(days=20),
        plannedHours=40,
    )
    raw["worker"].update({"familyName": "Peeters", "givenName": "An"})
    event = EmploymentEvent.model_validate(raw)
    [declaration] = translate(event, (), today=date.today()).declarations
    answer = asyncio.run(_declare(onss_config, declaration))

    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    asyncio.run(_record(url, event, declaration, None, answer, datetime.now(UTC)))
    use_settings(Settings(store=StoreSettings(url=url), dimona=onss_config), monkeypatch)
    return Recorded(event.employment_id, ssin, answer.declaration_id, event.event_id)


def test_history_of_an_employment(recorded: Recorded, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "--employment", recorded.employment_id]) == 0
    out = capsys.readouterr().out
    assert recorded.event_id in out
    assert "hr.employment.events[1]@17" in out
    assert f"declaration {recorded.declaration_id}" in out
    assert "ACCEPTED" in out
    assert "-> RECEIVED" in out
    assert "transitions:" in out
    assert recorded.ssin not in out


def test_history_of_a_worker_as_json(
    recorded: Recorded, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "--worker", recorded.ssin, "--json"]) == 0
    [history] = json.loads(capsys.readouterr().out)
    assert history["employmentId"] == recorded.employment_id
    [declaration] = history["declarations"]
    assert declaration["state"] == "ACCEPTED"
    assert declaration["periodId"] == recorded.declaration_id
    assert declaration["body"]["worker"]["ssin"].endswith("-***-**")
    assert [t["state"] for t in history["transitions"]][-1] == "ACCEPTED"
    assert history["transitions"][-1]["declaration"] == "IN#1"
    [status] = history["statusEvents"]
    assert status["status"] == "RECEIVED"
    assert status["publishedAt"] is not None
    text = json.dumps(history)
    assert recorded.ssin not in text
    assert "Peeters" not in text
    assert main(["history", "--worker", recorded.ssin, "--json", "--reveal"]) == 0
    assert recorded.ssin in capsys.readouterr().out


def test_history_of_nobody(recorded: Recorded, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "--employment", "nobody"]) == 1
    assert "nothing known" in capsys.readouterr().out


@pytest.mark.parametrize(
    "criterion",
    [
        ["--ssin", "{ssin}"],
        ["--declaration-id", "{declaration_id}"],
        ["--employer", "123456749"],
        ["--worker-type", "stu"],
        ["--joint-committee", "XXX"],
        ["--received-from", "2000-01-01"],
    ],
)
def test_consult_finds_it_in_onss_and_locally(
    recorded: Recorded, capsys: pytest.CaptureFixture[str], criterion: list[str]
) -> None:
    args = [a.format(ssin=recorded.ssin, declaration_id=recorded.declaration_id) for a in criterion]
    if args[0] != "--ssin":
        args += ["--ssin", recorded.ssin]  # the sandbox is shared by the session's tests
    assert main(["consult", *args, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["source"] for r in rows} == {"onss", "local"}
    assert {r["declaration_id"] for r in rows} == {recorded.declaration_id}
    assert all(recorded.ssin not in json.dumps(r) for r in rows)


def test_consult_with_a_criterion_that_excludes_it(
    recorded: Recorded, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["consult", "--ssin", recorded.ssin, "--joint-committee", "124"])
    assert code == 1
    assert "no declaration matches" in capsys.readouterr().out
    assert main(["consult"]) == 2


def test_matching_is_exact_per_criterion() -> None:
    found = Found(
        source="onss",
        declaration_id=1,
        kind="IN",
        received_at="2026-03-01T10:00:00+00:00",
        employer=["197000018"],
        ssin="90051500156",
        joint_committee="302",
        worker_type="STU",
    )
    assert matches(found, Criteria(employer="197000018", worker_type="STU"))
    assert not matches(found, Criteria(user_enterprise="0403170701"))
    early = datetime(2026, 3, 2, tzinfo=UTC)
    assert not matches(found, Criteria(received_from=early))
    assert matches(found, Criteria(received_to=early))


@pytest.mark.parametrize(
    "criterion",
    [
        ["--ssin", "{ssin}"],
        ["--ssin", "{ssin}", "--worker-type", "STU", "--joint-committee", "XXX"],
        ["--declaration-id", "{declaration_id}"],
    ],
)
def test_consult_over_soap(
    recorded: Recorded, capsys: pytest.CaptureFixture[str], criterion: list[str]
) -> None:
    args = [a.format(ssin=recorded.ssin, declaration_id=recorded.declaration_id) for a in criterion]
    assert main(["consult", *args, "--source", "onss", "--channel", "soap", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["source"] == "soap"
    assert row["declaration_id"] == recorded.declaration_id
    assert row["kind"] == "IN"
    assert row["result"] == "A"
