"""``dimona-adapter consult``: find declarations by the seven Dimona criteria.

The criteria of the ONSS consultation service: Dimona declaration number, worker (SSIN),
employer (NOSS registration or enterprise number), reception period, joint committee, worker
type and user enterprise. ``--source onss`` asks ONSS (REST v2 ``/declarations/search``: the
filters it knows go to the server, the others are applied here, resolving the period of an
OUT/UPDATE/CANCEL for its features); ``--source local`` reads the adapter's store; ``both``
(default) shows the two side by side, which is how a missing or unknown declaration shows up.

Exit codes: 0 something found; 1 nothing found; 3 configuration error; 4 ONSS unavailable.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from adapter.app.ports import DeclarationWithEvent
from adapter.core.declarations import InDeclaration
from adapter.edges.dimona_rest.answers import parse_anomaly

FOUND, NOTHING, CONFIG, ONSS_DOWN = 0, 1, 3, 4
_BLOCKS = {"dimonaIn": "IN", "dimonaOut": "OUT", "dimonaUpdate": "UPDATE", "dimonaCancel": "CANCEL"}


@dataclass(frozen=True, slots=True)
class Criteria:
    declaration_id: int | None = None
    ssin: str | None = None
    employer: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    joint_committee: str | None = None
    worker_type: str | None = None
    user_enterprise: str | None = None

    def onss_filter(self) -> dict[str, Any]:
        """What the REST search understands; the rest is filtered here."""
        body: dict[str, Any] = {}
        if self.employer:
            key = "employerId" if len(self.employer) < 10 else "enterpriseNumber"
            body["employer"] = {key: int(self.employer) if key == "employerId" else self.employer}
        if self.ssin:
            body["worker"] = {"ssin": self.ssin}
        if self.received_from:
            body["receivedFrom"] = self.received_from.isoformat()
        if self.received_to:
            body["receivedTo"] = self.received_to.isoformat()
        return body


@dataclass(slots=True)
class Found:
    """One declaration, the same shape whichever source it comes from."""

    source: str
    declaration_id: int | None
    kind: str
    period_id: int | None = None
    result: str | None = None
    state: str | None = None
    received_at: str | None = None
    employer: list[str] = field(default_factory=list)
    ssin: str | None = None
    joint_committee: str | None = None
    worker_type: str | None = None
    user_enterprise: str | None = None
    anomalies: list[str] = field(default_factory=list)
    employment_id: str | None = None


def matches(found: Found, criteria: Criteria) -> bool:
    """Whether one declaration satisfies every given criterion (pure)."""
    checks = (
        criteria.declaration_id is None or found.declaration_id == criteria.declaration_id,
        criteria.ssin is None or found.ssin == criteria.ssin,
        criteria.employer is None or criteria.employer in found.employer,
        criteria.joint_committee is None or found.joint_committee == criteria.joint_committee,
        criteria.worker_type is None or found.worker_type == criteria.worker_type,
        criteria.user_enterprise is None or found.user_enterprise == criteria.user_enterprise,
    )
    return all(checks) and _received_within(found.received_at, criteria)


def _received_within(received_at: str | None, criteria: Criteria) -> bool:
    if criteria.received_from is None and criteria.received_to is None:
        return True
    if received_at is None:
        return False
    moment = datetime.fromisoformat(received_at)
    if criteria.received_from and moment < criteria.received_from:
        return False
    return not (criteria.received_to and moment > criteria.received_to)


# -- the command ----------------------------------------------------------------------------
def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "consult",
        help="find declarations by number, worker, employer, reception period, joint "
        "committee, worker type or user enterprise (ONSS and the local store)",
        description="Exit 0 found, 1 nothing found, 3 configuration error, 4 ONSS unavailable.",
    )
    parser.add_argument("--declaration-id", type=int, help="the Dimona declaration number")
    parser.add_argument("--ssin", type=_digits, help="the worker's national number")
    parser.add_argument("--employer", type=_digits, help="NOSS registration or enterprise number")
    parser.add_argument("--received-from", type=_moment, help="ISO date/time (UTC if no zone)")
    parser.add_argument("--received-to", type=_moment, help="ISO date/time (UTC if no zone)")
    parser.add_argument("--joint-committee", help="declared joint committee, e.g. 302 or XXX")
    parser.add_argument("--worker-type", type=str.upper, help="e.g. OTH, STU, FLX")
    parser.add_argument("--user-enterprise", type=_digits, help="enterprise number of the user")
    parser.add_argument("--source", choices=("onss", "local", "both"), default="both")
    parser.add_argument(
        "--channel",
        choices=("rest", "soap"),
        default="rest",
        help="how to ask ONSS: REST v2 search, or the SOAP consultation (all seven criteria "
        "on the server; endpoint DIMONA_ADAPTER_SOAP__ENDPOINT)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--reveal", action="store_true", help="show SSINs in clear")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from adapter.commands.config_check import load_settings
    from adapter.core.errors import AdapterError, FatalConfiguration

    criteria = Criteria(
        declaration_id=args.declaration_id,
        ssin=args.ssin or None,
        employer=args.employer or None,
        received_from=args.received_from,
        received_to=args.received_to,
        joint_committee=args.joint_committee,
        worker_type=args.worker_type,
        user_enterprise=args.user_enterprise or None,
    )
    if criteria == Criteria():
        print("dimona-adapter consult: give at least one criterion (see --help)")
        return 2
    settings = load_settings()
    results: list[Found] = []
    status = FOUND
    if args.source in ("local", "both"):
        results += search_local(settings, criteria)
    if args.source in ("onss", "both"):
        try:
            with _spinner(f"asking ONSS ({args.channel})…"):
                if args.channel == "soap":
                    results += asyncio.run(search_soap(settings, criteria))
                else:
                    results += asyncio.run(search_onss(settings.dimona, criteria))
        except FatalConfiguration:
            raise
        except AdapterError as exc:
            print(f"ONSS unavailable: {exc}")
            status = ONSS_DOWN
    show(results, as_json=args.json, reveal=args.reveal)
    if status != FOUND:
        return status
    return FOUND if results else NOTHING


def _spinner(message: str) -> AbstractContextManager[object]:
    """A spinner on stderr while ONSS pages through results (only on a terminal)."""
    if not sys.stderr.isatty():
        return nullcontext()
    from rich.console import Console

    return Console(stderr=True).status(message)


def show(results: list[Found], *, as_json: bool, reveal: bool) -> None:
    from adapter.logging import mask_ssin

    rows = [asdict(r) for r in results]
    if not reveal:
        for row in rows:
            row["ssin"] = mask_ssin(row["ssin"]) if row["ssin"] else None
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    if not rows:
        print("no declaration matches")
    for r in rows:
        print(
            f"{r['source']:<5} {r['kind']:<6} declaration {r['declaration_id'] or '-'} "
            f"period {r['period_id'] or '-'} result {r['result'] or '-'} "
            f"{('state ' + r['state']) if r['state'] else ''} "
            f"JC {r['joint_committee'] or '-'} {r['worker_type'] or '-'} "
            f"worker {r['ssin'] or '-'} employer {'/'.join(r['employer']) or '-'} "
            f"received {r['received_at'] or '-'}"
            + (f" anomalies {', '.join(r['anomalies'])}" if r["anomalies"] else "")
        )


# -- ONSS (REST v2) -------------------------------------------------------------------------
async def search_onss(config: Any, criteria: Criteria) -> list[Found]:
    from adapter.edges.dimona_rest.client import DimonaRestClient

    found: list[Found] = []
    periods: dict[int, dict[str, Any] | None] = {}
    # the server applies the reception window; its items do not repeat the reception time
    here = replace(criteria, received_from=None, received_to=None)
    async with DimonaRestClient.from_config(config) as client:
        async for item in client.search_declarations(criteria.onss_filter()):
            row = from_onss(item)
            if (
                row.period_id is not None
                and row.joint_committee is None
                and _needs_features(criteria)
            ):
                if row.period_id not in periods:
                    periods[row.period_id] = await client.get_period(row.period_id)
                _features_into(row, (periods[row.period_id] or {}).get("features") or {})
            if matches(row, here):
                found.append(row)
    return found


async def search_soap(settings: Any, criteria: Criteria) -> list[Found]:
    """The SOAP consultation takes every criterion itself; its items have the REST shape."""
    from adapter.edges.dimona_rest.token import TokenProvider
    from adapter.edges.dimona_soap.client import DimonaSoapClient

    wanted = criteria.onss_filter()
    extra = {
        "declarationId": criteria.declaration_id,
        "jointCommissionNumber": criteria.joint_committee,
        "workerType": criteria.worker_type,
        "userEnterpriseNumber": criteria.user_enterprise,
    }
    wanted.update({k: v for k, v in extra.items() if v is not None})
    endpoint = settings.soap.endpoint_for(settings.dimona.base_url)
    tokens = TokenProvider.from_config(settings.dimona)
    found: list[Found] = []
    async with DimonaSoapClient(
        endpoint=endpoint, token_provider=tokens, owns_token_provider=True
    ) as client:
        async for item in client.search_declarations(wanted):
            row = from_onss(item)
            row.source = "soap"
            found.append(row)
    return found


def _needs_features(criteria: Criteria) -> bool:
    return any((criteria.joint_committee, criteria.worker_type, criteria.user_enterprise))


def _employer_ids(employer: Mapping[str, Any] | None) -> list[str]:
    employer = employer or {}
    ids = (employer.get("employerId"), employer.get("enterpriseNumber"))
    return [str(i) for i in ids if i not in (None, "")]


def _features_into(row: Found, features: Mapping[str, Any]) -> None:
    row.joint_committee = features.get("jointCommissionNumber") or row.joint_committee
    row.worker_type = features.get("workerType") or row.worker_type
    user = features.get("usingEmployer") or {}
    row.user_enterprise = user.get("enterpriseNumber") or row.user_enterprise


def from_onss(item: Mapping[str, Any]) -> Found:
    """One item of ``/declarations/search`` in the common shape."""
    block_name = next((b for b in _BLOCKS if b in item), None)
    block = item.get(block_name, {}) if block_name else {}
    status = item.get("declarationStatus") or {}
    period = status.get("period") or {}
    row = Found(
        source="onss",
        declaration_id=status.get("declarationId"),
        kind=_BLOCKS.get(block_name or "", "?"),
        period_id=period.get("id") or block.get("periodId"),
        result=status.get("result"),
        received_at=item.get("receivedAt") or status.get("receivedAt"),
        employer=_employer_ids(item.get("employer")),
        ssin=(item.get("worker") or {}).get("ssin"),
        anomalies=[
            anomaly.code
            for anomaly in map(parse_anomaly, status.get("anomalies") or [])
            if anomaly is not None
        ],
    )
    _features_into(row, block.get("features") or {})
    return row


# -- the local store ------------------------------------------------------------------------
def search_local(settings: Any, criteria: Criteria) -> list[Found]:
    from adapter.commands.history import open_settings_store

    store = open_settings_store(settings)
    try:
        local = asyncio.run(
            store.find_declarations(declaration_id=criteria.declaration_id, ssin=criteria.ssin)
        )
    finally:
        store.close()
    return [f for f in from_local(local) if matches(f, criteria)]


def from_local(declarations: Iterable[DeclarationWithEvent]) -> list[Found]:
    """The store's declarations in the common shape; an OUT/UPDATE/CANCEL takes the
    features (committee, worker type, user enterprise) of its employment's IN."""
    features: dict[str, dict[str, Any]] = {}
    results: list[Found] = []
    for local in declarations:
        stored, event = local.declaration, local.event
        progress = stored.progress
        answer = progress.answer
        submitted = progress.submitted_at
        employer = event.employer
        row = Found(
            source="local",
            declaration_id=progress.declaration_id,
            kind=stored.kind,
            period_id=None if answer is None else answer.period_id,
            result=None if answer is None else answer.result.value,
            state=progress.state.value,
            received_at=None
            if submitted is None
            else submitted.astimezone(UTC).isoformat(timespec="seconds"),
            employer=[
                str(v) for v in (employer.noss_registration_number, employer.enterprise_number) if v
            ],
            ssin=event.worker.ssin,
            anomalies=[] if answer is None else [a.code for a in answer.anomalies],
            employment_id=stored.employment_id,
        )
        declaration = stored.declaration
        if isinstance(declaration, InDeclaration):
            user = declaration.using_employer
            features[stored.employment_id] = {
                "jointCommissionNumber": declaration.joint_committee,
                "workerType": declaration.worker_type,
                "usingEmployer": {"enterpriseNumber": user.enterprise_number if user else None},
            }
        results.append(row)
    for row in results:
        _features_into(row, features.get(row.employment_id or "", {}))
    return results
