"""Prometheus metrics of what the sandbox served, in a registry of its own (one per app)."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "SandboxMetrics"]


class SandboxMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "sandbox_http_requests",
            "HTTP requests served, by endpoint, method and status",
            ["endpoint", "method", "status"],
            registry=self.registry,
        )
        self.faults = Counter(
            "sandbox_faults_injected",
            "Faults injected, by endpoint and kind",
            ["endpoint", "fault"],
            registry=self.registry,
        )
        self.declarations_received = Counter(
            "sandbox_declarations_received",
            "Declarations accepted for processing (201), by kind",
            ["kind"],
            registry=self.registry,
        )
        self.declarations_processed = Counter(
            "sandbox_declarations_processed",
            "Declarations processed, by kind and result",
            ["kind", "result"],
            registry=self.registry,
        )
        self.tokens = Counter(
            "sandbox_tokens",
            "Token requests, by outcome (issued or the RFC 6749 error)",
            ["outcome"],
            registry=self.registry,
        )
        self.periods = Gauge(
            "sandbox_periods", "Periods held, by status", ["status"], registry=self.registry
        )
        self.pending = Gauge(
            "sandbox_declarations_pending",
            "Declarations received but not processed yet",
            registry=self.registry,
        )

        # labels() takes a lock and builds the label tuple on every call: keep the children.
        self._received: dict[str, Any] = {}
        self._processed: dict[tuple[str, str], Any] = {}

    def count_received(self, kind: str) -> None:
        child = self._received.get(kind)
        if child is None:
            child = self._received[kind] = self.declarations_received.labels(kind)
        child.inc()

    def count_processed(self, kind: str, result: str) -> None:
        child = self._processed.get((kind, result))
        if child is None:
            child = self._processed[(kind, result)] = self.declarations_processed.labels(
                kind, result
            )
        child.inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
