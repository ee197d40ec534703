"""The outbox relay's store (bootstrap.relay_store_for): on PostgreSQL a connection of its own,
so its reads never queue behind the actors' writes on the store thread (the scale-out bench saw
status events reach the topic 6-8 s after their state change); on SQLite the same store."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from adapter.app.ports import OutboundRecord
from adapter.bootstrap import open_migrated_store, relay_store_for
from adapter.settings import Settings
from tests.contract.conftest import POSTGRES_URL


def settings_for(url: str) -> Settings:
    return Settings.model_validate({"store": {"url": url}})


async def test_sqlite_relays_from_the_store_itself(tmp_path: Path) -> None:
    settings = settings_for(f"sqlite:///{tmp_path / 'store.db'}")
    store = await open_migrated_store(settings, None)
    assert store is not None
    try:
        assert await relay_store_for(settings, store, None) is store
    finally:
        store.close()


@pytest.mark.postgres
async def test_postgres_relays_on_a_connection_of_its_own(pg_schema: str) -> None:
    found = re.search(r"search_path=(\w+)", pg_schema)
    assert found is not None
    options = quote(f"-csearch_path={found.group(1)}")
    settings = settings_for(f"{POSTGRES_URL}?options={options}")
    store = await open_migrated_store(settings, None)
    assert store is not None
    relay = await relay_store_for(settings, store, None)
    try:
        assert relay is not store
        assert relay.on_its_own_thread
        await store.append_outbox([OutboundRecord(0, "emp-1", b"status")], 0.0)
        (pending,) = await relay.pending_outbox(None, 10)  # the same rows, another connection
        await relay.mark_published([pending.row_id])
        assert await store.pending_outbox(None, 10) == []
    finally:
        relay.close()
        store.close()
