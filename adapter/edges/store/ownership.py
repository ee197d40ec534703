"""Fencing: only the process that owns an employment's partition may drive the employment.

An employment belongs to the partition of its first recorded event (the key is the employment
id, so every later event lands there too unless a producer or a repartition says otherwise).
When Kafka assigns a partition, the process *claims* it in ``partition_owners``: its owner id
and a generation one higher than the last claim. Every write that moves an employment forward
(plan, progress, finish) first reads the claim of the employment's partition in the same
transaction (``FOR SHARE`` on PostgreSQL, so a concurrent claim waits for the write or the write
sees the new claim) and is refused with ``OwnershipLost`` unless the claim is this process's
latest. A process that lost a partition (a rebalance, a zombie after a long pause) can
therefore never post a declaration for it: the intent to post is such a write.

No claim at all for the partition (a store used outside ``run``: tools, tests) fences nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any, Final

from adapter.core.errors import OwnershipLost
from adapter.edges.store.engine import Cursor

Run = Callable[[Cursor, str, Sequence[Any]], Any]

_OWNING_PARTITION: Final = (
    "(SELECT f.kafka_partition FROM inbox f WHERE f.employment_id = ? ORDER BY f.seq LIMIT 1)"
)


class PartitionClaims:
    """This process's claims: its owner id and the generation of each partition it holds."""

    def __init__(self, dialect: str, owner: str | None = None) -> None:
        self.owner = owner or f"adapter-{uuid.uuid4().hex[:12]}"
        self._lock_clause = " FOR SHARE" if dialect == "postgres" else ""
        self._generations: dict[int, int] = {}

    @property
    def partitions(self) -> frozenset[int]:
        return frozenset(self._generations)

    def claim(self, cur: Cursor, run: Run, partitions: Sequence[int], now: float) -> None:
        for partition in sorted(set(partitions)):
            run(
                cur,
                "INSERT INTO partition_owners (kafka_partition, owner, generation, claimed_at) "
                "VALUES (?, ?, 1, ?) ON CONFLICT (kafka_partition) DO UPDATE SET "
                "owner = excluded.owner, generation = partition_owners.generation + 1, "
                "claimed_at = excluded.claimed_at RETURNING generation",
                (partition, self.owner, now),
            )
            self._generations[partition] = int(cur.fetchone()[0])

    def forget(self, partitions: Sequence[int]) -> None:
        """Partitions taken away: this process's leftover work on them is refused from now."""
        for partition in partitions:
            self._generations.pop(partition, None)

    def check(self, cur: Cursor, run: Run, employment_id: str) -> None:
        """Raise ``OwnershipLost`` unless this process holds the employment's partition."""
        run(
            cur,
            "SELECT kafka_partition, owner, generation FROM partition_owners "  # noqa: S608
            f"WHERE kafka_partition = {_OWNING_PARTITION}{self._lock_clause}",
            (employment_id,),
        )
        row = cur.fetchone()
        if row is None:
            return
        partition, owner, generation = int(row[0]), str(row[1]), int(row[2])
        if owner == self.owner and self._generations.get(partition) == generation:
            return
        msg = (
            f"employment {employment_id} belongs to partition {partition}, "
            f"claimed by {owner} (generation {generation})"
        )
        raise OwnershipLost(msg)


OWNED_OPEN_EMPLOYMENTS: Final = (
    "SELECT i.employment_id FROM inbox i WHERE i.outcome IS NULL GROUP BY i.employment_id "
    "HAVING (SELECT f.kafka_partition FROM inbox f WHERE f.employment_id = i.employment_id "
    "ORDER BY f.seq LIMIT 1) IN ({marks}) ORDER BY MIN(i.seq)"
)
"""Employments with open events whose owning partition is one of these (oldest first)."""
