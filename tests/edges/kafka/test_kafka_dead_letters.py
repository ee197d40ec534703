"""The dead-letter sink through a stand-in for librdkafka: a dead letter is always delivered.

``FakeLibrdkafka`` does the size checks of librdkafka and of a broker: ``produce`` refuses a
record over the client's ``message.max.bytes`` (``KafkaException`` ``MSG_SIZE_TOO_LARGE``, as
librdkafka does; its default is 1,000,000), and a record over ``broker_limit`` is accepted
locally, then failed in its delivery report, as a broker answering MESSAGE_TOO_LARGE.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from confluent_kafka import KafkaError, KafkaException

from adapter.app.ports import ConsumedMessage, OutboxEntry, Rejected
from adapter.core.errors import TransientError, Violation
from adapter.core.status import DeadLetterHeader
from adapter.edges.kafka.producer import (
    HEADER_ROOM_BYTES,
    IdempotentProducer,
    KafkaDeadLetterSink,
    KafkaStatusPublisher,
)

LIBRDKAFKA_DEFAULT_MAX = 1_000_000
KAFKA_BROKER_DEFAULT_MAX = 1_048_588
DLQ = "hr.employment.events.dlq"

Headers = list[tuple[str, str | bytes | None]] | None


@dataclass(frozen=True)
class Produced:
    topic: str
    key: bytes | str | None
    value: bytes | None
    headers: list[tuple[str, bytes | None]]

    def header(self, name: str) -> bytes | None:
        [value] = [v for n, v in self.headers if n == name]
        return value

    def names(self) -> list[str]:
        return [n for n, _ in self.headers]


def record_size(key: Any, value: bytes | None, headers: Headers) -> int:
    key_bytes = key.encode() if isinstance(key, str) else (key or b"")
    header_bytes = sum(len(n.encode()) + len(_bytes(v) or b"") for n, v in headers or [])
    return len(key_bytes) + len(value or b"") + header_bytes


def _bytes(value: str | bytes | None) -> bytes | None:
    return value.encode() if isinstance(value, str) else value


class FakeLibrdkafka:
    def __init__(
        self,
        config: dict[str, Any],
        *,
        broker_limit: int | None = None,
        produce_error: KafkaError | None = None,
        delivery_error: KafkaError | None = None,
    ) -> None:
        self.config = config
        self.broker_limit = broker_limit
        self.produce_error = produce_error
        self.delivery_error = delivery_error
        self.delivered: list[Produced] = []
        self.refused_locally = 0
        self._pending: list[tuple[Callable[[KafkaError | None, Any], None], KafkaError | None]] = []
        self._lock = threading.Lock()

    def produce(
        self,
        topic: str,
        value: bytes | None = None,
        key: bytes | str | None = None,
        headers: Headers = None,
        on_delivery: Callable[[KafkaError | None, Any], None] | None = None,
    ) -> None:
        if self.produce_error is not None:
            raise KafkaException(self.produce_error)
        size = record_size(key, value, headers)
        if size > self.config.get("message.max.bytes", LIBRDKAFKA_DEFAULT_MAX):
            self.refused_locally += 1
            raise KafkaException(KafkaError(KafkaError.MSG_SIZE_TOO_LARGE))
        error = self.delivery_error
        if self.broker_limit is not None and size > self.broker_limit:
            error = KafkaError(KafkaError.MSG_SIZE_TOO_LARGE)
        if error is None:
            normalised = [(n, _bytes(v)) for n, v in headers or []]
            self.delivered.append(Produced(topic, key, value, normalised))
        assert on_delivery is not None
        with self._lock:
            self._pending.append((on_delivery, error))

    def poll(self, _timeout: float = 0.0) -> int:
        with self._lock:
            pending, self._pending = self._pending, []
        for callback, error in pending:
            callback(error, None)
        return len(pending)

    def flush(self, _timeout: float = 0.0) -> int:
        self.poll()
        return 0


def make_producer(**fake: Any) -> tuple[IdempotentProducer, FakeLibrdkafka]:
    made: list[FakeLibrdkafka] = []

    def factory(config: dict[str, Any]) -> FakeLibrdkafka:
        made.append(FakeLibrdkafka(config, **fake))
        return made[0]

    producer = IdempotentProducer({"bootstrap.servers": "unused:9092"}, client_factory=factory)
    return producer, made[0]


def rejection(
    value: bytes | None,
    *,
    offset: int = 7,
    key: bytes | None = b"EMP-1",
    headers: tuple[tuple[str, bytes | None], ...] = (),
    reason: str = "not an Avro single-object encoded record (missing C3 01 header)",
    violations: tuple[Violation, ...] = (),
) -> Rejected:
    message = ConsumedMessage(
        "hr.employment.events", 3, offset, key, value, timestamp_ms=1_700_000_000_000,
        headers=headers,
    )  # fmt: skip
    code = "SCHEMA_MISMATCH" if violations else "UNDECODABLE"
    return Rejected(message, code, reason, violations, None, None)


def assert_reference_to(letter: Produced, rejected: Rejected) -> None:
    message = rejected.message
    assert letter.value is None
    assert letter.header(DeadLetterHeader.TRUNCATED) == b"true"
    size = len(message.key or b"") + len(message.value or b"")
    size += sum(len(n.encode()) + len(v or b"") for n, v in message.headers)
    assert letter.header(DeadLetterHeader.ORIGINAL_SIZE) == str(size).encode()
    assert letter.header(DeadLetterHeader.SOURCE_TOPIC) == message.topic.encode()
    assert letter.header(DeadLetterHeader.SOURCE_PARTITION) == str(message.partition).encode()
    assert letter.header(DeadLetterHeader.SOURCE_OFFSET) == str(message.offset).encode()
    assert letter.header(DeadLetterHeader.REASON_CODE) == rejected.reason_code.encode()
    assert letter.header(DeadLetterHeader.MESSAGE)


async def test_a_record_the_broker_accepts_is_dead_lettered_whole() -> None:
    """1,048,576 bytes fit under Kafka's default limit: the copy must fit the producer too."""
    producer, fake = make_producer()
    big = rejection(b"\x00" * 1_048_576)

    await KafkaDeadLetterSink(producer, DLQ).send([big])

    assert fake.config["message.max.bytes"] >= KAFKA_BROKER_DEFAULT_MAX + HEADER_ROOM_BYTES
    [letter] = fake.delivered
    assert letter.value == big.message.value
    assert DeadLetterHeader.TRUNCATED.value not in letter.names()


