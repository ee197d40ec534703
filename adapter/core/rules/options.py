"""Settings of the rules where the Dimona reference is unsure (see docs/decisions.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from adapter.core.codes import SAME_QUARTER_TYPES


@dataclass(frozen=True, slots=True)
class RuleOptions:
    sector_committee_types: frozenset[str] = frozenset({"EXT"})
    """Worker types declared under 144, 145, 302 or 320; other types use XXX there (D-04)."""
    require_joint_committee: bool = True
    """Refuse a contract without a joint committee (only local authorities may omit it)."""
    ext_end_time_required: bool = True
    """EXT needs an end hour (false for horeca daily lump sums, which we cannot detect)."""
    flexi_declared_at_most_days_before_quarter: int = 31
    article17_declared_at_most_days_before_start: int = 15
    max_planned_hours: int = 999
    quarter_split_types: frozenset[str] = field(
        default_factory=lambda: SAME_QUARTER_TYPES | {"FLX"}
    )
    """Types declared once per calendar quarter (FLX: per-period contracts only)."""
    verify_dimona_id_check_digits: bool = True
    """Check the inferred mod-97 check digits of period ids (D-09)."""
