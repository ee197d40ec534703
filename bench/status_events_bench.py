"""Micro-benchmark: build + Avro-encode one ``DeclarationStatusChanged`` status event.

Runs, in one process, the path the adapter took before the direct records (a pydantic
``DeclarationStatusChanged`` from a dict, ``to_avro_record()`` with its recursive
``to_plain``, then a fresh ``BytesIO`` per ``schemaless_writer`` call, kept below as
``legacy_*``) and today's ``StatusEvents`` (single-object and Confluent framings), for each
kind of status event, and checks that both write the same bytes before timing them.

    python3 -m uv run --frozen python bench/status_events_bench.py [--number 2000] [--repeat 7]

Figures are the best of ``--repeat`` runs of ``--number`` calls, in CPU µs of this process per
status event (``time.process_time``: a shared machine's other load does not count), the paths
taking turns within each repeat; compare the ratios of one run, not figures across runs.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import timeit
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from time import process_time
from typing import Any

import httpx
from fastavro import schemaless_writer

from adapter.app.ports import OutboundRecord
from adapter.app.status_events import StatusEvents, status_of
from adapter.core.declarations import (
    Declaration,
    DeclaredUsingEmployer,
    InDeclaration,
    OutDeclaration,
)
from adapter.core.errors import Violation
from adapter.core.events import Employer, EmploymentEvent, Worker
from adapter.core.machine import DeclarationProgress, DeclarationState
from adapter.core.results import Anomaly, AnomalySeverity, DeclarationAnswer, DimonaResult
from adapter.core.status import (
    DeclarationStatus,
    DeclarationStatusChanged,
    DeclaredPeriod,
    StatusAnomaly,
    StatusViolation,
    flags_from_anomalies,
    stable_event_id,
)
from adapter.edges.avro.codec import SINGLE_OBJECT_MAGIC, SingleObjectCodec
from adapter.edges.avro.registry import SchemaRegistryCodec

FAMILY = "declaration_status_changed"
NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
EVENT = EmploymentEvent.model_validate(
    {
        "eventId": "6f0c2b1e-3a4d-4c55-9d1e-2b7f8e9a0c11",
        "eventType": "HIRE",
        "occurredAt": "2026-03-01T08:00:00+01:00",
        "source": "bench",
        "employmentId": "EMP-BENCH-1",
        "employer": {"enterpriseNumber": "0412345614"},
        "worker": {"ssin": "90051512391"},
        "contract": {"startDate": "2026-03-02", "workerType": "EXT", "jointCommittee": "322"},
    }
)
IN = InDeclaration(
    employer=Employer(enterprise_number="0412345614"),
    worker=Worker(ssin="90051512391"),
    start_date=date(2026, 3, 2),
    start_time=time(8, 0),
    end_date=date(2026, 3, 2),
    end_time=time(17, 0),
    worker_type="EXT",
    joint_committee="322",
    actual_joint_committee="322",
    using_employer=DeclaredUsingEmployer(enterprise_number="0812345603", joint_committee="302"),
)
OUT = OutDeclaration(
    period_id=656309300157, period_start=date(2026, 3, 2), end_date=date(2026, 4, 30)
)
WARNINGS = DeclarationAnswer(
    declaration_id=656309300158,
    result=DimonaResult.ACCEPTED_WITH_WARNING,
    period_id=656309300157,
    anomalies=(
        Anomaly(code="00000-460", severity=AnomalySeverity.NON_BLOCKING, label_fr="tardive"),
        Anomaly(code="90017-369", severity=AnomalySeverity.NON_BLOCKING, label_nl="quotum"),
    ),
)
VIOLATIONS = (
    Violation("E_SSIN", "worker.ssin", "not a valid SSIN (900515-***-**)"),
    Violation("E_DATE", "contract.startDate", "the start date is more than a year ahead"),
)


@dataclass(frozen=True)
class Case:
    name: str
    call: Callable[[StatusEvents], OutboundRecord]
    legacy: Callable[[], DeclarationStatusChanged]


def _changed(
    declaration: Declaration,
    previous: DeclarationState,
    progress: DeclarationProgress,
) -> Case:
    def call(statuses: StatusEvents) -> OutboundRecord:
        return statuses.declaration_changed(
            3,
            EVENT,
            declaration_ref=f"{EVENT.event_id}/0",
            declaration=declaration,
            previous=previous,
            progress=progress,
            now=NOW,
        )

    def legacy() -> DeclarationStatusChanged:
        return legacy_changed(EVENT, f"{EVENT.event_id}/0", declaration, previous, progress, NOW)

    name = f"changed {declaration.kind} {previous} -> {progress.state}"
    return Case(name, call, legacy)


CASES: Sequence[Case] = (
    Case(
        "received",
        lambda s: s.received(3, EVENT, NOW),
        lambda: legacy_base(EVENT, NOW, DeclarationStatus.RECEIVED, (EVENT.event_id, "RECEIVED")),
    ),
    Case(
        "rejected (2 violations)",
        lambda s: s.rejected(
            3,
            EVENT,
            employment_id=EVENT.employment_id,
            event_id=EVENT.event_id,
            violations=VIOLATIONS,
            reason="2 rules broken",
            now=NOW,
        ),
        lambda: legacy_rejected(EVENT, EVENT.event_id, VIOLATIONS, "2 rules broken", NOW),
    ),
    Case(
        "event failed",
        lambda s: s.event_failed(3, EVENT, VIOLATIONS[:1], NOW),
        lambda: legacy_base(
            EVENT,
            NOW,
            DeclarationStatus.FAILED,
            (EVENT.event_id, "FAILED"),
            violations=tuple(StatusViolation.from_violation(v) for v in VIOLATIONS[:1]),
            reason="; ".join(str(v) for v in VIOLATIONS[:1]),
        ),
    ),
    _changed(
        IN,
        DeclarationState.PLANNED,
        DeclarationProgress(
            DeclarationState.SUBMITTED, attempts=1, declaration_id=656309300158, submitted_at=NOW
        ),
    ),
    _changed(
        IN,
        DeclarationState.SUBMITTED,
        DeclarationProgress(
            DeclarationState.ACCEPTED_WITH_WARNINGS,
            attempts=1,
            declaration_id=656309300158,
            submitted_at=NOW,
            answer=WARNINGS,
        ),
    ),
    _changed(
        OUT,
        DeclarationState.SUBMITTED,
        DeclarationProgress(
            DeclarationState.ACCEPTED,
            attempts=1,
            declaration_id=656309300159,
            submitted_at=NOW,
            answer=DeclarationAnswer(
                declaration_id=656309300159, result=DimonaResult.ACCEPTED, period_id=656309300157
            ),
        ),
    ),
)


# -- the path before the direct records (status_events.py and codec.py as of 1e5405f) ----------
def legacy_parties(event: EmploymentEvent) -> dict[str, str | None]:
    return {
        "employer_noss_registration_number": event.employer.noss_registration_number,
        "employer_enterprise_number": event.employer.enterprise_number,
        "worker_ssin": event.worker.ssin,
    }


def legacy_base(
    event: EmploymentEvent,
    now: datetime,
    status: DeclarationStatus,
    parts: tuple[object, ...],
    **fields: object,
) -> DeclarationStatusChanged:
    return DeclarationStatusChanged.model_validate(
        {
            "status_event_id": stable_event_id(*parts),
            "employment_id": event.employment_id,
            "source_event_ids": (event.event_id,),
            "status": status,
            "occurred_at": now,
            **legacy_parties(event),
            **fields,
        }
    )


def legacy_rejected(
    event: EmploymentEvent,
    event_id: str,
    violations: Sequence[Violation],
    reason: str,
    now: datetime,
) -> DeclarationStatusChanged:
    return DeclarationStatusChanged(
        status_event_id=stable_event_id(event_id, "REJECTED"),
        employment_id=event.employment_id,
        source_event_ids=(event_id,),
        status=DeclarationStatus.REJECTED,
        violations=tuple(StatusViolation.from_violation(v) for v in violations),
        reason=reason,
        occurred_at=now,
        **legacy_parties(event),
    )


def legacy_changed(
    event: EmploymentEvent,
    declaration_ref: str,
    declaration: Declaration,
    previous: DeclarationState,
    progress: DeclarationProgress,
    now: datetime,
) -> DeclarationStatusChanged:
    answer = progress.answer
    status = status_of(progress.state)
    anomalies = () if answer is None else answer.anomalies
    declared = (
        DeclaredPeriod.from_in(declaration) if isinstance(declaration, InDeclaration) else None
    )
    worker_type = declared.worker_type if declared else None
    period_id = answer.period_id if answer else getattr(declaration, "period_id", None)
    return legacy_base(
        event,
        now,
        status,
        (declaration_ref, status.value, progress.attempts),
        declaration_ref=declaration_ref,
        declaration_kind=declaration.kind,
        declaration_id=progress.declaration_id,
        period_id=period_id,
        previous_status=status_of(previous),
        result_code=None if answer is None else answer.result,
        anomalies=tuple(StatusAnomaly.from_anomaly(a) for a in anomalies),
        flags=flags_from_anomalies((a.code for a in anomalies), worker_type=worker_type),
        reason=progress.failure,
        declared_period=declared,
        submitted_at=progress.submitted_at,
        processed_at=now if answer is not None else None,
    )


def legacy_encode(header: bytes, parsed: Any, record: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    buffer.write(header)
    schemaless_writer(buffer, parsed, dict(record))
    return buffer.getvalue()


# -- running -------------------------------------------------------------------------------------
def _registry_codec() -> SchemaRegistryCodec:
    transport = httpx.MockTransport(lambda _request: httpx.Response(200, json={"id": 7}))
    codec = SchemaRegistryCodec(
        FAMILY, registry_url="http://registry.invalid", subject="s-value", transport=transport
    )
    asyncio.run(codec.register_writer())
    return codec


def _best_us(fns: Sequence[Callable[[], object]], number: int, repeat: int) -> list[float]:
    """Best µs per call of each function; the functions take turns within each repeat, so a
    burst of load on the shared machine hits them alike."""
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            best[i] = min(
                best[i], timeit.timeit(fn, number=number, timer=process_time) / number * 1e6
            )
    return best


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)

    single = SingleObjectCodec(FAMILY)
    confluent = _registry_codec()
    single_header = SINGLE_OBJECT_MAGIC + single.writer.fingerprint
    confluent_header = b"\x00" + (7).to_bytes(4, "big")
    parsed = single.writer.parsed
    statuses = StatusEvents(single)
    statuses_confluent = StatusEvents(confluent)

    rows = []
    for case in CASES:
        before_record = case.legacy().to_avro_record()
        if legacy_encode(single_header, parsed, before_record) != case.call(statuses).value:
            raise SystemExit(f"{case.name}: single-object bytes differ from the legacy path")
        if legacy_encode(confluent_header, parsed, before_record) != (
            case.call(statuses_confluent).value
        ):
            raise SystemExit(f"{case.name}: Confluent bytes differ from the legacy path")

        def legacy(case: Case = case) -> bytes:
            return legacy_encode(single_header, parsed, case.legacy().to_avro_record())

        def legacy_encode_only(record: dict[str, Any] = before_record) -> bytes:
            return legacy_encode(single_header, parsed, record)

        def now_single(case: Case = case) -> OutboundRecord:
            return case.call(statuses)

        def now_confluent(case: Case = case) -> OutboundRecord:
            return case.call(statuses_confluent)

        def now_encode_only(record: dict[str, Any] = before_record) -> bytes:
            return single.encode(record)

        fns = (legacy, now_single, now_confluent, legacy_encode_only, now_encode_only)
        rows.append((case.name, *_best_us(fns, args.number, args.repeat)))

    head = ("status event", "before", "now", "now conf.", "x", "enc before", "enc now")
    print(
        f"{head[0]:<46}{head[1]:>9}{head[2]:>9}{head[3]:>10}{head[4]:>7}{head[5]:>11}{head[6]:>9}"
    )
    for name, before, now, now_conf, enc_before, enc_now in rows:
        ratio = before / now
        print(
            f"{name:<46}{before:>9.1f}{now:>9.1f}{now_conf:>10.1f}{ratio:>7.1f}"
            f"{enc_before:>11.1f}{enc_now:>9.1f}"
        )
    print("CPU µs per status event (best of the repeats); x = before / now (single-object)")


if __name__ == "__main__":
    main()