async def test_a_record_too_large_for_the_client_becomes_a_reference() -> None:
    """``produce`` raises MSG_SIZE_TOO_LARGE: the others go whole, this one as a reference."""
    producer, fake = make_producer()
    before, after = rejection(b"garbage", offset=6), rejection(b"junk", offset=9)
    huge = rejection(b"\x01" * (KAFKA_BROKER_DEFAULT_MAX + HEADER_ROOM_BYTES), offset=7)

    await KafkaDeadLetterSink(producer, DLQ).send([before, huge, after])

    assert fake.refused_locally == 1
    by_offset = {d.header(DeadLetterHeader.SOURCE_OFFSET): d for d in fake.delivered}
    assert set(by_offset) == {b"6", b"7", b"9"}
    assert by_offset[b"6"].value == b"garbage"
    assert by_offset[b"9"].value == b"junk"
    assert_reference_to(by_offset[b"7"], huge)
    assert by_offset[b"7"].key == b"EMP-1"


async def test_a_record_the_broker_refuses_as_too_large_becomes_a_reference() -> None:
    """The delivery report says MSG_SIZE_TOO_LARGE (the dead-letter topic has a lower limit)."""
    producer, fake = make_producer(broker_limit=500_000)
    small, big = rejection(b"garbage", offset=1), rejection(b"\x02" * 600_000, offset=2)

    await KafkaDeadLetterSink(producer, DLQ).send([small, big])

    assert fake.refused_locally == 0
    [copy, reference] = fake.delivered
    assert copy.value == b"garbage"
    assert_reference_to(reference, big)


