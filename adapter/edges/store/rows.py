"""Mapping between store rows and the records of ``adapter.app.ports``: the store's JSON.

The JSON written here is the JSON the first release wrote (same models, same dump calls), so
a replica still running the previous release reads what this one writes, and the other way.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

from pydantic import TypeAdapter

from adapter.app.ports import (
    EventOutcome,
    InboxEntry,
    RecordedEvent,
    StoredDeclaration,
    Transition,
    WireBody,
)
from adapter.core.declarations import Declaration, InDeclaration
from adapter.core.events import EmploymentEvent
from adapter.core.machine import DeclarationProgress, DeclarationState
from adapter.core.periods import KnownPeriod
from adapter.core.results import DeclarationAnswer

DECLARATION: Final = TypeAdapter[Declaration](Declaration)
PERIODS: Final = TypeAdapter(tuple[KnownPeriod, ...])

DECLARATION_COLUMNS: Final = (
    "row_id, employment_id, event_id, position, declaration_json, body_json, state, "
    "attempts, declaration_id, answer_json, failure, submitted_at, next_action_at, retries, "
    "reconcile_until"
)
INBOX_ENTRY_COLUMNS: Final = "event_json, topic, kafka_partition, kafka_offset, received_at"
EVENT_COLUMNS: Final = (
    "event_id, event_type, topic, kafka_partition, kafka_offset, received_at, outcome, finished_at"
)
LOG_COLUMNS: Final = (
    "l.declaration_row_id, l.state, l.attempts, l.declaration_id, l.answer_json, l.failure, "
    "l.next_action_at, l.recorded_at, l.retries"
)


def epoch(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def moment(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


# -- events -----------------------------------------------------------------------------------
def event_json(event: EmploymentEvent) -> str:
    return event.model_dump_json(by_alias=True)


class ParsedEvents:
    """The events this process recorded, by their stored JSON, until read back once.

    The intake has already parsed and validated every event it records; parsing the stored
    JSON again when the actor reads the event costs more than the rest of the read (pydantic,
    ~50 µs). A pure memo of ``parse(text)``: the same text always gives the same (frozen)
    event, whether or not the transaction that wrote it committed. Bounded: the oldest entries
    go first (an event recorded but read by another process is parsed by that one).
    """

    def __init__(self, limit: int = 4096) -> None:
        self._events: dict[str, EmploymentEvent] = {}
        self._limit = limit

    def remember(self, text: str, event: EmploymentEvent) -> None:
        events = self._events
        if len(events) >= self._limit:
            del events[next(iter(events))]
        events[text] = event

    def parse(self, text: str) -> EmploymentEvent:
        event = self._events.pop(text, None)
        return event if event is not None else EmploymentEvent.model_validate_json(text)


def inbox_entry(row: Sequence[Any], parsed: ParsedEvents | None = None) -> InboxEntry:
    """A row selected with ``INBOX_ENTRY_COLUMNS``."""
    text, topic, partition, offset, received_at = row
    event = parsed.parse(text) if parsed is not None else EmploymentEvent.model_validate_json(text)
    return InboxEntry(event, topic, int(partition), int(offset), float(received_at))


def recorded_event(row: Sequence[Any]) -> RecordedEvent:
    """A row selected with ``EVENT_COLUMNS``."""
    event_id, event_type, topic, partition, offset, received_at, outcome, finished_at = row
    return RecordedEvent(
        event_id,
        event_type,
        topic,
        int(partition),
        int(offset),
        float(received_at),
        None if outcome is None else EventOutcome(outcome),
        _float(finished_at),
    )


# -- declarations -----------------------------------------------------------------------------
def declaration_json(declaration: Declaration) -> str:
    return DECLARATION.dump_json(declaration).decode()


def body_json(body: WireBody | None) -> str:
    """ "" stands for a body that could not be rendered at plan time."""
    return "" if body is None else json.dumps(body)


def worker_ssin(declaration: Declaration) -> str | None:
    """The worker's SSIN (``worker.ssin`` of an IN, ``ssin`` of the others)."""
    ssin = declaration.worker.ssin if isinstance(declaration, InDeclaration) else declaration.ssin
    return ssin or None


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


def _answer(text: str | None) -> DeclarationAnswer | None:
    return None if text is None else DeclarationAnswer.model_validate_json(text)


def declaration(row: Sequence[Any]) -> StoredDeclaration:
    """A row selected with ``DECLARATION_COLUMNS``."""
    row_id, employment_id, event_id, position, decl_json, body, state = row[:7]
    attempts, declaration_id, answer_json, failure, submitted_at, next_action_at = row[7:13]
    retries, reconcile_until = row[13:]
    progress = DeclarationProgress(
        state=DeclarationState(state),
        attempts=int(attempts),
        declaration_id=None if declaration_id is None else int(declaration_id),
        submitted_at=moment(submitted_at),
        answer=_answer(answer_json),
        failure=failure,
        retries=int(retries or 0),
        reconcile_until=moment(_float(reconcile_until)),
    )
    return StoredDeclaration(
        int(row_id),
        employment_id,
        event_id,
        int(position),
        DECLARATION.validate_json(decl_json),
        json.loads(body) if body else None,
        progress,
        _float(next_action_at),
    )


def transition(row: Sequence[Any]) -> Transition:
    """A ``declaration_log`` row selected with ``LOG_COLUMNS``."""
    row_id, state, attempts, declaration_id, answer_json, failure, next_action_at, at = row[:8]
    return Transition(
        int(row_id),
        DeclarationState(state),
        int(attempts),
        None if declaration_id is None else int(declaration_id),
        _answer(answer_json),
        failure,
        _float(next_action_at),
        float(at),
        int(row[8] or 0),
    )


# -- periods ----------------------------------------------------------------------------------
def periods_json(periods: tuple[KnownPeriod, ...]) -> str:
    return PERIODS.dump_json(periods).decode()


def periods(text: str | None) -> tuple[KnownPeriod, ...]:
    return PERIODS.validate_json(text) if text else ()
