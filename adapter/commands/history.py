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
import json
from datetime import UTC, datetime
from typing import Any

from adapter.edges.store.sql import SqlStore

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
        if args.employment:
            employments = [args.employment]
        else:
            employments = employments_of_worker(store, _digits(args.worker))
        histories = [employment_history(store, e) for e in employments]
    finally:
        store.close()
    histories = [h for h in histories if h["events"] or h["declarations"] or h["statusEvents"]]
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


def open_settings_store(settings: Any) -> SqlStore:
    """The store named by the settings, as it is (no migration); FatalConfiguration if not."""
    from adapter.core.errors import FatalConfiguration
    from adapter.edges.store.factory import open_store

    password = settings.store.password.get_secret_value() if settings.store.password else None
    try:
        return open_store(settings.store.url, password=password)
    except FatalConfiguration:
        raise
    except Exception as exc:
        url = settings.store.url.split("@")[-1]
        msg = f"cannot open the store {url}: {type(exc).__name__}: {exc}"
        raise FatalConfiguration(msg) from exc


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


# -- read-only queries (candidates for SqlStore itself) ---------------------------------------
def _query(store: SqlStore, sql: str, params: tuple[Any, ...]) -> list[Any]:
    # The store has no generic read API yet; these reads use its transaction helper.
    with store._tx() as cur:
        store._run(cur, sql, params)
        return list(cur.fetchall())


def employments_of_worker(store: SqlStore, ssin: str) -> list[str]:
    """Employment ids declared for this SSIN, or whose inbound events name it."""
    declared = [d.employment_id for d in store.declarations_by_worker(ssin)]
    rows = _query(
        store,
        "SELECT employment_id, MIN(seq) FROM inbox WHERE event_json LIKE ? "
        "GROUP BY employment_id ORDER BY MIN(seq)",
        (f'%"ssin":"{ssin}"%',),
    )
    return list(dict.fromkeys([*declared, *(str(row[0]) for row in rows)]))


def status_events(store: SqlStore, employment_id: str) -> list[dict[str, Any]]:
    """The status events of one employment, oldest first, decoded, with their publication."""
    from adapter.bootstrap import STATUS_SCHEMA
    from adapter.core.errors import InvalidInput
    from adapter.edges.avro.codec import SingleObjectCodec

    codec = SingleObjectCodec(STATUS_SCHEMA)
    rows = _query(
        store,
        "SELECT row_id, record_value, created_at, published_at FROM outbox "
        "WHERE record_key = ? ORDER BY row_id",
        (employment_id,),
    )
    events = []
    for _row_id, value, created_at, published_at in rows:
        try:
            record = codec.decode(bytes(value))
        except InvalidInput as exc:
            record = {"undecodable": str(exc)}
        record["recordedAt"] = _time(created_at)
        record["publishedAt"] = _time(published_at)
        events.append(record)
    return events


def employment_history(store: SqlStore, employment_id: str) -> dict[str, Any]:
    raw = store.history(employment_id)
    return {
        "employmentId": employment_id,
        "events": [
            {**e, "receivedAt": _time(e["receivedAt"]), "finishedAt": _time(e["finishedAt"])}
            for e in raw["events"]
        ],
        "declarations": [_declaration(d) for d in raw["declarations"]],
        "transitions": [_transition(t, raw["declarations"]) for t in raw.get("transitions", [])],
        "periods": raw["periods"],
        "statusEvents": status_events(store, employment_id),
    }


def _declaration(stored: Any) -> dict[str, Any]:
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


def _body(stored: Any) -> dict[str, Any] | None:
    """The REST v2 body of the declaration: as planned by older versions, else rendered now
    (None while a follow-up's period id is still unknown)."""
    if stored.body_json:
        body: dict[str, Any] = json.loads(stored.body_json)
        return body
    from adapter.app.status_events import DECLARATION
    from adapter.core.declarations import UnresolvedPeriod
    from adapter.edges.dimona_rest.wire import declaration_to_body

    try:
        return declaration_to_body(DECLARATION.validate_json(stored.declaration_json))
    except UnresolvedPeriod:
        return None


def _transition(entry: dict[str, Any], declarations: list[Any]) -> dict[str, Any]:
    """One row of the declaration log, tied to its declaration by kind and position."""
    owner = next((d for d in declarations if d.row_id == entry.get("declarationRowId")), None)
    answer = entry.get("answer") or {}
    return {
        "at": _time(entry.get("recordedAt")),
        "declaration": None if owner is None else f"{owner.kind}#{owner.position + 1}",
        "state": entry.get("state"),
        "declarationId": entry.get("declarationId"),
        "result": entry.get("result"),
        "anomalies": [a.get("code") for a in answer.get("anomalies") or []],
        "failure": entry.get("failure"),
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
