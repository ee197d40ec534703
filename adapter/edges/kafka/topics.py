"""Create the adapter's topics where asked (demo, tests); production creates them in advance."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from adapter.core.errors import FatalConfiguration


def ensure_topics(config: Mapping[str, Any], topics: Iterable[str], *, partitions: int) -> None:
    admin = AdminClient(dict(config))
    existing = set(admin.list_topics(timeout=10).topics)
    missing = [
        NewTopic(t, num_partitions=partitions, replication_factor=1)
        for t in topics
        if t not in existing
    ]
    if not missing:
        return
    futures = admin.create_topics(missing, operation_timeout=10)
    for topic, future in futures.items():
        try:
            future.result(timeout=15)
        except KafkaException as exc:
            if exc.args and exc.args[0].code() == 36:  # TOPIC_ALREADY_EXISTS: a racing creator
                continue
            msg = f"cannot create topic {topic}: {exc}"
            raise FatalConfiguration(msg) from exc


def missing_topics(config: Mapping[str, Any], topics: Iterable[str]) -> list[str]:
    admin = AdminClient(dict(config))
    existing = set(admin.list_topics(timeout=10).topics)
    return [t for t in topics if t not in existing]
