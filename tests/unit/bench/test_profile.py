"""Profile categories match module paths, so they survive renamed functions and new modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapter.bench.profile import breakdown, category

LOOP = "Runner.run (asyncio/runners.py:118);BaseEventLoop._run_once (asyncio/base_events.py:1922)"


@pytest.mark.parametrize(
    ("leaf", "expected"),
    [
        # a lean aiohttp path in a module the profile has never seen
        ("LeanSubmitter.post (adapter/edges/dimona_rest/lean.py:10)", "ONSS HTTP client"),
        ("ClientSession._request (aiohttp/client.py:500)", "ONSS HTTP client"),
        # a group commit added to the store's call queue
        ("GroupCommit.flush (adapter/edges/store/calls.py:80)", "store"),
        ("Batch.append (adapter/app/status_events.py:40)", "status events"),
        ("Intake.examine (adapter/app/intake.py:60)", "intake"),
        ("SingleObjectCodec.decode (adapter/edges/avro/codec.py:70)", "intake"),
        ("OutboxRelay.run (adapter/app/relay.py:30)", "outbox relay"),
        ("transition (adapter/core/machine.py:12)", "translation + state machine"),
        ("log_handled (adapter/logging.py:107)", "logging"),
        ("DeclarationDriver._step (adapter/app/driver.py:219)", "driver"),
        ("Executor._actor (adapter/app/executor.py:50)", "runner + executor"),
        ("select (selectors.py:468)", "event loop"),
        ("something (elsewhere/module.py:1)", "event loop"),  # only the loop is known
    ],
)
def test_categories_by_module_path(leaf: str, expected: str) -> None:
    assert category(f"{LOOP};{leaf}").startswith(expected)


def test_a_stack_of_unknown_modules_is_other() -> None:
    assert category("something (elsewhere/module.py:1)") == "other"


def test_the_store_wins_over_its_callers() -> None:
    stack = (
        "DeclarationDriver._save (adapter/app/driver.py:266);"
        "SqlStore.save (adapter/edges/store/sql.py:229)"
    )
    assert category(stack).startswith("store")
    status = "StatusEvents.build (adapter/app/status_events.py:50);write (fastavro/_write.py:1)"
    assert category(f"DeclarationDriver._step (adapter/app/driver.py:1);{status}").startswith(
        "status events"
    )


def test_breakdown_leaves_start_up_out(tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text(
        "<module> (adapter/__main__.py:5);_find_and_load (<frozen importlib._bootstrap>:1) 50\n"
        f"{LOOP};SqlStore.save (adapter/edges/store/sql.py:9) 3\n"
        f"{LOOP};Response.aread (httpx/_models.py:979) 1\n"
    )
    shares = dict(breakdown(raw))
    assert shares == {"store (SQLite / PostgreSQL)": 75.0,
                      "ONSS HTTP client (dimona_rest, httpx, aiohttp)": 25.0}  # fmt: skip
