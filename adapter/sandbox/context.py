"""What every route handler of one sandbox app shares."""

from __future__ import annotations

from dataclasses import dataclass

from adapter.sandbox.faults import Faults
from adapter.sandbox.metrics import SandboxMetrics
from adapter.sandbox.oauth import OAuthServer
from adapter.sandbox.service import SandboxService


@dataclass(slots=True)
class SandboxContext:
    service: SandboxService
    oauth: OAuthServer
    faults: Faults
    metrics: SandboxMetrics
