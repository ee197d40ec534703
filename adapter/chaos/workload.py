"""The records of one chaos run: employment stories, exact duplicates and bad records, encoded
once (a duplicate is the same bytes) and interleaved without breaking any employment's order."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from adapter.chaos.bad_input import INPUT_KINDS, BadRecord, BadRecordMaker, encode_event
from adapter.chaos.stories import Story, StoryMaker, draw_stories, story_kinds

BAD_SHARE = 0.07
DUPLICATE_SHARE = 0.03


@dataclass(frozen=True, slots=True)
class Record:
    """One record to produce: key and value bytes exactly as they go on the input topic."""

    key: bytes | None
    value: bytes | None
    label: str
    """The story kind, ``duplicate``, or the kind of bad record."""
    event_id: str | None = None


@dataclass(frozen=True, slots=True)
class Workload:
    records: list[Record]
    """In production order; the events of an employment keep their order."""
    stories: list[Story]
    bad: list[BadRecord]
    duplicated: list[str]
    """Event ids whose record is produced twice, byte for byte."""

    @property
    def valid_ids(self) -> list[str]:
        return [str(e["eventId"]) for s in self.stories for e in s.events]

    @property
    def expected_kinds(self) -> dict[str, tuple[str, ...]]:
        """Event id → the declaration kinds it must become."""
        return {i: kinds for s in self.stories for i, kinds in s.declarations.items()}

    @property
    def story_of(self) -> dict[str, Story]:
        return {s.employment_id: s for s in self.stories}

    @property
    def worker_of(self) -> dict[str, str]:
        """Employment id → the sandbox's worker key, for every employment a record names."""
        workers = {s.employment_id: s.worker_key for s in self.stories}
        for bad in self.bad:
            if bad.employment_id is not None and bad.worker_key is not None:
                workers.setdefault(bad.employment_id, bad.worker_key)
        return workers

    @property
    def expected_rejected(self) -> list[BadRecord]:
        return [b for b in self.bad if b.identifiable]

    def waves(self, count: int) -> list[list[Record]]:
        """The records cut into ``count`` consecutive slices (order kept)."""
        size = -(-len(self.records) // max(1, count))
        return [self.records[i : i + size] for i in range(0, len(self.records), size)]


def bad_kinds(without: Iterable[str]) -> list[str]:
    left_out = set(without)
    kinds = list(INPUT_KINDS)
    if "wrong-key" not in left_out:
        kinds += ["wrong-key", "null-key", "wrong-key-leave"]
    if "conflict" not in left_out:
        kinds.append("conflict")
    return kinds


def build_workload(
    seed: int,
    total: int,
    *,
    today: date,
    encode_record: Callable[[dict[str, Any]], bytes],
    partitions: int = 3,
    without: frozenset[str] = frozenset(),
) -> Workload:
    """About ``total`` records: 7 % bad (each kind at least once), 3 % exact duplicates."""
    rng = random.Random(seed)  # noqa: S311 - repeatable workload, not secrets
    kinds = bad_kinds(without)
    n_bad = max(len(kinds), round(total * BAD_SHARE))
    n_dup = max(2, round(total * DUPLICATE_SHARE))
    maker = StoryMaker(seed, today, rng)
    stories = draw_stories(maker, rng, max(2, total - n_bad - n_dup), story_kinds(without))
    encode = encode_event(encode_record)
    sequences: dict[str, list[Record]] = {
        s.employment_id: [
            Record(s.employment_id.encode(), encode(e), s.kind, str(e["eventId"])) for e in s.events
        ]
        for s in stories
    }
    duplicated = _duplicate(sequences, rng, n_dup)
    bad_maker = BadRecordMaker(
        f"{seed % 100000:05d}", maker.start, rng, encode_record, partitions, maker.new_id
    )
    bad = _bad_records(bad_maker, maker, stories, sequences, kinds, n_bad)
    return Workload(_interleave(list(sequences.values()), rng), stories, bad, duplicated)


def _duplicate(sequences: dict[str, list[Record]], rng: random.Random, count: int) -> list[str]:
    """Re-send ``count`` events, each somewhere after its original, in its own employment."""
    candidates = [(emp, i) for emp, seq in sequences.items() for i in range(len(seq))]
    chosen = rng.sample(candidates, min(count, len(candidates)))
    ids: list[str] = []
    for employment, index in sorted(chosen, key=lambda c: (c[0], -c[1])):
        sequence = sequences[employment]
        original = sequence[index]
        copy = Record(original.key, original.value, "duplicate", original.event_id)
        sequence.insert(rng.randint(index + 1, len(sequence)), copy)
        ids.append(str(original.event_id))
    return sorted(ids)


def _bad_records(
    bad_maker: BadRecordMaker,
    maker: StoryMaker,
    stories: list[Story],
    sequences: dict[str, list[Record]],
    kinds: list[str],
    count: int,
) -> list[BadRecord]:
    open_hires = [s for s in stories if s.kind == "oth-hire"]
    leaves = [s for s in stories if s.kind == "oth-leave"]
    out: list[BadRecord] = []
    for index in range(count):
        kind = kinds[index % len(kinds)]
        if kind == "wrong-key-leave" and open_hires:
            record = bad_maker.wrong_key_leave(open_hires.pop(0))
        elif kind == "conflict" and leaves:
            story = leaves.pop(0)
            record = bad_maker.conflict(story)
            sequences[story.employment_id].append(_as_record(record))  # after the original
            out.append(record)
            continue
        elif kind in ("wrong-key", "null-key", "schema-mismatch", "wrong-key-leave"):
            ssin = maker.next_worker()[1]
            if kind == "schema-mismatch":
                record = bad_maker.schema_mismatch(ssin)
            elif kind == "null-key":
                record = bad_maker.null_key(ssin)
            else:
                record = bad_maker.wrong_key(ssin)
        elif kind == "rule-violation":
            record = bad_maker.rule_violation()
        elif kind == "tombstone":
            record = bad_maker.tombstone()
        else:  # undecodable, or a conflict without any leave to conflict with
            record = bad_maker.undecodable()
        sequences[f"bad-{index}"] = [_as_record(record)]
        out.append(record)
    return out


def _as_record(bad: BadRecord) -> Record:
    return Record(bad.key, bad.value, bad.kind, bad.event_id)


def _interleave(sequences: list[list[Record]], rng: random.Random) -> list[Record]:
    """A uniformly random merge that keeps the order inside each sequence."""
    queues = [list(reversed(s)) for s in sequences if s]
    left = sum(len(q) for q in queues)
    merged: list[Record] = []
    while left:
        pick = rng.randrange(left)
        for queue in queues:
            if pick < len(queue):
                merged.append(queue.pop())
                break
            pick -= len(queue)
        left -= 1
    return merged
