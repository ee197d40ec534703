"""Producers: status events (from the outbox) and dead letters, both idempotent (acks=all)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from confluent_kafka import KafkaError, Message, Producer

from adapter.app.intake import Rejected
from adapter.app.ports import OutboxEntry
from adapter.core.errors import TransientError
from adapter.core.status import DeadLetterHeader

_Headers = list[tuple[str, str | bytes | None]]


class _DeliveryBatch:
    """Collects delivery reports of one batch; resolves when all have arrived."""

    def __init__(self, loop: asyncio.AbstractEventLoop, expected: int) -> None:
        self._loop = loop
        self._remaining = expected
        self.errors: list[str] = []
        self.done = loop.create_future()
        if expected == 0:
            self.done.set_result(None)

    def report(self, error: KafkaError | None, _message: Message) -> None:
        # Runs on librdkafka's thread (inside poll/flush): hop back to the loop.
        self._loop.call_soon_threadsafe(self._record, None if error is None else str(error))

    def _record(self, error: str | None) -> None:
        if error is not None:
            self.errors.append(error)
        self._remaining -= 1
        if self._remaining == 0 and not self.done.done():
            self.done.set_result(None)


class IdempotentProducer:
    """One librdkafka producer shared by the status publisher and the dead-letter sink."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self._producer = Producer(
            {
                **config,
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": 5,
                "compression.type": "lz4",
            }
        )

    async def send(
        self,
        topic: str,
        records: Sequence[tuple[str | bytes | None, bytes | None, _Headers | None]],
        *,
        timeout_s: float = 30.0,
    ) -> None:
        """Produce all records and wait until the broker acknowledged each of them."""
        loop = asyncio.get_running_loop()
        batch = _DeliveryBatch(loop, len(records))
        for key, value, headers in records:
            while True:
                try:
                    self._producer.produce(
                        topic, value=value, key=key, headers=headers, on_delivery=batch.report
                    )
                    break
                except BufferError:
                    await loop.run_in_executor(None, self._producer.poll, 0.05)
        deadline = loop.time() + timeout_s
        while not batch.done.done():
            if loop.time() > deadline:
                msg = f"broker did not acknowledge {topic} records within {timeout_s} s"
                raise TransientError(msg)
            await loop.run_in_executor(None, self._producer.poll, 0.05)
        if batch.errors:
            msg = f"{len(batch.errors)} {topic} records not delivered: {batch.errors[0]}"
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
    """Original key and bytes, with the reason and source coordinates as headers."""

    def __init__(self, producer: IdempotentProducer, topic: str) -> None:
        self._producer = producer
        self._topic = topic

    async def send(self, rejected: Sequence[Rejected]) -> None:
        await self._producer.send(self._topic, [self._record(r) for r in rejected])

    @staticmethod
    def _record(
        rejected: Rejected,
    ) -> tuple[bytes | None, bytes | None, _Headers]:
        message = rejected.message
        headers = {
            DeadLetterHeader.REASON_CODE: rejected.reason_code,
            DeadLetterHeader.MESSAGE: rejected.reason,
            DeadLetterHeader.SOURCE_TOPIC: message.topic,
            DeadLetterHeader.SOURCE_PARTITION: str(message.partition),
            DeadLetterHeader.SOURCE_OFFSET: str(message.offset),
            DeadLetterHeader.FAILED_AT: datetime.now(UTC).isoformat(),
        }
        if message.timestamp_ms is not None:
            headers[DeadLetterHeader.SOURCE_TIMESTAMP] = str(message.timestamp_ms)
        if rejected.event_id is not None:
            headers[DeadLetterHeader.EVENT_ID] = rejected.event_id
        if rejected.violations:
            headers[DeadLetterHeader.VIOLATIONS] = json.dumps(
                [
                    {"code": v.code, "field": v.field, "message": v.message}
                    for v in rejected.violations
                ]
            )
        return (
            message.key,
            message.value,
            [(name.value, value.encode()) for name, value in headers.items()],
        )
