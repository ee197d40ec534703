"""Fencing (``edges/store/ownership.py``): two processes, one database, one owner at a time.

Each test opens two stores on the same database: two replicas. On PostgreSQL they are two
connections, so the claims really cross processes' connections; SQLite shares the file.
"""

from __future__ import annotations

import pytest

from adapter.core.errors import OwnershipLost
from adapter.core.machine import DeclarationProgress, DeclarationState
from adapter.edges.store.sql import SqlStore
from tests.contract.builders import T0, entry, planned
from tests.contract.conftest import OpenStore

SUBMITTING = DeclarationProgress(DeclarationState.SUBMITTING, attempts=1)


def two_replicas(open_store: OpenStore) -> tuple[SqlStore, SqlStore]:
    first, second = open_store(), open_store()
    first.migrate()
    return first, second


def test_without_claims_nothing_is_fenced(store: SqlStore) -> None:
    store.record_events([entry("e1", partition=3)], {})
    (declaration,) = store.plan_declarations("e1", "emp-1", [planned()], T0)
    store.save_progress(
        declaration, SUBMITTING, next_action_at=None, outbox=[], periods_json=None, now=T0
    )
    store.finish_event("e1", "DONE", [], T0)


def test_only_the_latest_claim_of_the_partition_moves_an_employment(
    open_store: OpenStore,
) -> None:
    old, new = two_replicas(open_store)
    old.claim_partitions([3], T0)
    old.record_events([entry("e1", partition=3)], {})
    (declaration,) = old.plan_declarations("e1", "emp-1", [planned()], T0)

    new.claim_partitions([3], T0 + 1)  # a rebalance gave partition 3 to the other replica

    with pytest.raises(OwnershipLost, match="partition 3"):
        old.save_progress(
            declaration, SUBMITTING, next_action_at=None, outbox=[], periods_json=None, now=T0
        )
    with pytest.raises(OwnershipLost):
        old.finish_event("e1", "DONE", [], T0)
    with pytest.raises(OwnershipLost):
        old.plan_declarations("e2", "emp-1", [planned()], T0)
    saved = new.save_progress(
        declaration, SUBMITTING, next_action_at=None, outbox=[], periods_json=None, now=T0
    )
    assert saved.progress.state is DeclarationState.SUBMITTING


def test_an_employment_belongs_to_the_partition_of_its_first_event(
    open_store: OpenStore,
) -> None:
    """A later event of the employment on another partition (a producer that ignored the key)
    does not let that partition's owner drive the employment."""
    owner, other = two_replicas(open_store)
    owner.claim_partitions([0], T0)
    other.claim_partitions([1], T0)
    owner.record_events([entry("hire", "emp-1", partition=0)], {})
    other.record_events([entry("leave", "emp-1", partition=1)], {})

    with pytest.raises(OwnershipLost, match="partition 0"):
        other.plan_declarations("hire", "emp-1", [planned()], T0)
    assert other.employments_with_open_events([1]) == []
    assert owner.employments_with_open_events([0]) == ["emp-1"]
    owner.plan_declarations("hire", "emp-1", [planned()], T0)


def test_a_forgotten_partition_refuses_the_leftover_work_of_its_old_owner(
    store: SqlStore,
) -> None:
    store.claim_partitions([2], T0)
    store.record_events([entry("e1", partition=2)], {})
    store.plan_declarations("e1", "emp-1", [planned()], T0)
    store.forget_partitions([2])
    with pytest.raises(OwnershipLost):
        store.finish_event("e1", "DONE", [], T0)
    store.claim_partitions([2], T0 + 5)  # assigned again: a new generation, ours
    store.finish_event("e1", "DONE", [], T0)
