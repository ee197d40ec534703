"""The collector tuning applied after start-up (adapter/gc_tuning.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from adapter.gc_tuning import freeze_start_up_objects


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("restored_collector")
def test_start_up_objects_are_frozen_and_young_collections_are_rarer() -> None:
    middle, old = gc.get_threshold()[1:]
    frozen = freeze_start_up_objects(12_345)
    assert frozen > 0
    assert gc.get_freeze_count() == frozen
    assert gc.get_threshold() == (12_345, middle, old)


@pytest.mark.usefixtures("restored_collector")
def test_cycles_created_after_the_freeze_are_still_collected() -> None:
    freeze_start_up_objects()

    class Node:
        other: object = None

    a, b = Node(), Node()
    a.other, b.other = b, a
    del a, b
    assert gc.collect() >= 2
