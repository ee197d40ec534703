"""What the pipeline reports about itself: metrics, health, the canonical log line.

Bundled so the runner and the driver take one dependency; every part defaults to a no-op.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from adapter.app.metrics import NoHealth, NoMetrics
from adapter.app.ports import HealthReport, Metrics


def _no_log(**_fields: Any) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Telemetry:
    metrics: Metrics = field(default_factory=NoMetrics)
    health: HealthReport = field(default_factory=NoHealth)
    log_handled: Callable[..., None] = _no_log
    """``adapter.logging.log_handled``: one canonical line per handled message or step."""
