"""Every event kind and ONSS outcome ends with the right status events, in order per employment."""

from __future__ import annotations

import dataclasses
import itertools
import random
from datetime import date, timedelta
from typing import Any

import pytest

from adapter.core.identifiers import make_ssin
from adapter.demo_events import hire, leave
from adapter.demo_harness import StatusReader
from adapter.sandbox import admin_client
from adapter.sandbox.process import SandboxProcess
from adapter.settings import Settings
from tests.integration.harness import TEST_DRIVER, of, run_pipeline, trail

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

_counter = itertools.count(1)
START = date.today() + timedelta(days=5)


def unique_ssin() -> str:
    """A valid SSIN no other test uses (the sandbox is shared by the session)."""
    born = date(1960, 1, 1) + timedelta(days=random.randrange(15_000))
    return make_ssin(born, 1 + 2 * (next(_counter) % 400))


def cancel(employment_id: str, ssin: str) -> dict[str, Any]:
    event = hire(employment_id, ssin, START)
    event["eventType"] = "CANCEL"
    del event["contract"]
    return event


async def test_each_onss_result_gives_its_status(
    adapter_settings: Settings, sandbox: SandboxProcess
) -> None:
    admin = sandbox.admin_url
    accepted, warned, refused, waiting = (unique_ssin() for _ in range(4))
    admin_client.add_scenario(admin, "W", ssin=warned, anomalies=["90017-510"])
    admin_client.add_scenario(admin, "B", ssin=refused, anomalies=["90374-349"])
    admin_client.add_scenario(admin, "S", ssin=waiting, resolve_after_seconds=1.0, resolve_to="A")
    events = [
        hire("E-A", accepted, START),
        hire(
            "E-W",
            warned,
            START,
            worker_type="FLX",
            joint_committee="302",
            end=START,
            startTime="18:00",
            endTime="22:00",
        ),
        hire("E-B", refused, START),
        hire("E-S", waiting, START),
    ]

    statuses = await run_pipeline(adapter_settings, events)

    assert trail(statuses, "E-A")[-1] == ("IN", "ACCEPTED")
    assert [s for _, s in trail(statuses, "E-W")] == [
        "RECEIVED",
        "SUBMITTED",
        "ACCEPTED_WITH_WARNINGS",
    ]
    warning = of(statuses, "E-W")[-1]
    assert warning["resultCode"] == "W"
    assert [a["code"] for a in warning["anomalies"]] == ["90017-510"]
    assert warning["flags"]["flexiConditionsNotMet"] is True
    assert warning["flags"]["specialRegimeLost"] is True
    refusal = of(statuses, "E-B")[-1]
    assert (refusal["status"], refusal["resultCode"]) == ("REFUSED", "B")
    assert refusal["anomalies"][0]["code"] == "90374-349"
    assert refusal["anomalies"][0]["labelFr"]
    assert refusal["anomalies"][0]["labelNl"]
    assert [s for _, s in trail(statuses, "E-S")] == [
        "RECEIVED",
        "SUBMITTED",
        "WAITING_IDENTIFICATION",
        "ACCEPTED",
    ]


async def test_leave_uses_period_of_its_hire_and_cancel_cancels(
    adapter_settings: Settings,
) -> None:
    first, second = unique_ssin(), unique_ssin()
    events = [
        hire("E-HL", first, START),
        leave("E-HL", first, START + timedelta(days=40)),
        hire("E-HC", second, START),
        cancel("E-HC", second),
    ]

    statuses = await run_pipeline(adapter_settings, events)

    left = of(statuses, "E-HL")
    assert [(k, s) for k, s in trail(statuses, "E-HL") if k] == [
        ("IN", "SUBMITTED"),
        ("IN", "ACCEPTED"),
        ("OUT", "SUBMITTED"),
        ("OUT", "ACCEPTED"),
    ]
    in_period = next(
        s["periodId"] for s in left if s["declarationKind"] == "IN" and s["status"] == "ACCEPTED"
    )
    out = left[-1]
    assert out["periodId"] == in_period
    assert out["declarationId"] != in_period  # a follow-up gets its own declaration id
    assert [(k, s) for k, s in trail(statuses, "E-HC") if k][-1] == ("CANCEL", "ACCEPTED")


