"""Calendar quarters and the splitting of a date range into quarters or days."""

from __future__ import annotations

from datetime import date, timedelta


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: date) -> date:
    start = quarter_start(day)
    next_month = start.month + 3
    if next_month > 12:
        return date(start.year, 12, 31)
    return date(start.year, next_month, 1) - timedelta(days=1)


def same_quarter(a: date, b: date) -> bool:
    return quarter_of(a) == quarter_of(b)


def split_by_quarter(start: date, end: date) -> tuple[tuple[date, date], ...]:
    """Consecutive (start, end) ranges, one per calendar quarter, covering start..end exactly."""
    if end < start:
        raise ValueError("end before start")
    pieces: list[tuple[date, date]] = []
    cursor = start
    while cursor <= end:
        last = min(quarter_end(cursor), end)
        pieces.append((cursor, last))
        cursor = last + timedelta(days=1)
    return tuple(pieces)


def days_between(start: date, end: date) -> tuple[date, ...]:
    return tuple(start + timedelta(days=n) for n in range((end - start).days + 1))
