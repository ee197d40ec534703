"""Which dead letters ``dlq replay`` re-publishes: never a reference (it has no value)."""

from __future__ import annotations

from adapter.commands.dlq import _selected


def test_a_reference_is_never_replayed() -> None:
    reference = {"dlq.reason.code": "UNDECODABLE", "dlq.truncated": "true", "dlq.event.id": "e"}
    assert not _selected(reference, None, None)
    assert not _selected(reference, ["UNDECODABLE"], None)
    assert not _selected(reference, None, ["e"])


def test_a_full_copy_is_replayed_when_selected() -> None:
    copy = {"dlq.reason.code": "UNDECODABLE", "dlq.event.id": "e"}
    assert _selected(copy, None, None)
    assert _selected(copy, ["UNDECODABLE"], ["e"])
    assert not _selected(copy, ["RULE_VIOLATION"], None)
