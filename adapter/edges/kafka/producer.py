"""Producers: status events (from the outbox) and dead letters, both idempotent (acks=all).

The producer is sized for what the consumer can receive: ``message.max.bytes`` is the largest
inbound record plus room for the dead-letter headers, so a dead letter is never refused by
this client when the broker still takes it. What the broker refuses as too large is reported
per record, and the dead-letter sink then sends a reference instead (``dead_letters``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Message, Producer

from adapter.app.ports import OutboxEntry, Rejected
from adapter.core.errors import TransientError
from adapter.edges.kafka.dead_letters import (
    Headers,
    dead_letter_record,
    original_size,
    reference_record,
)

logger = logging.getLogger(__name__)

DEFAULT_MAX_RECORD_BYTES = 1_048_588
"""Kafka's default broker ``message.max.bytes``: the largest record a topic holds by default."""
HEADER_ROOM_BYTES = 64 * 1024
"""Room on top of the largest inbound record for the dead-letter headers (a reference, with
its bounded headers, always fits in it)."""
TOO_LARGE = frozenset({KafkaError.MSG_SIZE_TOO_LARGE, KafkaError.RECORD_LIST_TOO_LARGE})
"""Error codes of a record refused for its size, by this client or by the broker."""

_Record = tuple[str | bytes | None, bytes | None, Headers | None]


def _describe(error: KafkaError) -> str:
    return f"{error.name()}: {error.str()}"


class _DeliveryBatch:
    """Collects delivery reports of one batch; resolves when all have arrived."""

    def __init__(self, loop: asyncio.AbstractEventLoop, expected: int) -> None:
        self._loop = loop
        self._remaining = expected
        self.errors: dict[int, KafkaError] = {}
        self.done = loop.create_future()
        if expected == 0:
            self.done.set_result(None)

    def reporter(self, index: int) -> Callable[[KafkaError | None, Message], None]:
        def report(error: KafkaError | None, _message: Message) -> None:
            # Runs on librdkafka's thread (inside poll/flush): hop back to the loop.
            self._loop.call_soon_threadsafe(self.record, index, error)

        return report

    def record(self, index: int, error: KafkaError | None) -> None:
        if error is not None:
            self.errors[index] = error
        self._remaining -= 1
        if self._remaining == 0 and not self.done.done():
            self.done.set_result(None)


class IdempotentProducer:
    """One librdkafka producer shared by the status publisher and the dead-letter sink."""

    def __init__(
        self,
        config: Mapping[str, Any],
        *,
        max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
        client_factory: Callable[[dict[str, Any]], Any] = Producer,
    ) -> None:
        """``max_record_bytes``: the largest record the inbound topic holds (its broker's
        ``message.max.bytes``); ``client_factory`` stands in for librdkafka in tests."""
        self.max_message_bytes = max_record_bytes + HEADER_ROOM_BYTES
        self._producer = client_factory(
            {
                **config,
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": 5,
                "compression.type": "lz4",
                "message.max.bytes": self.max_message_bytes,
            }
        )

    async def deliver(
        self, topic: str, records: Sequence[_Record], *, timeout_s: float = 30.0
    ) -> tuple[int, ...]:
        """Produce all records and wait until the broker acknowledged each of them.

        Returns the positions of the records refused as too large, by this client or by the
        broker; every other failure raises ``TransientError`` once the batch is settled.
        """
        loop = asyncio.get_running_loop()
        batch = _DeliveryBatch(loop, len(records))
        for index, record in enumerate(records):
            await self._produce(loop, topic, record, batch, index)
        deadline = loop.time() + timeout_s
        while not batch.done.done():
            if loop.time() > deadline:
                msg = f"broker did not acknowledge {topic} records within {timeout_s} s"
                raise TransientError(msg)
            await loop.run_in_executor(None, self._producer.poll, 0.05)
        failed = {i: e for i, e in batch.errors.items() if e.code() not in TOO_LARGE}
        if failed:
            first = _describe(next(iter(failed.values())))
            msg = f"{len(failed)} {topic} records not delivered: {first}"
            raise TransientError(msg)
        return tuple(sorted(batch.errors))

    async def _produce(
        self,
        loop: asyncio.AbstractEventLoop,
        topic: str,
        record: _Record,
        batch: _DeliveryBatch,
        index: int,
    ) -> None:
        key, value, headers = record
        while True:
            try:
                self._producer.produce(
                    topic, value=value, key=key, headers=headers, on_delivery=batch.reporter(index)
                )
            except BufferError:  # the local queue is full: let deliveries drain it
                await loop.run_in_executor(None, self._producer.poll, 0.05)
                continue
            except KafkaException as exc:
                error = exc.args[0] if exc.args and isinstance(exc.args[0], KafkaError) else None
                if error is not None and error.code() in TOO_LARGE:
                    batch.record(index, error)  # no delivery report follows a refused produce
                    return
                reason = _describe(error) if error is not None else str(exc)
                msg = f"cannot produce to {topic}: {reason}"
                raise TransientError(msg) from exc
            return

    async def send(
        self, topic: str, records: Sequence[_Record], *, timeout_s: float = 30.0
    ) -> None:
        """Like ``deliver``, for records that must all go through: too large is an error."""
        too_large = await self.deliver(topic, records, timeout_s=timeout_s)
        if too_large:
            msg = f"{len(too_large)} {topic} records refused as too large"
            raise TransientError(msg)

    def close(self, timeout_s: float = 10.0) -> None:
        self._producer.flush(timeout_s)


class KafkaStatusPublisher:
    def __init__(self, producer: IdempotentProducer, topic: str) -> None:
        self._producer = producer
        self._topic = topic

    async def publish(self, records: Sequence[OutboxEntry]) -> None:
        await self._producer.send(self._topic, [(r.key, r.value, None) for r in records])


class KafkaDeadLetterSink:
    """Original key, value and headers, with the reason and source coordinates as headers.

    A dead letter the broker (or the client) refuses as too large is replaced by a reference
    to the original, so the partition always moves on.
    """

    def __init__(self, producer: IdempotentProducer, topic: str) -> None:
        self._producer = producer
        self._topic = topic

    async def send(self, rejected: Sequence[Rejected]) -> None:
        failed_at = datetime.now(UTC)
        records = [dead_letter_record(r, failed_at) for r in rejected]
        too_large = await self._producer.deliver(self._topic, records)
        if not too_large:
            return
        for i in too_large:
            message = rejected[i].message
            logger.warning(
                "dead letter of %s/%d@%d too large (%d bytes): sending a reference instead",
                message.topic,
                message.partition,
                message.offset,
                original_size(message),
            )
        references = [reference_record(rejected[i], failed_at) for i in too_large]
        if await self._producer.deliver(self._topic, references):
            # A reference is a few KiB: only a dead-letter topic limit far below the inbound
            # topic's gets here, a configuration to fix.
            msg = f"{self._topic} refuses even a dead-letter reference: check its max.message.bytes"
            raise TransientError(msg)
