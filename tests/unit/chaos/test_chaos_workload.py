"""The chaos workload: every valid event is valid and becomes the declarations its story says;
every bad record is refused by the intake the way the judge expects; order and bytes kept."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest

from adapter.app.intake import Accepted, ConsumedMessage, Intake, Rejected
from adapter.app.status_events import StatusEvents
from adapter.bootstrap import EVENT_SCHEMA, STATUS_SCHEMA
from adapter.chaos.bad_input import (
    CONTRACT_KINDS,
    INPUT_KINDS,
    other_partition_key,
    partition_of,
)
from adapter.chaos.stories import STORY_WEIGHTS
from adapter.chaos.workload import Workload, build_workload
from adapter.core.events import EmploymentEvent
from adapter.core.translation import translate
from adapter.edges.avro.codec import SingleObjectCodec

CODEC = SingleObjectCodec(EVENT_SCHEMA)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def workload(seed: int = 7, total: int = 300, **kwargs: object) -> Workload:
    return build_workload(
        seed,
        total,
        today=NOW.date(),
        encode_record=CODEC.encode,
        partitions=4,
        **kwargs,  # type: ignore[arg-type]
    )


def test_same_seed_same_records() -> None:
    first, second = workload(), workload()
    assert [r.key for r in first.records] == [r.key for r in second.records]
    assert [r.label for r in first.records] == [r.label for r in second.records]
    assert [r.event_id for r in first.records] == [r.event_id for r in second.records]
    assert [b.event_id for b in first.bad] == [b.event_id for b in second.bad]


def test_every_story_kind_and_bad_kind_is_there() -> None:
    w = workload()
    assert {s.kind for s in w.stories} == set(STORY_WEIGHTS)
    assert {b.kind for b in w.bad} == {*INPUT_KINDS, *CONTRACT_KINDS}
    assert 280 <= len(w.records) <= 320
    assert len(w.duplicated) >= 2


@pytest.mark.parametrize("today", [date(2026, 12, 1), date(2026, 12, 29), date(2027, 3, 27)])
def test_first_events_translate_into_the_declarations_the_story_expects(today: date) -> None:
    w = build_workload(3, 200, today=today, encode_record=CODEC.encode)
    expected = w.expected_kinds
    for story in w.stories:
        event = EmploymentEvent.model_validate(story.events[0])
        translation = translate(event, (), today=today)
        assert translation.ok, (story.kind, translation.violations)
        kinds = tuple(sorted(d.kind.value for d in translation.declarations))
        assert kinds == expected[event.event_id], story.kind
    students = [s for s in w.stories if s.kind.startswith("stu")]
    assert students
    assert all(s.periods + s.cancelled == 2 for s in students)  # two quarters, two INs


def test_the_intake_accepts_valid_records_and_refuses_input_kinds_as_expected() -> None:
    w = workload()
    intake = Intake(CODEC, StatusEvents(SingleObjectCodec(STATUS_SCHEMA)))
    bad = {b.identity: b for b in w.bad}
    refused: Counter[str] = Counter()
    for n, record in enumerate(w.records):
        message = ConsumedMessage("t", 0, n, record.key, record.value)
        outcome = intake.examine(message, now=NOW, today=NOW.date())
        known = bad.get((record.key, record.value))
        if known is None:
            assert isinstance(outcome, Accepted), record.label
            continue
        if known.kind in INPUT_KINDS:
            assert isinstance(outcome, Rejected), known.kind
            assert known.codes is not None
            assert outcome.reason_code in known.codes
            assert (outcome.status is not None) == known.identifiable
            refused[known.kind] += 1
    assert set(refused) == set(INPUT_KINDS)


def test_duplicates_are_the_same_bytes_after_the_original() -> None:
    w = workload()
    for event_id in w.duplicated:
        copies = [i for i, r in enumerate(w.records) if r.event_id == event_id]
        assert len(copies) == 2
        first, second = (w.records[i] for i in copies)
        assert (first.key, first.value) == (second.key, second.value)
        assert second.label == "duplicate"


def test_events_of_an_employment_keep_their_order() -> None:
    w = workload()
    produced = [r.event_id for r in w.records if r.label != "duplicate"]
    for story in w.stories:
        ids = [str(e["eventId"]) for e in story.events]
        positions = [produced.index(i) for i in ids]
        assert positions == sorted(positions), story.kind


def test_contract_kinds_can_be_left_out() -> None:
    w = workload(without=frozenset({"wrong-key", "conflict", "no-ssin"}))
    assert {b.kind for b in w.bad} == set(INPUT_KINDS)
    assert not any(s.kind.startswith("no-ssin") for s in w.stories)


def test_a_wrong_key_lands_on_another_partition() -> None:
    for n in range(20):
        employment = f"E-{n}"
        key = other_partition_key(employment, 4)
        assert key != employment.encode()
        assert partition_of(key, 4) != partition_of(employment.encode(), 4)
