"""What only the SQL engines have, on SQLite and PostgreSQL: migrations, transactions, columns
read by operators and by the previous release."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from adapter.core.machine import DeclarationProgress, DeclarationState
from adapter.edges.store import rows
from adapter.edges.store.migrations import LATEST, MIGRATIONS, render
from adapter.edges.store.sql import SqlStore
from tests.contract.builders import ANSWER, SSIN, T0, eid, entry, planned, record, scalar
from tests.contract.conftest import OpenSql


def migrated(open_sql: OpenSql) -> SqlStore:
    store = open_sql()
    store.migrate()
    return store


def test_migrate_is_idempotent_and_records_each_version(open_sql: OpenSql) -> None:
    first = open_sql()
    assert first.schema_version() == 0
    first.migrate()
    first.migrate()
    second = open_sql()
    second.migrate()
    assert second.schema_version() == LATEST == MIGRATIONS[-1][0]
    assert scalar(first, "SELECT COUNT(*) FROM schema_migrations") == len(MIGRATIONS)
    assert scalar(first, "SELECT COUNT(DISTINCT applied_at) FROM schema_migrations") >= 1


def test_migration_2_fills_the_worker_of_existing_declarations(open_sql: OpenSql) -> None:
    """Rows written as the store writes them (``rows``) are read by migration 2's SQL."""
    store = open_sql()
    with store._tx() as cur:
        store._run(
            cur,
            "CREATE TABLE schema_migrations "
            "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
        )
        for statement in render(MIGRATIONS[0][1], store.dialect):
            cur.execute(statement)
        store._run(cur, "INSERT INTO schema_migrations VALUES (1, 'then')")
        old = [planned("IN", n=0), planned("OUT", n=1), planned("OUT", ssin=None, n=2)]
        for n, p in enumerate(old):
            store._run(
                cur,
                "INSERT INTO declarations (employment_id, event_id, position, kind, "
                "declaration_json, body_json, state, created_at, updated_at) "
                "VALUES (?, ?, 0, ?, ?, ?, 'PLANNED', 0, 0)",
                (
                    f"emp-{n}",
                    f"e{n}",
                    p.declaration.kind.value,
                    rows.declaration_json(p.declaration),
                    rows.body_json(p.body),
                ),
            )
    assert store.schema_version() == 1
    store.migrate()
    assert store.schema_version() == LATEST
    assert [d.event_id for d in store.declarations_by_worker(SSIN)] == ["e0", "e1"]


def test_concurrent_migrations_apply_once(open_sql: OpenSql) -> None:
    stores = [open_sql() for _ in range(3)]
    errors: list[BaseException] = []

    def migrate(store: SqlStore) -> None:
        try:
            store.migrate()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=migrate, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert scalar(stores[0], "SELECT COUNT(*) FROM schema_migrations") == len(MIGRATIONS)


def test_the_columns_operators_query_are_filled(open_sql: OpenSql) -> None:
    store = migrated(open_sql)
    store.record_events([entry("e1"), entry("e1")], {})
    assert scalar(store, "SELECT COUNT(*) FROM inbox") == 1
    assert scalar(store, "SELECT event_type FROM inbox") == "HIRE"
    (declaration,) = store.plan_declarations(eid("e1"), "emp-1", [planned("IN")], T0)
    assert scalar(store, "SELECT worker_ssin FROM declarations") == SSIN
    assert scalar(store, "SELECT kind FROM declarations") == "IN"
    progress = DeclarationProgress(
        DeclarationState.ACCEPTED_WITH_WARNINGS, 1, ANSWER.declaration_id, datetime.now(UTC), ANSWER
    )
    store.save_progress(declaration, progress, next_action_at=None, outbox=[], periods=None, now=T0)
    assert scalar(store, "SELECT period_id FROM declarations") == ANSWER.period_id
    assert scalar(store, "SELECT result FROM declarations") == "W"
    assert scalar(store, "SELECT body_json FROM declarations") == rows.body_json(planned().body)
    store.append_outbox([record("k")], T0)
    store.mark_published([1])
    assert scalar(store, "SELECT COUNT(*) FROM outbox WHERE published_at IS NOT NULL") == 1


def test_a_body_not_rendered_yet_is_stored_empty(open_sql: OpenSql) -> None:
    store = migrated(open_sql)
    store.plan_declarations("e1", "emp-1", [planned("OUT", body=False)], T0)
    assert scalar(store, "SELECT body_json FROM declarations") == ""
    (reread,) = store.declarations_of_event("e1")
    assert reread.body is None


class BoomError(Exception):
    pass


def _write_then_fail(store: SqlStore) -> None:
    with store._tx() as cur:
        store._insert_outbox(cur, [record("inside")], T0)
        raise BoomError


def test_an_exception_inside_a_transaction_rolls_it_back(open_sql: OpenSql) -> None:
    store = migrated(open_sql)
    with pytest.raises(BoomError):
        _write_then_fail(store)
    assert store.pending_outbox(None, 10) == []
    store.append_outbox([record("after")], T0)
    assert [e.key for e in store.pending_outbox(None, 10)] == ["after"]


def test_parsed_events_memo_is_bounded_and_parses_what_it_does_not_hold() -> None:
    event = entry("e1", "emp-1").event
    text = rows.event_json(event)
    memo = rows.ParsedEvents(limit=2)
    memo.remember(text, event)
    assert memo.parse(text) is event  # handed back once, not parsed
    parsed = memo.parse(text)  # then parsed from the text
    assert parsed == event
    assert parsed is not event
    for n in range(3):
        memo.remember(f"text-{n}", event)
    assert memo.parse("text-2") is event
    with pytest.raises(ValueError, match="JSON"):
        memo.parse("text-0")  # the oldest went first: parsed, and not JSON
