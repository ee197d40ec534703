"""Which events are finished, and when, from the status events read back (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

FINAL = frozenset({"REJECTED", "ACCEPTED", "ACCEPTED_WITH_WARNINGS", "REFUSED", "FAILED"})


@dataclass(slots=True)
class _Event:
    refs: dict[str, bool] = field(default_factory=dict)
    """declaration reference -> final yet"""
    closed: bool = False
    """an event-level final status (REJECTED, or FAILED before any declaration)"""
    finished_at: float = 0.0

    @property
    def complete(self) -> bool:
        pending = any(not final for final in self.refs.values())
        return not pending and (self.closed or bool(self.refs))


class CompletionTracker:
    """Feed it every status event (with the time it was produced); it counts finished events.

    An event is finished when every declaration seen for it has a final status (or the event
    itself was rejected or failed); its finishing time is that of its last final status.

    ``at`` is the Kafka record timestamp (when the adapter's relay produced the status event);
    ``at - occurredAt`` (the state change) is the time from the change to the topic, kept for
    every status event in ``publish_delays`` and for the final ones in ``final_publish_delays``.
    """

    def __init__(self, event_ids: set[str]) -> None:
        self._expected = event_ids
        self._events: dict[str, _Event] = {}
        self.completed = 0
        self.declaration_finals: dict[str, float] = {}
        """declaration reference -> time of its final status"""
        self.results: dict[str, int] = {}
        self.statuses_seen = 0
        self.publish_delays: list[float] = []
        self.final_publish_delays: list[float] = []

    def add(self, status: Mapping[str, Any], at: float) -> None:
        self.statuses_seen += 1
        name = str(status["status"])
        occurred = occurred_at(status)
        if occurred is not None:
            self.publish_delays.append(at - occurred)
            if name in FINAL:
                self.final_publish_delays.append(at - occurred)
        ref = status.get("declarationRef")
        for event_id in status.get("sourceEventIds") or ():
            if event_id not in self._expected:
                continue
            event = self._events.setdefault(event_id, _Event())
            before = event.complete
            if ref is not None:
                event.refs[ref] = name in FINAL
            elif name in FINAL:
                event.closed = True
            if name in FINAL:
                event.finished_at = max(event.finished_at, at)
            self.completed += int(event.complete) - int(before)
        if name in FINAL and ref is not None and ref not in self.declaration_finals:
            self.declaration_finals[ref] = at
            self.results[name] = self.results.get(name, 0) + 1
        elif name in FINAL and ref is None:
            self.results[f"event:{name}"] = self.results.get(f"event:{name}", 0) + 1

    def finished(self) -> dict[str, float]:
        """event id -> finishing time, for the finished events."""
        return {e: ev.finished_at for e, ev in self._events.items() if ev.complete}

    @property
    def done(self) -> bool:
        return self.completed >= len(self._expected)


def occurred_at(status: Mapping[str, Any]) -> float | None:
    """``occurredAt`` in epoch seconds: fastavro gives a datetime, JSON forms epoch millis."""
    value = status.get("occurredAt")
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, int | float):
        return float(value) / 1000
    return None
