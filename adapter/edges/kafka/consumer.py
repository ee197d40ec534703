"""The inbound topic through confluent-kafka, with manual commits and pause/resume.

All calls on the librdkafka consumer happen on one dedicated thread; rebalance callbacks
run there too (inside ``consume``) and only update the assignment snapshot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from adapter.app.ports import ConsumedMessage
from adapter.core.errors import TransientError


class KafkaEventSource:
    def __init__(self, config: Mapping[str, Any], topic: str) -> None:
        settings = {
            **config,
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "auto.offset.reset": "earliest",
            "partition.assignment.strategy": "cooperative-sticky",
        }
        self._consumer = Consumer(settings)
        self._topic = topic
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kafka-consumer")
        self._assigned: frozenset[int] = frozenset()
        self._revocation_handler: Callable[[frozenset[int]], None] | None = None
        self._consumer.subscribe([topic], on_assign=self._on_assign, on_revoke=self._on_revoke)

    # rebalance callbacks (consumer thread) ------------------------------------------------
    def _on_assign(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self._assigned = self._assigned | {p.partition for p in partitions}

    def _on_revoke(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        revoked = frozenset(p.partition for p in partitions)
        self._assigned = self._assigned - revoked
        # Blocks the rebalance until our work on these partitions reached a safe point, so
        # the next owner never runs an employment while we still do.
        if self._revocation_handler is not None and revoked:
            self._revocation_handler(revoked)

    def set_revocation_handler(self, handler: Callable[[frozenset[int]], None]) -> None:
        """``handler`` runs on the consumer thread when partitions are taken away."""
        self._revocation_handler = handler

    @property
    def assigned_partitions(self) -> frozenset[int]:
        return self._assigned

    async def _call(self, function: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._thread, function, *args)

    async def poll(self, max_messages: int, timeout_s: float) -> list[ConsumedMessage]:
        raw = await self._call(self._consumer.consume, max_messages, timeout_s)
        messages = []
        for message in raw:
            error = message.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    continue
                if error.fatal():
                    raise KafkaException(error)
                continue  # librdkafka retries transient errors itself
            _, timestamp = message.timestamp()
            messages.append(
                ConsumedMessage(
                    topic=message.topic(),
                    partition=message.partition(),
                    offset=message.offset(),
                    key=message.key(),
                    value=message.value(),
                    timestamp_ms=timestamp if timestamp > 0 else None,
                    headers=tuple(message.headers() or ()),
                )
            )
        return messages

    async def commit(self, messages: Sequence[ConsumedMessage]) -> None:
        next_offsets: dict[tuple[str, int], int] = {}
        for message in messages:
            key = (message.topic, message.partition)
            next_offsets[key] = max(next_offsets.get(key, 0), message.offset + 1)
        if not next_offsets:
            return
        offsets = [TopicPartition(t, p, o) for (t, p), o in next_offsets.items()]
        try:
            await self._call(lambda: self._consumer.commit(offsets=offsets, asynchronous=False))
        except KafkaException as exc:
            # A commit lost to a rebalance is harmless: the inbox deduplicates redeliveries.
            raise TransientError(f"offset commit failed: {exc}") from exc

    async def rewind(self, messages: Sequence[ConsumedMessage]) -> None:
        """Seek each partition back to the first of these messages: they come again."""
        first: dict[tuple[str, int], int] = {}
        for message in messages:
            key = (message.topic, message.partition)
            first[key] = min(first.get(key, message.offset), message.offset)
        assigned = self._assigned

        def seek() -> None:
            for (topic, partition), offset in first.items():
                if partition in assigned:  # a partition revoked meanwhile: its owner reads it
                    self._consumer.seek(TopicPartition(topic, partition, offset))

        try:
            await self._call(seek)
        except KafkaException as exc:
            raise TransientError(f"seek failed: {exc}") from exc

    async def pause(self) -> None:
        await self._call(lambda: self._consumer.pause(self._consumer.assignment()))

    async def resume(self) -> None:
        await self._call(lambda: self._consumer.resume(self._consumer.assignment()))

    async def close(self) -> None:
        await self._call(self._consumer.close)
        self._thread.shutdown(wait=True)