async def test_leave_after_refused_hire_fails_with_the_reason(
    adapter_settings: Settings, sandbox: SandboxProcess
) -> None:
    ssin = unique_ssin()
    admin_client.add_scenario(sandbox.admin_url, "B", ssin=ssin, anomalies=["90374-349"], kind="IN")
    events = [hire("E-RL", ssin, START), leave("E-RL", ssin, START + timedelta(days=10))]

    statuses = await run_pipeline(adapter_settings, events)

    mine = of(statuses, "E-RL")
    assert mine[-1]["status"] == "FAILED"
    assert mine[-1]["sourceEventIds"] == [events[1]["eventId"]]
    assert mine[-1]["reason"]
    assert not any(s["declarationKind"] == "OUT" for s in mine)


async def test_same_event_twice_declares_once_and_events_keep_their_order(
    adapter_settings: Settings, sandbox: SandboxProcess
) -> None:
    ssin = unique_ssin()
    event = hire("E-DUP", ssin, START)
    later = leave("E-DUP", ssin, START + timedelta(days=20))

    statuses = await run_pipeline(adapter_settings, [event, event, later])

    submitted = [s for s in of(statuses, "E-DUP") if s["status"] == "SUBMITTED"]
    assert [s["declarationKind"] for s in submitted] == ["IN", "OUT"]
    counts = [c for c in admin_client.period_counts(sandbox.admin_url) if c["worker"] == ssin]
    assert len(counts) == 1
    assert counts[0]["periods"] == 1


@pytest.mark.parametrize(
    "lost_as",
    [
        "reset",  # the connection drops after the declaration was recorded
        "500",  # recorded, then a 500: found by `dimona-adapter chaos --seed 101`
    ],
)
async def test_lost_response_is_reconciled_not_declared_twice(
    adapter_settings: Settings, sandbox: SandboxProcess, lost_as: str
) -> None:
    ssin = unique_ssin()
    admin_client.set_faults(
        sandbox.admin_url, script={"submit": ["lost"]}, lostResponseMode=lost_as
    )
    try:
        statuses = await run_pipeline(adapter_settings, [hire("E-LOST", ssin, START)])
    finally:
        admin_client.clear_faults(sandbox.admin_url)

    assert trail(statuses, "E-LOST")[-1] == ("IN", "ACCEPTED")  # not B 90373-333 (duplicate)
    counts = [c for c in admin_client.period_counts(sandbox.admin_url) if c["worker"] == ssin]
    assert counts[0]["periods"] == 1


async def test_transient_errors_are_retried(
    adapter_settings: Settings, sandbox: SandboxProcess
) -> None:
    ssin = unique_ssin()
    admin_client.set_faults(sandbox.admin_url, script={"submit": ["503", "429"]})
    try:
        statuses = await run_pipeline(adapter_settings, [hire("E-RETRY", ssin, START)])
    finally:
        admin_client.clear_faults(sandbox.admin_url)
    assert trail(statuses, "E-RETRY")[-1] == ("IN", "ACCEPTED")


async def test_invalid_events_are_dead_lettered_with_reason(adapter_settings: Settings) -> None:
    bad = hire("E-BAD", "90051512300", START)  # wrong SSIN check digits
    garbage = b"\x00not avro at all"

    statuses = await run_pipeline(
        adapter_settings, [bad, garbage], expected_events=[bad["eventId"]]
    )

    rejected = of(statuses, "E-BAD")
    assert [s["status"] for s in rejected] == ["REJECTED"]
    assert rejected[0]["violations"][0]["field"] == "worker.ssin"
    reader = StatusReader(adapter_settings, adapter_settings.kafka.dead_letter_topic)
    try:
        letters: list[Any] = []
        for _ in range(20):
            letters.extend(reader.raw(0.3))
            if len(letters) >= 2:
                break
    finally:
        reader.close()
    assert len(letters) == 2
    by_value = {m.value(): dict(m.headers()) for m in letters}
    assert by_value[garbage]["dlq.reason.code"] == b"UNDECODABLE"
    bad_headers = next(h for v, h in by_value.items() if v != garbage)
    assert bad_headers["dlq.reason.code"] == b"RULE_VIOLATION"
    assert bad_headers["dlq.event.id"] == bad["eventId"].encode()
    assert bad_headers["dlq.source.topic"] == adapter_settings.kafka.input_topic.encode()


