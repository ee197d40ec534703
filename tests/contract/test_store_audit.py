"""The audit side of the Store contract (history, consult by worker, poll schedule size),
on both engines: the same ``store`` fixture as test_store_contract.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from adapter.core.machine import DeclarationProgress, DeclarationState
from adapter.edges.store.sql import SqlStore
from tests.contract.builders import ANSWER, SSIN, T0, entry, planned


def test_pending_poll_count_counts_declarations_awaiting_an_answer(store: SqlStore) -> None:
    declarations = store.plan_declarations(
        "e1", "emp-1", [planned("IN", n=i) for i in range(4)], T0
    )
    states = [
        DeclarationState.SUBMITTED,
        DeclarationState.WAITING_IDENTIFICATION,
        DeclarationState.ACCEPTED,
        DeclarationState.PLANNED,
    ]
    for declaration, state in zip(declarations, states, strict=True):
        store.save_progress(
            declaration,
            DeclarationProgress(state),
            next_action_at=None,
            outbox=[],
            periods_json=None,
            now=T0,
        )
    assert store.pending_poll_count() == 2


def test_history_tells_what_was_declared_when_and_what_onss_answered(store: SqlStore) -> None:
    store.record_events([entry("e1", partition=3)], {})
    (declaration,) = store.plan_declarations("e1", "emp-1", [planned("IN")], T0 + 1)
    submitted = DeclarationProgress(
        DeclarationState.SUBMITTED, 1, ANSWER.declaration_id, datetime.now(UTC)
    )
    declaration = store.save_progress(
        declaration, submitted, next_action_at=T0 + 3, outbox=[], periods_json=None, now=T0 + 2
    )
    answered = replace(submitted, state=DeclarationState.ACCEPTED_WITH_WARNINGS, answer=ANSWER)
    store.save_progress(
        declaration,
        answered,
        next_action_at=None,
        outbox=[],
        periods_json='[{"periodId": 5000000000001}]',
        now=T0 + 4,
    )
    store.finish_event("e1", "DONE", [], T0 + 5)

    history = store.history("emp-1")
    assert history["events"] == [
        {
            "eventId": "e1",
            "eventType": "HIRE",
            "topic": "hr.employment.events",
            "partition": 3,
            "offset": entry("e1").offset,
            "receivedAt": T0,
            "outcome": "DONE",
            "finishedAt": T0 + 5,
        }
    ]
    (stored,) = history["declarations"]
    assert stored.progress == answered
    assert history["periods"] == [{"periodId": 5_000_000_000_001}]
    transitions = history["transitions"]
    assert [(t["state"], t["recordedAt"]) for t in transitions] == [
        ("PLANNED", T0 + 1),
        ("SUBMITTED", T0 + 2),
        ("ACCEPTED_WITH_WARNINGS", T0 + 4),
    ]
    last = transitions[-1]
    assert (last["declarationId"], last["result"], last["attempts"]) == (
        ANSWER.declaration_id,
        "W",
        1,
    )
    assert [a["code"] for a in last["answer"]["anomalies"]] == ["90017-510", "00913-371"]
    assert transitions[1]["nextActionAt"] == T0 + 3

    assert store.history("nobody") == {
        "events": [],
        "declarations": [],
        "transitions": [],
        "periods": [],
    }


def test_declarations_by_worker(store: SqlStore) -> None:
    store.plan_declarations("e1", "emp-1", [planned("IN", ssin=SSIN)], T0)
    store.plan_declarations("e2", "emp-1", [planned("OUT", ssin=None)], T0)
    store.plan_declarations("e3", "emp-2", [planned("IN", ssin="90010100175")], T0)
    store.plan_declarations("e4", "emp-3", [planned("UPDATE", ssin=SSIN)], T0)
    found = store.declarations_by_worker(SSIN)
    assert [(d.event_id, d.employment_id) for d in found] == [
        ("e1", "emp-1"),
        ("e2", "emp-1"),
        ("e4", "emp-3"),
    ]
    assert store.declarations_by_worker("00000000000") == []
