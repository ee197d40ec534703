"""The sandbox's start-up configuration and its command-line options."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adapter.sandbox.oauth import MAX_ASSERTION_LIFETIME_SECONDS, PRODUCTION_AUDIENCE

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8090


@dataclass(slots=True)
class SandboxConfig:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    processing_delay: float = 2.0
    identification_delay: float = 60.0
    latency_ms: float = 0.0
    state: str = "memory"
    clients: list[dict[str, Any]] = field(default_factory=list)
    scenarios: list[dict[str, Any]] = field(default_factory=list)
    faults: dict[str, Any] = field(default_factory=dict)
    audiences: list[str] = field(default_factory=lambda: [PRODUCTION_AUDIENCE])
    token_ttl: float = 600.0
    max_assertion_lifetime: float = MAX_ASSERTION_LIFETIME_SECONDS
    student_quota_hours: int = 650
    log_level: str = "warning"
    tick_seconds: float = 0.05

    def fault_wire(self) -> dict[str, Any]:
        """The start-up faults: ``--faults-file`` plus ``--latency-ms`` as the default latency."""
        wire = json.loads(json.dumps(self.faults))
        if self.latency_ms:
            latency = wire.setdefault("latency", {})
            latency.setdefault("default", {"fixedMs": self.latency_ms})
        return dict(wire)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST, help="listen address (loopback)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="listen port (0 = any)")
    parser.add_argument(
        "--processing-delay", type=float, default=2.0, metavar="S",
        help="seconds between POST and the answer being available (GET 404 until then)",
    )  # fmt: skip
    parser.add_argument(
        "--identification-delay", type=float, default=60.0, metavar="S",
        help="seconds before an S (worker without SSIN) resolves to A",
    )  # fmt: skip
    parser.add_argument("--latency-ms", type=float, default=0.0, help="latency on every API call")
    parser.add_argument("--state", default="memory", help="memory, or a PATH.sqlite to persist")
    parser.add_argument("--clients-file", type=Path, help="JSON list of client registrations")
    parser.add_argument("--scenarios-file", type=Path, help="JSON list of scenario hooks")
    parser.add_argument("--faults-file", type=Path, help="JSON object of fault settings")
    parser.add_argument(
        "--audience", action="append", default=None, metavar="URL",
        help="accepted JWT aud besides the token URL as addressed (repeatable; "
        f"default {PRODUCTION_AUDIENCE})",
    )  # fmt: skip
    parser.add_argument("--token-ttl", type=float, default=600.0, help="access token lifetime (s)")
    parser.add_argument(
        "--max-assertion-lifetime", type=float, default=MAX_ASSERTION_LIFETIME_SECONDS,
        metavar="S", help="longest client assertion accepted, exp - iat (s)",
    )  # fmt: skip
    parser.add_argument("--student-quota-hours", type=int, default=650)
    parser.add_argument(
        "--log-level", default="warning",
        choices=["critical", "error", "warning", "info", "debug"],
    )  # fmt: skip


def _json_file(path: Path | None, default: Any) -> Any:
    if path is None:
        return default
    return json.loads(path.read_text(encoding="utf-8"))


def from_args(args: argparse.Namespace) -> SandboxConfig:
    clients = _json_file(args.clients_file, [])
    scenarios = _json_file(args.scenarios_file, [])
    faults = _json_file(args.faults_file, {})
    if not isinstance(clients, list) or not isinstance(scenarios, list):
        raise ValueError("--clients-file and --scenarios-file hold JSON lists")
    if not isinstance(faults, dict):
        raise ValueError("--faults-file holds a JSON object")
    return SandboxConfig(
        host=args.host,
        port=args.port,
        processing_delay=args.processing_delay,
        identification_delay=args.identification_delay,
        latency_ms=args.latency_ms,
        state=args.state,
        clients=clients,
        scenarios=scenarios,
        faults=faults,
        audiences=args.audience or [PRODUCTION_AUDIENCE],
        token_ttl=args.token_ttl,
        max_assertion_lifetime=args.max_assertion_lifetime,
        student_quota_hours=args.student_quota_hours,
        log_level=args.log_level,
    )
