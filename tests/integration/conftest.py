from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from adapter.demo_harness import demo_settings
from adapter.edges.kafka.ladder import BrokerHandle
from adapter.sandbox.process import SandboxProcess
from adapter.settings import Settings


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxProcess]:
    with SandboxProcess(processing_delay=0.3) as process:
        yield process


@pytest.fixture
def adapter_settings(tmp_path: Path, broker: BrokerHandle, sandbox: SandboxProcess) -> Settings:
    """Fresh topics and group per test, so tests never see each other's records."""
    suffix = uuid.uuid4().hex[:8]
    base = demo_settings(
        tmp_path,
        bootstrap_servers=broker.bootstrap_servers,
        sandbox=sandbox,
        group_id=f"it-{suffix}",
    )
    kafka = base.kafka.model_copy(
        update={
            "input_topic": f"hr.employment.events.{suffix}",
            "status_topic": f"dimona.declaration.status.{suffix}",
            "dead_letter_topic": f"hr.employment.events.dlq.{suffix}",
        }
    )
    # A kill between the intent and the POST is reconciled for this long before a re-post:
    # the sandbox lists a declaration within its 0.3 s processing delay, so 10 s is ample.
    pipeline = base.pipeline.model_copy(
        update={"reconcile_window_s": 10.0, "reconcile_interval_s": 0.5}
    )
    return base.model_copy(update={"kafka": kafka, "pipeline": pipeline})


POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    schema = f"it_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
