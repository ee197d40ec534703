"""Fencing (``edges/store/ownership.py``, and its twin in ``memory.py``): two processes, one
database, one owner at a time.

Each test opens two stores on the same database: two replicas. On PostgreSQL they are two
connections, so the claims really cross processes' connections; SQLite shares the file, the
in-memory store its ``MemoryDatabase``.
"""

from __future__ import annotations

import pytest

from adapter.app.ports import EventOutcome
from adapter.core.errors import OwnershipLost
from adapter.core.machine import DeclarationProgress, DeclarationState
from tests.contract.builders import T0, eid, entry, planned
from tests.contract.conftest import OpenStore, Store

SUBMITTING = DeclarationProgress(DeclarationState.SUBMITTING, attempts=1)
DONE = EventOutcome.DONE


async def test_without_claims_nothing_is_fenced(store: Store) -> None:
    await store.record_events([entry("e1", partition=3)], {})
    (declaration,) = await store.plan_declarations(eid("e1"), "emp-1", [planned()], T0)
    await store.save_progress(
        declaration, SUBMITTING, next_action_at=None, outbox=[], periods=None, now=T0
    )
    await store.finish_event(eid("e1"), DONE, [], T0)


async def test_only_the_latest_claim_of_the_partition_moves_an_employment(
    open_store: OpenStore,
) -> None:
    old, new = open_store(), open_store()
    await old.claim_partitions([3], T0)
    await old.record_events([entry("e1", partition=3)], {})
    (declaration,) = await old.plan_declarations(eid("e1"), "emp-1", [planned()], T0)

    await new.claim_partitions([3], T0 + 1)  # a rebalance gave partition 3 to the other replica

    with pytest.raises(OwnershipLost, match="partition 3"):
        await old.save_progress(
            declaration, SUBMITTING, next_action_at=None, outbox=[], periods=None, now=T0
        )
    with pytest.raises(OwnershipLost):
        await old.finish_event(eid("e1"), DONE, [], T0)
    with pytest.raises(OwnershipLost):
        await old.plan_declarations(eid("e2"), "emp-1", [planned()], T0)
    with pytest.raises(OwnershipLost):
        await old.append_declarations(eid("e1"), "emp-1", [planned()], first_position=1, now=T0)
    saved = await new.save_progress(
        declaration, SUBMITTING, next_action_at=None, outbox=[], periods=None, now=T0
    )
    assert saved.progress.state is DeclarationState.SUBMITTING
    (reread,) = await new.declarations_of_event(eid("e1"))
    assert reread.progress == SUBMITTING  # the refused write left nothing behind


async def test_an_employment_belongs_to_the_partition_of_its_first_event(
    open_store: OpenStore,
) -> None:
    """A later event of the employment on another partition (a producer that ignored the key)
    does not let that partition's owner drive the employment."""
    owner, other = open_store(), open_store()
    await owner.claim_partitions([0], T0)
    await other.claim_partitions([1], T0)
    await owner.record_events([entry("hire", "emp-1", partition=0)], {})
    await other.record_events([entry("leave", "emp-1", partition=1)], {})

    with pytest.raises(OwnershipLost, match="partition 0"):
        await other.plan_declarations(eid("hire"), "emp-1", [planned()], T0)
    assert await other.employments_with_open_events([1]) == []
    assert await owner.employments_with_open_events([0]) == ["emp-1"]
    await owner.plan_declarations(eid("hire"), "emp-1", [planned()], T0)


async def test_a_forgotten_partition_refuses_the_leftover_work_of_its_old_owner(
    store: Store,
) -> None:
    await store.claim_partitions([2], T0)
    await store.record_events([entry("e1", partition=2)], {})
    await store.plan_declarations(eid("e1"), "emp-1", [planned()], T0)
    store.forget_partitions([2])
    with pytest.raises(OwnershipLost):
        await store.finish_event(eid("e1"), DONE, [], T0)
    await store.claim_partitions([2], T0 + 5)  # assigned again: a new generation, ours
    await store.finish_event(eid("e1"), DONE, [], T0)
    assert await store.employments_with_open_events(None) == []
