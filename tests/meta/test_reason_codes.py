"""Every dead-letter reason code the code can emit is in ``DeadLetterReason`` and documented in
docs/contracts.md ("Reason codes"), and the documentation lists nothing else."""

from __future__ import annotations

import ast
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapter.app.intake import Intake
from adapter.app.ports import ConsumedMessage, Rejected
from adapter.app.status_events import StatusEvents
from adapter.bootstrap import EVENT_SCHEMA, STATUS_SCHEMA
from adapter.core import errors
from adapter.core.reasons import DeadLetterReason
from adapter.edges.avro.codec import SingleObjectCodec

ROOT = Path(__file__).resolve().parents[2]
ADAPTER = ROOT / "adapter"
CONTRACTS = ROOT / "docs" / "contracts.md"
NOT_THE_PIPELINE = {"sandbox", "bench", "chaos"}
"""The test bed: the ONSS stand-in, the benchmark and the chaos suite emit no dead letters."""
REJECTING_CALLS = {"_reject": 1, "Rejected": 1}
"""Callables that take a reason code, and the position of that argument."""
ROW = re.compile(r"^\| `([A-Z_]+)` \|")
KNOWN = frozenset(r.value for r in DeadLetterReason)


def documented_codes() -> list[str]:
    text = CONTRACTS.read_text(encoding="utf-8")
    section = text.split("### Reason codes", 1)[1].split("\n#", 1)[0]
    return [m[1] for line in section.splitlines() if (m := ROW.match(line))]


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _code_of(node: ast.expr) -> str | None:
    """A reason code written in the source: a string literal or ``DeadLetterReason.X``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "DeadLetterReason"
    ):
        return node.attr
    return None


def emitted_in_source() -> dict[str, list[str]]:
    """Reason codes the source passes on, with where: ``reason_code`` attributes and keywords,
    and the code argument of ``Intake._reject`` and ``Rejected``."""
    found: dict[str, list[str]] = {}
    for path in sorted(ADAPTER.rglob("*.py")):
        if NOT_THE_PIPELINE & set(path.relative_to(ADAPTER).parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            codes: list[ast.expr] = []
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == "reason_code" for t in targets):
                    codes.append(node.value)
            elif isinstance(node, ast.Call):
                codes += [k.value for k in node.keywords if k.arg == "reason_code"]
                position = REJECTING_CALLS.get(_callee(node) or "")
                if position is not None and len(node.args) > position:
                    codes.append(node.args[position])
            for expr in codes:
                code = _code_of(expr)
                if code is not None:
                    where = f"{path.relative_to(ROOT)}:{expr.lineno}"
                    found.setdefault(code, []).append(where)
    return found


def test_the_contract_documents_exactly_the_reason_codes_of_the_code() -> None:
    documented = documented_codes()
    assert len(documented) == len(set(documented)), "a reason code is documented twice"
    assert set(documented) == KNOWN


def test_every_reason_code_in_the_source_is_a_known_one() -> None:
    found = emitted_in_source()
    assert found, "the scan found no reason code at all: has the intake changed shape?"
    unknown = {code: where for code, where in found.items() if code not in KNOWN}
    assert not unknown, f"not in DeadLetterReason (and docs/contracts.md): {unknown}"


def test_every_invalid_input_carries_a_known_reason_code() -> None:
    pending: list[type[errors.InvalidInput]] = [errors.InvalidInput]
    while pending:
        kind = pending.pop()
        assert kind.reason_code in KNOWN, kind
        pending += kind.__subclasses__()


class _PassThrough:
    def __init__(self, record: dict[str, Any]) -> None:
        self._record = record

    def decode(self, _payload: bytes) -> dict[str, Any]:
        return dict(self._record)


def test_what_the_intake_rejects_carries_a_known_reason_code() -> None:
    now = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    statuses = StatusEvents(SingleObjectCodec(STATUS_SCHEMA))
    event = {
        "eventId": str(uuid.uuid4()), "eventType": "HIRE", "occurredAt": now.isoformat(),
        "source": "hr", "employmentId": "E-1", "employer": {"enterpriseNumber": "0412345614"},
        "worker": {"ssin": "90051512391"},
        "contract": {"startDate": "2026-03-05", "workerType": "STU", "jointCommittee": "200"},
    }  # fmt: skip
    cases: list[tuple[Intake, bytes | None]] = [
        (Intake(SingleObjectCodec(EVENT_SCHEMA), statuses), None),
        (Intake(SingleObjectCodec(EVENT_SCHEMA), statuses), b"not avro"),
        (Intake(_PassThrough({**event, "unknown": 1}), statuses), b"x"),
        (Intake(_PassThrough(event), statuses), b"x"),  # a student without end date or hours
    ]
    codes = set()
    for intake, value in cases:
        message = ConsumedMessage("hr.employment.events", 0, 1, b"E-1", value)
        outcome = intake.examine(message, now=now, today=now.date())
        assert isinstance(outcome, Rejected)
        codes.add(outcome.reason_code)
    assert codes == {"EMPTY", "UNDECODABLE", "SCHEMA_MISMATCH", "RULE_VIOLATION"}
    assert codes <= KNOWN