async def test_a_reference_is_bounded_whatever_the_rejection_carries() -> None:
    violations = tuple(
        Violation("SCHEMA", f"extra{i}", "Extra inputs are not permitted") for i in range(20_000)
    )
    headers = tuple((f"h{i}", b"v" * 100) for i in range(1_000))
    bloated = rejection(
        b"\x03" * 2_000_000,
        key=b"k" * 5_000,
        headers=headers,
        reason="x" * 50_000,
        violations=violations,
    )
    producer, fake = make_producer(broker_limit=HEADER_ROOM_BYTES)

    await KafkaDeadLetterSink(producer, DLQ).send([bloated])

    [reference] = fake.delivered
    assert_reference_to(reference, bloated)
    assert reference.key is None  # a key over 1 KiB is left off
    assert record_size(reference.key, reference.value, list(reference.headers)) < 16_384
    assert not any(name.startswith("h") for name in reference.names())
    kept = json.loads(reference.header(DeadLetterHeader.VIOLATIONS) or b"")
    assert 0 < len(kept) < len(violations)
    assert kept[0] == {
        "code": "SCHEMA",
        "field": "extra0",
        "message": "Extra inputs are not permitted",
    }


async def test_original_headers_are_kept_before_ours_and_ours_are_not_doubled() -> None:
    replayed = rejection(
        b"garbage",
        headers=(
            ("traceparent", b"00-4bf92f3577b34da6-00f067aa0ba902b7-01"),
            ("dlq.reason.code", b"RULE_VIOLATION"),  # from an earlier attempt, now stale
            ("dlq.truncated", b"true"),
            ("dlq.replayed.from.offset", b"41"),
            ("empty", None),
            ("traceparent", b"second"),
        ),
    )
    producer, fake = make_producer()

    await KafkaDeadLetterSink(producer, DLQ).send([replayed])

    [letter] = fake.delivered
    assert letter.headers[:4] == [
        ("traceparent", b"00-4bf92f3577b34da6-00f067aa0ba902b7-01"),
        ("dlq.replayed.from.offset", b"41"),
        ("empty", None),
        ("traceparent", b"second"),
    ]
    assert letter.header(DeadLetterHeader.REASON_CODE) == b"UNDECODABLE"
    assert DeadLetterHeader.TRUNCATED.value not in letter.names()
    assert all(n.startswith("dlq.") and n in set(DeadLetterHeader) for n in letter.names()[4:])


@pytest.mark.parametrize(
    "error",
    [KafkaError._UNKNOWN_TOPIC, KafkaError._INVALID_ARG, KafkaError._FATAL],
    ids=["unknown-topic", "invalid-arg", "fatal"],
)
async def test_other_produce_errors_are_transient_errors_not_crashes(error: int) -> None:
    producer, _fake = make_producer(produce_error=KafkaError(error))

    with pytest.raises(TransientError, match="cannot produce to"):
        await KafkaDeadLetterSink(producer, DLQ).send([rejection(b"garbage")])


async def test_other_delivery_failures_are_transient_errors() -> None:
    producer, _fake = make_producer(delivery_error=KafkaError(KafkaError._MSG_TIMED_OUT))

    with pytest.raises(TransientError, match="not delivered"):
        await KafkaDeadLetterSink(producer, DLQ).send([rejection(b"garbage")])


async def test_a_status_event_too_large_is_a_transient_error() -> None:
    producer, _fake = make_producer(broker_limit=100)

    with pytest.raises(TransientError, match="too large"):
        await KafkaStatusPublisher(producer, "status").publish([OutboxEntry(1, "E-1", b"s" * 200)])
