"""Structured logs with structlog: JSON when not on a terminal, readable otherwise.

Personal data never reaches the output: a processor masks SSINs (11 digits, with or without
separators) in every value and drops the values of name fields (the convention lives in
``adapter.core.masking``, shared with dead letters and status events).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from adapter.core.masking import MASK, NAME_FIELDS, SSIN_PATTERN, mask_ssin, mask_structure

__all__ = [
    "HANDLED_EVENT",
    "MASK",
    "NAME_FIELDS",
    "SSIN_PATTERN",
    "configure_logging",
    "log_handled",
    "mask_personal_data",
    "mask_ssin",
]

HANDLED_EVENT = "message handled"
"""The event name of the canonical line: ``grep '"event": "message handled"'``."""

_HANDLED = logging.getLogger("adapter.handled")


def mask_personal_data(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: mask SSINs everywhere and drop name values."""
    for key in list(event_dict):
        event_dict[key] = MASK if key in NAME_FIELDS else mask_structure(event_dict[key])
    return event_dict


def log_handled(
    *,
    topic: str,
    partition: int,
    offset: int,
    outcome: str,
    duration_s: float,
    event_id: str | None = None,
    employment_id: str | None = None,
    declaration_id: int | None = None,
    transition: str | None = None,
    reason: str | None = None,
    logger: Any = None,
) -> None:
    """The one canonical line per handled message (docs/operations.md, "Logs").

    ``outcome`` is ``accepted``, ``duplicate``, ``rejected`` or ``dead_lettered``;
    ``transition`` is e.g. ``SUBMITTED->ACCEPTED`` when the line reports a declaration step.
    Nothing personal goes in: ids only (and the masking processor runs anyway).
    A line below the configured level costs one level check, nothing more (several lines are
    written per declaration: docs/performance.md).
    """
    warning = outcome in ("rejected", "dead_lettered")
    if logger is None and not _HANDLED.isEnabledFor(logging.WARNING if warning else logging.INFO):
        return
    fields: dict[str, Any] = {
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "outcome": outcome,
        "duration_ms": round(duration_s * 1000.0, 3),
    }
    optional = {
        "event_id": event_id,
        "employment_id": employment_id,
        "declaration_id": declaration_id,
        "transition": transition,
        "reason": reason,
    }
    fields.update({k: v for k, v in optional.items() if v is not None})
    target = logger if logger is not None else structlog.get_logger("adapter.handled")
    if warning:
        target.warning(HANDLED_EVENT, **fields)
    else:
        target.info(HANDLED_EVENT, **fields)


def configure_logging(level: str = "INFO", fmt: str = "auto") -> None:
    """Configure structlog and route the standard library's logging through it."""
    as_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        structlog.stdlib.ExtraAdder(),  # fields given as ``extra=`` by standard-library loggers
        mask_personal_data,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        # Level first: a line below the level must not pay for time stamps and masking.
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
