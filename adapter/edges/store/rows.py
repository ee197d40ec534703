"""Mapping between store rows and the records of ``adapter.app.ports``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

from adapter.app.ports import StoredDeclaration
from adapter.core.machine import DeclarationProgress, DeclarationState
from adapter.core.results import DeclarationAnswer

DECLARATION_COLUMNS: Final = (
    "row_id, employment_id, event_id, position, kind, declaration_json, body_json, state, "
    "attempts, declaration_id, answer_json, failure, submitted_at, next_action_at"
)

EVENT_FIELDS: Final = (
    *("eventId", "eventType", "topic", "partition", "offset"),
    *("receivedAt", "outcome", "finishedAt"),
)

LOG_FIELDS: Final = (
    *("declarationRowId", "state", "attempts", "declarationId", "result"),
    *("answer", "failure", "nextActionAt", "recordedAt"),
)


def epoch(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def moment(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def worker_ssin(declaration_json: str) -> str | None:
    """The worker's SSIN in a declaration (``worker.ssin`` of an IN, ``ssin`` of the others)."""
    try:
        data = json.loads(declaration_json)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    worker = data.get("worker")
    ssin = worker.get("ssin") if isinstance(worker, dict) else None
    ssin = ssin or data.get("ssin")
    return ssin if isinstance(ssin, str) and ssin else None


def progress_columns(progress: DeclarationProgress) -> tuple[Any, ...]:
    """state, attempts, declaration_id, period_id, result, answer_json, failure, submitted_at."""
    answer = progress.answer
    return (
        progress.state.value,
        progress.attempts,
        progress.declaration_id,
        None if answer is None else answer.period_id,
        None if answer is None else answer.result.value,
        None if answer is None else answer.model_dump_json(),
        progress.failure,
        epoch(progress.submitted_at),
    )


def declaration(row: Sequence[Any]) -> StoredDeclaration:
    """A row selected with ``DECLARATION_COLUMNS``."""
    (row_id, employment_id, event_id, position, kind, decl_json, body_json, state) = row[:8]
    attempts, declaration_id, answer_json, failure, submitted_at, next_action_at = row[8:]
    answer = None if answer_json is None else DeclarationAnswer.model_validate_json(answer_json)
    progress = DeclarationProgress(
        state=DeclarationState(state),
        attempts=int(attempts),
        declaration_id=None if declaration_id is None else int(declaration_id),
        submitted_at=moment(submitted_at),
        answer=answer,
        failure=failure,
    )
    return StoredDeclaration(
        int(row_id),
        employment_id,
        event_id,
        int(position),
        kind,
        decl_json,
        body_json,
        progress,
        None if next_action_at is None else float(next_action_at),
    )


def log_entry(row: Sequence[Any]) -> dict[str, Any]:
    """A ``declaration_log`` row as a dict for ``history()``; the answer is decoded JSON."""
    entry = dict(zip(LOG_FIELDS, row, strict=True))
    if entry["answer"] is not None:
        entry["answer"] = json.loads(entry["answer"])
    return entry
