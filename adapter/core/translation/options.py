"""Settings of the translation (see docs/decisions.md for the defaults)."""

from __future__ import annotations

from dataclasses import dataclass, field

from adapter.core.rules.options import RuleOptions


@dataclass(frozen=True, slots=True)
class TranslationOptions:
    rules: RuleOptions = field(default_factory=RuleOptions)
    send_identification_with_ssin: bool = False
    """Send the identification block even when the worker has an SSIN (D-11: off)."""