async def test_change_of_end_date_is_declared_as_update(adapter_settings: Settings) -> None:
    ssin = unique_ssin()
    first = hire("E-CHG", ssin, START, end=START + timedelta(days=20))
    change = hire("E-CHG", ssin, START, end=START + timedelta(days=40))
    change["eventType"] = "CHANGE"

    statuses = await run_pipeline(adapter_settings, [first, change])

    declared = [(k, s) for k, s in trail(statuses, "E-CHG") if k]
    assert declared == [
        ("IN", "SUBMITTED"),
        ("IN", "ACCEPTED"),
        ("UPDATE", "SUBMITTED"),
        ("UPDATE", "ACCEPTED"),
    ]
    mine = of(statuses, "E-CHG")
    accepted_in = next(
        s for s in mine if s["declarationKind"] == "IN" and s["status"] == "ACCEPTED"
    )
    assert mine[-1]["periodId"] == accepted_in["periodId"]


async def test_lost_flexi_regime_is_redeclared_as_ordinary_when_the_policy_is_on(
    adapter_settings: Settings, sandbox: SandboxProcess
) -> None:
    ssin = unique_ssin()
    admin_client.add_scenario(
        sandbox.admin_url, "W", ssin=ssin, kind="IN", anomalies=["90017-510"], remaining=1
    )
    flexi = hire(
        "E-FALLBACK",
        ssin,
        START,
        worker_type="FLX",
        joint_committee="302",
        end=START,
        startTime="18:00",
        endTime="22:00",
    )
    policy_on = dataclasses.replace(TEST_DRIVER, regime_fallback=True)

    def redeclared(statuses: list[dict[str, Any]]) -> bool:
        return any(
            s["status"] == "ACCEPTED" and (s.get("declaredPeriod") or {}).get("workerType") == "OTH"
            for s in statuses
        )

    statuses = await run_pipeline(adapter_settings, [flexi], driver=policy_on, done=redeclared)

    finals = [
        (s["declarationKind"], s["status"], (s.get("declaredPeriod") or {}).get("workerType"))
        for s in of(statuses, "E-FALLBACK")
        if s["status"] not in {"RECEIVED", "SUBMITTED"}
    ]
    assert finals == [
        ("IN", "ACCEPTED_WITH_WARNINGS", "FLX"),
        ("CANCEL", "ACCEPTED", None),
        ("IN", "ACCEPTED", "OTH"),
    ]
    counts = [c for c in admin_client.period_counts(sandbox.admin_url) if c["worker"] == ssin]
    assert (counts[0]["periods"], counts[0]["cancelled"]) == (1, 1)


async def test_soap_channel_declares_polls_and_reconciles(
    adapter_settings: Settings, sandbox: SandboxProcess
) -> None:
    pipeline = adapter_settings.pipeline.model_copy(update={"channel": "soap"})
    settings = adapter_settings.model_copy(update={"pipeline": pipeline})
    first, second = unique_ssin(), unique_ssin()
    admin_client.set_faults(sandbox.admin_url, script={"soap": ["ok", "lost"]})
    try:
        statuses = await run_pipeline(
            settings, [hire("E-SOAP-1", first, START), hire("E-SOAP-2", second, START)]
        )
    finally:
        admin_client.clear_faults(sandbox.admin_url)

    for employment in ("E-SOAP-1", "E-SOAP-2"):
        assert trail(statuses, employment)[-1] == ("IN", "ACCEPTED")
    counts = {c["worker"]: c["periods"] for c in admin_client.period_counts(sandbox.admin_url)}
    assert (counts[first], counts[second]) == (1, 1)
