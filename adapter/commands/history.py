"""``dimona-adapter history``: everything the local store knows about one employment or worker.

For each employment: the inbound events (topic, partition, offset, outcome), the
declarations (kind, state, ONSS ids, result, anomalies, failure), every state transition of
each declaration (the store's declaration log), the known periods, and the status events
published (or still waiting in the outbox). Worker SSINs and names are masked
unless ``--reveal`` is given: the output tends to be pasted into tickets.

Exit codes: 0 something was found; 1 nothing is known; 3 the store cannot be opened.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from adapter.app.ports import (
    EmploymentHistory,
    RecordedEvent,
    StatusRecord,
    StoredDeclaration,
    StoreView,
    Transition,
)
from adapter.edges.store.roles import AsyncSqlStore

FOUND, NOTHING = 0, 1


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "history",
        help="everything known locally about one employment or worker: events, "
        "declarations, answers, status events",
        description="Read the adapter's store (DIMONA_ADAPTER_STORE__URL). Exit 0 found, "
        "1 nothing known, 3 store unavailable.",
    )
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--employment", metavar="ID", help="the employment id of the HR events")
    who.add_argument("--worker", metavar="SSIN", help="every employment of this worker")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--reveal", action="store_true", help="show SSINs and names in clear")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from adapter.commands.config_check import load_settings

    store = open_settings_store(load_settings())
    try:
        histories = asyncio.run(
            collect(store, employment=args.employment, worker=_digits(args.worker or ""))
        )
    finally:
        store.close()
    if not args.reveal:
        from adapter.logging import mask_personal_data

        histories = [dict(mask_personal_data(None, "", dict(h))) for h in histories]
    if args.json:
        print(json.dumps(histories, indent=2, default=str))
    else:
        for history in histories:
            print_history(history)
        if not histories:
            print("nothing known about this " + ("employment" if args.employment else "worker"))
    return FOUND if histories else NOTHING


async def collect(store: StoreView, *, employment: str | None, worker: str) -> list[dict[str, Any]]:
    """The histories of one employment, or of every employment of a worker (those known)."""
    employments = [employment] if employment else await store.employments_of_worker(worker)
    histories = [await store.history(e) for e in employments]
    return [employment_history(h) for h in histories if not h.is_empty]


def open_settings_store(settings: Any) -> AsyncSqlStore:
    """The store named by the settings, as it is (no migration); FatalConfiguration if not."""
    from adapter.core.errors import FatalConfiguration
    from adapter.edges.store.factory import open_async_store

    password = settings.store.password.get_secret_value() if settings.store.password else None
    try:
        return open_async_store(settings.store.url, password=password)
    except FatalConfiguration:
        raise
    except Exception as exc:
        url = settings.store.url.split("@")[-1]
        msg = f"cannot open the store {url}: {type(exc).__name__}: {exc}"
        raise FatalConfiguration(msg) from exc


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def status_events(records: Sequence[StatusRecord]) -> list[dict[str, Any]]:
    """The status events of one employment, oldest first, decoded, with their publication."""
    from adapter.bootstrap import STATUS_SCHEMA
    from adapter.core.errors import InvalidInput
    from adapter.edges.avro.codec import SingleObjectCodec

    codec = SingleObjectCodec(STATUS_SCHEMA)
    events = []
    for status in records:
        try:
            record = codec.decode(status.value)
        except InvalidInput as exc:
            record = {"undecodable": str(exc)}
        record["recordedAt"] = _time(status.created_at)
        record["publishedAt"] = _time(status.published_at)
        events.append(record)
    return events


def employment_history(history: EmploymentHistory) -> dict[str, Any]:
    return {
        "employmentId": history.employment_id,
        "events": [_event(e) for e in history.events],
        "declarations": [_declaration(d) for d in history.declarations],
        "transitions": [_transition(t, history.declarations) for t in history.transitions],
        "periods": [p.model_dump(mode="json") for p in history.periods],
        "statusEvents": status_events(history.status_records),
    }


def _event(event: RecordedEvent) -> dict[str, Any]:
    return {
        "eventId": event.event_id,
        "eventType": event.event_type,
        "topic": event.topic,
        "partition": event.partition,
        "offset": event.offset,
        "receivedAt": _time(event.received_at),
        "outcome": None if event.outcome is None else event.outcome.value,
        "finishedAt": _time(event.finished_at),
    }


def _declaration(stored: StoredDeclaration) -> dict[str, Any]:
    progress = stored.progress
    answer = progress.answer
    return {
        "eventId": stored.event_id,
        "position": stored.position,
        "kind": stored.kind,
        "state": progress.state.value,
        "attempts": progress.attempts,
        "declarationId": progress.declaration_id,
        "submittedAt": progress.submitted_at.isoformat() if progress.submitted_at else None,
        "result": None if answer is None else answer.result.value,
        "periodId": None if answer is None else answer.period_id,
        "anomalies": [] if answer is None else [a.code for a in answer.anomalies],
        "failure": progress.failure,
        "nextActionAt": _time(stored.next_action_at),
        "body": _body(stored),
    }


def _body(stored: StoredDeclaration) -> dict[str, Any] | None:
    """The REST v2 body of the declaration: as planned by older versions, else rendered now
    (None while a follow-up's period id is still unknown)."""
    if stored.body is not None:
        return dict(stored.body)
    from adapter.core.declarations import UnresolvedPeriod
    from adapter.edges.dimona_rest.wire import declaration_to_body

    try:
        return declaration_to_body(stored.declaration)
    except UnresolvedPeriod:
        return None


def _transition(entry: Transition, declarations: Sequence[StoredDeclaration]) -> dict[str, Any]:
    """One row of the declaration log, tied to its declaration by kind and position."""
    owner = next((d for d in declarations if d.row_id == entry.declaration_row_id), None)
    answer = entry.answer
    return {
        "at": _time(entry.recorded_at),
        "declaration": None if owner is None else f"{owner.kind}#{owner.position + 1}",
        "state": entry.state.value,
        "declarationId": entry.declaration_id,
        "result": None if entry.result is None else entry.result.value,
        "anomalies": [] if answer is None else [a.code for a in answer.anomalies],
        "failure": entry.failure,
    }


def _time(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(float(epoch), UTC).isoformat(timespec="seconds")


# -- text output -----------------------------------------------------------------------------
def print_history(history: dict[str, Any]) -> None:
    print(f"employment {history['employmentId']}")
    print("  events:")
    for e in history["events"]:
        print(
            f"    {e['receivedAt']}  {e['eventType']:<7} {e['eventId']}  "
            f"{e['topic']}[{e['partition']}]@{e['offset']}  -> {e['outcome'] or 'OPEN'}"
        )
    print("  declarations:")
    for d in history["declarations"]:
        ids = f"declaration {d['declarationId'] or '-'} period {d['periodId'] or '-'}"
        result = f" result {d['result']}" if d["result"] else ""
        anomalies = f" anomalies {', '.join(d['anomalies'])}" if d["anomalies"] else ""
        waiting = f" next action {d['nextActionAt']}" if d["nextActionAt"] else ""
        print(f"    {d['kind']:<6} {d['state']:<22} {ids}{result}{anomalies}{waiting}")
        if d["failure"]:
            print(f"           failure: {d['failure']}")
    if history["transitions"]:
        print("  transitions:")
        for t in history["transitions"]:
            extra = " ".join(
                f"{k} {v}" for k in ("declarationId", "result", "failure") if (v := t[k])
            )
            print(f"    {t['at']}  {t['declaration'] or '?':<9} -> {t['state']:<22} {extra}")
    if history["periods"]:
        print("  periods known:")
        for p in history["periods"]:
            print(f"    {json.dumps(p, default=str)}")
    print("  status events:")
    for s in history["statusEvents"]:
        published = s["publishedAt"] or "NOT YET PUBLISHED"
        change = f"{s.get('previousStatus') or '-'} -> {s.get('status')}"
        kind = s.get("declarationKind") or ""
        print(f"    {s.get('occurredAt')}  {change:<40} {kind:<6} published {published}")
        if s.get("reason"):
            print(f"           reason: {s['reason']}")
    print()
