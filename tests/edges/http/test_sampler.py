"""Gauges sampled from a real SQLite store, and the store readiness check."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from adapter.app.ports import InboxEntry, PlannedDeclaration
from adapter.app.status_events import StatusEvents
from adapter.bootstrap import STATUS_SCHEMA
from adapter.core.events import EmploymentEvent
from adapter.core.machine import DeclarationProgress, DeclarationState
from adapter.core.translation import translate
from adapter.demo_events import hire, ssin_for
from adapter.edges.avro.codec import SingleObjectCodec
from adapter.edges.dimona_rest.wire import declaration_to_body
from adapter.edges.http.health import Health
from adapter.edges.http.prometheus import PrometheusMetrics
from adapter.edges.http.sampler import StoreSampler, store_check
from adapter.edges.store.roles import AsyncSqlStore
from adapter.edges.store.sqlite import SqliteStore


async def _store_with_one_pending_declaration(path: Path, now: datetime) -> AsyncSqlStore:
    store = AsyncSqlStore.inline(SqliteStore(path))
    await store.migrate()
    event = EmploymentEvent.model_validate(hire("EMP-G-1", ssin_for(5), date.today()))
    [declaration] = translate(event, (), today=date.today()).declarations
    entry = InboxEntry(event, "hr.employment.events", 1, 3, now.timestamp())
    statuses = StatusEvents(SingleObjectCodec(STATUS_SCHEMA))
    await store.record_events([entry], {event.event_id: [statuses.received(1, event, now)]})
    planned = PlannedDeclaration(declaration, declaration_to_body(declaration))
    [stored] = await store.plan_declarations(event.event_id, "EMP-G-1", [planned], now.timestamp())
    submitted = DeclarationProgress(
        DeclarationState.SUBMITTED,
        attempts=1,
        declaration_id=656309300157,
        submitted_at=now - timedelta(hours=2),
    )
    await store.save_progress(
        stored, submitted, next_action_at=None, outbox=[], periods=None, now=now.timestamp()
    )
    return store


async def test_gauges_count_only_owned_partitions(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    store = await _store_with_one_pending_declaration(tmp_path / "s.sqlite3", now)
    metrics = PrometheusMetrics()
    owned: frozenset[int] = frozenset({1})
    sampler = StoreSampler(store, metrics, lambda: owned, clock=now.timestamp)
    try:
        await sampler.sample()
        text = metrics.render().decode()
        assert 'dimona_adapter_pending_polls{age="lt_6h"} 1.0' in text
        assert 'dimona_adapter_pending_polls{age="lt_1m"} 0.0' in text
        assert "dimona_adapter_outbox_backlog 1.0" in text
        assert "dimona_adapter_partitions_assigned 1.0" in text
        owned = frozenset({0})
        await sampler.sample()
        text = metrics.render().decode()
        assert 'dimona_adapter_pending_polls{age="lt_6h"} 0.0' in text
        assert "dimona_adapter_outbox_backlog 0.0" in text
    finally:
        store.close()


async def test_sampler_task_stops_and_store_check_follows_the_store(tmp_path: Path) -> None:
    store = await _store_with_one_pending_declaration(tmp_path / "s.sqlite3", datetime.now(UTC))
    metrics = PrometheusMetrics()
    stopping = asyncio.Event()
    sampler = StoreSampler(store, metrics, lambda: frozenset({1}), interval_s=0.01)
    task = asyncio.create_task(sampler.run(stopping))
    for _ in range(1000):  # until the first sample has landed
        if b"dimona_adapter_outbox_backlog 1.0" in metrics.render():
            break
        await asyncio.sleep(0.01)
    assert b"dimona_adapter_outbox_backlog 1.0" in metrics.render()
    stopping.set()
    await task
    health = Health(store_check=store_check(store), readiness_cache_s=0)  # every probe queries
    health.partitions_assigned(True)
    assert (await health.ready()).ok
    store.close()
    verdict = await health.ready()
    assert not verdict.ok
    assert verdict.checks["store"] == "unreachable"


async def test_operations_bundle_serves_and_samples(tmp_path: Path) -> None:
    import httpx

    from adapter.edges.http.ops import operations

    store = await _store_with_one_pending_declaration(tmp_path / "s.sqlite3", datetime.now(UTC))
    try:
        async with operations(
            host="127.0.0.1",
            port=0,
            store=store,
            partitions=lambda: frozenset({1}),
            sample_interval_s=0.01,
        ) as ops:
            ops.health.partitions_assigned(True)
            base = f"http://127.0.0.1:{ops.server.port}"
            async with httpx.AsyncClient(base_url=base) as http:
                assert (await http.get("/livez")).status_code == 200
                assert (await http.get("/readyz")).status_code == 200
                for _ in range(1000):
                    text = (await http.get("/metrics")).text
                    if "dimona_adapter_outbox_backlog 1.0" in text:
                        break
                    await asyncio.sleep(0.01)
                assert "dimona_adapter_outbox_backlog 1.0" in text
    finally:
        store.close()
