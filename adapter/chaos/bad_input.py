"""The bad part of a chaos workload: records the adapter must dead-letter, never declare.

Each record says how the judge recognises its dead letter (the original key and bytes are
kept), which reason codes are acceptable, and whether a REJECTED status event must follow
(when the employment can be identified from the record).

Two families:

* **input** (``rule-violation``, ``schema-mismatch``, ``undecodable``, ``tombstone``): bad
  bytes or bad content; the adapter handles them today.
* **contract** (``wrong-key``: a key that is not the body's ``employmentId`` or a null key;
  ``conflict``: an ``eventId`` re-sent with different content): issue 11 points 2 and 9. They
  can be left out with ``--without wrong-key`` / ``--without conflict``.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from adapter.chaos.stories import Story
from adapter.core.events import EmploymentEvent
from adapter.demo_events import hire, leave

BAD_SSIN = "90051512300"
"""Valid shape, wrong check digits: refused by the rules (RULE_VIOLATION)."""

INPUT_KINDS = ("rule-violation", "schema-mismatch", "undecodable", "tombstone")
CONTRACT_KINDS = ("wrong-key", "null-key", "wrong-key-leave", "conflict")
WORKLOAD_KINDS = ("wrong-key", "conflict", "no-ssin")
"""What ``--without`` can leave out of a workload (``wrong-key`` covers the null key too;
``no-ssin`` the stories of workers without SSIN)."""

_CODES: dict[str, frozenset[str] | None] = {
    "rule-violation": frozenset({"RULE_VIOLATION"}),
    # Issue 11 point 10 may fold these into the contract's INVALID_INPUT.
    "schema-mismatch": frozenset({"SCHEMA_MISMATCH", "INVALID_INPUT"}),
    "undecodable": frozenset({"UNDECODABLE"}),
    "tombstone": frozenset({"EMPTY", "INVALID_INPUT"}),
    # Not decided yet (issue 11 points 2 and 9): any reason code, but one there must be.
    "wrong-key": None,
    "null-key": None,
    "wrong-key-leave": None,
    "conflict": None,
}


@dataclass(frozen=True, slots=True)
class BadRecord:
    kind: str
    key: bytes | None
    value: bytes | None
    event_id: str | None = None
    employment_id: str | None = None
    worker_key: str | None = None
    """A worker only this record names: ONSS must hold nothing for it."""

    @property
    def codes(self) -> frozenset[str] | None:
        """Acceptable ``dlq.reason.code`` values (None: any non-empty code)."""
        return _CODES[self.kind]

    @property
    def identifiable(self) -> bool:
        """A REJECTED status event must name it (its employment id can be read)."""
        return self.employment_id is not None

    @property
    def handled_today(self) -> bool:
        """Settling waits for its REJECTED; contract kinds are judged, not waited for."""
        return self.kind in INPUT_KINDS

    @property
    def identity(self) -> tuple[bytes | None, bytes | None]:
        return self.key, self.value


Encode = Callable[[dict[str, Any]], bytes]


def encode_event(encode_record: Callable[[dict[str, Any]], bytes]) -> Encode:
    def encode(event: dict[str, Any]) -> bytes:
        return encode_record(EmploymentEvent.model_validate(event).to_avro_record())

    return encode


def partition_of(key: bytes, partitions: int) -> int:
    """librdkafka's default partitioner (CRC32 of the key) for a non-empty key."""
    return zlib.crc32(key) % max(1, partitions)


def other_partition_key(employment_id: str, partitions: int) -> bytes:
    """A key that is not ``employment_id`` and, when possible, lands on another partition."""
    home = partition_of(employment_id.encode(), partitions)
    for n in range(64):
        key = f"{employment_id}#wrong{n}".encode()
        if partitions < 2 or partition_of(key, partitions) != home:
            return key
    return f"{employment_id}#wrong".encode()


class BadRecordMaker:
    def __init__(
        self,
        tag: str,
        start: date,
        rng: random.Random,
        encode_record: Callable[[dict[str, Any]], bytes],
        partitions: int,
        new_id: Callable[[], str],
    ) -> None:
        self._new_id = new_id
        self._tag = tag
        self._start = start
        self._rng = rng
        self._encode_record = encode_record
        self._encode = encode_event(encode_record)
        self._partitions = partitions
        self._count = 0

    def _employment(self, kind: str) -> str:
        self._count += 1
        return f"E-CHAOS-{self._tag}-BAD-{kind}-{self._count:03d}"

    def rule_violation(self) -> BadRecord:
        employment = self._employment("rule")
        event = hire(employment, BAD_SSIN, self._start)
        event["eventId"] = self._new_id()
        return BadRecord(
            "rule-violation",
            employment.encode(),
            self._encode(event),
            str(event["eventId"]),
            employment,
            BAD_SSIN,
        )

    def schema_mismatch(self, ssin: str) -> BadRecord:
        """A HIRE without its contract: the Avro schema allows it, the event model does not."""
        employment = self._employment("schema")
        event = hire(employment, ssin, self._start)
        event["eventId"] = self._new_id()
        record = EmploymentEvent.model_validate(event).to_avro_record()
        record["contract"] = None
        return BadRecord(
            "schema-mismatch",
            employment.encode(),
            self._encode_record(record),
            str(event["eventId"]),
            employment,
            ssin,
        )

    def undecodable(self) -> BadRecord:
        garbage = f"\x00chaos {self._tag} garbage #{self._count}".encode()
        self._count += 1
        return BadRecord("undecodable", None, garbage + self._rng.randbytes(8))

    def tombstone(self) -> BadRecord:
        return BadRecord("tombstone", self._employment("tombstone").encode(), None)

    def wrong_key(self, ssin: str) -> BadRecord:
        """A HIRE keyed by something other than its employment id."""
        employment = self._employment("key")
        event = hire(employment, ssin, self._start)
        event["eventId"] = self._new_id()
        key = other_partition_key(employment, self._partitions)
        return BadRecord(
            "wrong-key", key, self._encode(event), str(event["eventId"]), employment, ssin
        )

    def null_key(self, ssin: str) -> BadRecord:
        employment = self._employment("nullkey")
        event = hire(employment, ssin, self._start)
        event["eventId"] = self._new_id()
        return BadRecord(
            "null-key", None, self._encode(event), str(event["eventId"]), employment, ssin
        )

    def wrong_key_leave(self, story: Story) -> BadRecord:
        """The LEAVE of a real employment (an open hire), keyed by something else: if it were
        accepted, another replica could drive the employment at the same time."""
        out = leave(story.employment_id, story.worker_key, self._start + timedelta(days=25))
        out["eventId"] = self._new_id()
        key = other_partition_key(story.employment_id, self._partitions)
        return BadRecord(
            "wrong-key-leave", key, self._encode(out), str(out["eventId"]), story.employment_id
        )

    def conflict(self, story: Story) -> BadRecord:
        """The story's last event re-sent with its eventId but another day: a conflict."""
        original = story.events[-1]
        changed: dict[str, Any] = {**original, "leave": dict(original["leave"])}
        last = date.fromisoformat(original["leave"]["lastDay"]) + timedelta(days=1)
        changed["leave"]["lastDay"] = last.isoformat()
        return BadRecord(
            "conflict",
            story.employment_id.encode(),
            self._encode(changed),
            str(original["eventId"]),
            story.employment_id,
        )
