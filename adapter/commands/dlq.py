"""``dimona-adapter dlq replay``: re-drive dead letters to the input topic after a fix.

Reads the dead-letter topic from where the last replay stopped (its own consumer group
keeps the position) until it has been quiet for two seconds, filters by reason or
event id, and produces each record's original key and bytes to the input topic with
``dlq.replayed.*`` headers. The adapter's inbox ignores events it has already processed,
so a replay never declares anything twice; records that are still invalid come back to the
dead-letter topic with their reason.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, Message, Producer, TopicPartition

from adapter.core.status import DeadLetterHeader
from adapter.settings import Settings

REPLAY_GROUP_SUFFIX = "-dlq-replay"
IDLE_S = 2.0
"""The replay ends when the dead-letter topic has given nothing for this long."""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dlq = subparsers.add_parser("dlq", help="inspect and replay the dead-letter topic")
    actions = dlq.add_subparsers(dest="dlq_command", metavar="ACTION", required=True)
    replay = actions.add_parser(
        "replay", help="re-drive dead letters to the input topic (after a fix), with progress"
    )
    replay.add_argument("--reason", action="append", help="only this reason code (repeatable)")
    replay.add_argument("--event-id", action="append", help="only this event id (repeatable)")
    replay.add_argument(
        "--from-beginning",
        action="store_true",
        help="ignore the position of earlier replays and start at the oldest dead letter",
    )
    replay.add_argument("--dry-run", action="store_true", help="count, do not produce or commit")
    replay.set_defaults(handler=run)


@dataclass
class ReplayReport:
    examined: int = 0
    replayed: int = 0
    skipped: int = 0

    def count(self, selected: bool) -> bool:
        self.examined += 1
        if selected:
            self.replayed += 1
        else:
            self.skipped += 1
        return selected


def _headers(message: Message) -> dict[str, str]:
    headers: dict[str, str] = {}
    raw = message.headers() or []
    for name, value in raw.items() if isinstance(raw, dict) else raw:
        text = value.decode(errors="replace") if isinstance(value, bytes) else str(value or "")
        headers[name] = text
    return headers


def _selected(
    headers: dict[str, str], reasons: Sequence[str] | None, ids: Sequence[str] | None
) -> bool:
    if headers.get(DeadLetterHeader.TRUNCATED) == "true":
        return False  # a reference has no value to replay: the original is at dlq.source.*
    if reasons and headers.get(DeadLetterHeader.REASON_CODE) not in reasons:
        return False
    return not ids or headers.get(DeadLetterHeader.EVENT_ID) in ids


def _positions(
    consumer: Consumer, topic: str, *, from_beginning: bool
) -> tuple[list[TopicPartition], dict[int, int]]:
    """Where to start in each partition, and where the topic ends right now."""
    metadata = consumer.list_topics(topic, timeout=10)
    partitions = [TopicPartition(topic, p) for p in sorted(metadata.topics[topic].partitions)]
    starts: list[TopicPartition] = []
    ends: dict[int, int] = {}
    for tp in consumer.committed(partitions, timeout=10):
        partition = int(tp.partition)
        _low, high = consumer.get_watermark_offsets(tp, timeout=10)
        ends[partition] = int(high)
        offset = int(tp.offset) if tp.offset is not None else -1
        start = OFFSET_BEGINNING if from_beginning or offset < 0 else offset
        starts.append(TopicPartition(topic, partition, start))
    return starts, ends


def replay(
    settings: Settings,
    *,
    reasons: Sequence[str] | None = None,
    event_ids: Sequence[str] | None = None,
    from_beginning: bool = False,
    dry_run: bool = False,
    progress: Any = None,
) -> ReplayReport:
    """Replay dead letters up to the end of the topic as it is now."""
    kafka = settings.kafka
    config = kafka.client_config()
    consumer = Consumer(
        {**config, "group.id": kafka.group_id + REPLAY_GROUP_SUFFIX, "enable.auto.commit": False}
    )
    producer = Producer({**config, "enable.idempotence": True, "acks": "all"})
    report = ReplayReport()
    done: dict[int, int] = {}
    try:
        starts, ends = _positions(consumer, kafka.dead_letter_topic, from_beginning=from_beginning)
        if progress is not None:
            first = {int(s.partition): max(int(s.offset), 0) for s in starts}
            total = sum(max(high - first[p], 0) for p, high in ends.items())
            progress.update(progress.task_ids[0], total=total)
        consumer.assign(starts)
        # Read until the topic stays quiet: watermarks are only a hint (some Kafka-protocol
        # brokers report them per batch), and records dead-lettered meanwhile are welcome.
        while batch := consumer.consume(500, IDLE_S):
            for message in batch:
                partition, offset = message.partition(), message.offset()
                if message.error() is not None or partition is None or offset is None:
                    continue
                if report.count(_selected(_headers(message), reasons, event_ids)) and not dry_run:
                    _produce(producer, kafka.input_topic, message)
                done[partition] = offset + 1
                if progress is not None:
                    progress.advance(progress.task_ids[0])
        if not dry_run:
            producer.flush(30)
            if done:
                offsets = [TopicPartition(kafka.dead_letter_topic, p, o) for p, o in done.items()]
                consumer.commit(offsets=offsets, asynchronous=False)
    finally:
        consumer.close()
    return report


def _produce(producer: Producer, topic: str, message: Message) -> None:
    replay_headers: list[tuple[str, str | bytes | None]] = [
        ("dlq.replayed.from.topic", message.topic()),
        ("dlq.replayed.from.partition", str(message.partition())),
        ("dlq.replayed.from.offset", str(message.offset())),
    ]
    producer.produce(topic, key=message.key(), value=message.value(), headers=replay_headers)
    producer.poll(0)


def run(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from adapter.logging import configure_logging

    settings = Settings()
    configure_logging("WARNING", settings.log_format)
    with Progress() as progress:
        progress.add_task("replaying dead letters", total=None)
        report = replay(
            settings,
            reasons=args.reason,
            event_ids=args.event_id,
            from_beginning=args.from_beginning,
            dry_run=args.dry_run,
            progress=progress,
        )
    verb = "would replay" if args.dry_run else "replayed"
    print(f"examined {report.examined}, {verb} {report.replayed}, skipped {report.skipped}")
    return 0
