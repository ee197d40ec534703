"""The thin end-to-end slice: a HIRE in Avro on Kafka → ONSS sandbox → ACCEPTED on Kafka."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from adapter.core.identifiers import parse_dimona_id
from adapter.demo_events import hire, ssin_for
from adapter.settings import Settings
from tests.integration.harness import of, run_pipeline

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


async def test_hire_ends_accepted_with_declaration_and_period_ids(
    adapter_settings: Settings,
) -> None:
    event = hire("EMP-SLICE-1", ssin_for(7), date.today() + timedelta(days=3))

    statuses = await run_pipeline(adapter_settings, [event])

    mine = of(statuses, "EMP-SLICE-1")
    assert [s["status"] for s in mine] == ["RECEIVED", "SUBMITTED", "ACCEPTED"]
    accepted = mine[-1]
    assert accepted["declarationKind"] == "IN"
    assert accepted["previousStatus"] == "SUBMITTED"
    assert accepted["resultCode"] == "A"
    declaration_id = accepted["declarationId"]
    assert parse_dimona_id(declaration_id) == declaration_id  # 12 digits, check digits valid
    # For an IN the period id is taken from declarationStatus.period.id of the answer.
    assert accepted["periodId"] == declaration_id
    assert accepted["sourceEventIds"] == [event["eventId"]]
    assert accepted["workerSsin"] == event["worker"]["ssin"]
    assert mine[1]["declarationId"] == declaration_id
