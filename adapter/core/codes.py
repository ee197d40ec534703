"""Dimona code lists: worker types (with the dates they were valid) and joint committees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

_ALWAYS_FROM = date(1900, 1, 1)
_FOREVER = date(9999, 12, 31)


@dataclass(frozen=True, slots=True)
class WorkerType:
    code: str
    label: str
    valid_from: date = _ALWAYS_FROM
    """First start date of a period this type may be declared for."""
    valid_until: date = _FOREVER
    """Last start date of a period this type may be declared for."""

    def accepts(self, start: date) -> bool:
        return self.valid_from <= start <= self.valid_until


WORKER_TYPES: dict[str, WorkerType] = {
    t.code: t
    for t in (
        WorkerType("OTH", "other (ordinary) worker"),
        WorkerType("STU", "student"),
        WorkerType("FLX", "flexi-job worker"),
        WorkerType("EXT", "occasional worker (horeca, agriculture, horticulture, funeral)"),
        WorkerType("BCW", "construction worker"),
        WorkerType("RTA", "recognised construction apprentice"),
        WorkerType("IVT", "individual vocational training"),
        WorkerType("TRI", "transition internship"),
        WorkerType("STG", "intern under the work-accident scheme"),
        WorkerType("ALT", "pupil in dual training", valid_from=date(2023, 9, 1)),
        WorkerType("DWD", "Dimona without DmfA"),
        WorkerType("PMP", "member of parliament or government"),
        WorkerType("O17", "article 17, socio-cultural sector", valid_from=date(2022, 1, 1)),
        WorkerType("S17", "article 17, sport sector", valid_from=date(2022, 1, 1)),
        WorkerType("T17", "article 17, public television", valid_from=date(2022, 1, 1)),
        WorkerType("A17", "article 17 (old)", valid_until=date(2021, 12, 31)),
        WorkerType("TEA", "teaching staff", valid_until=date(2021, 12, 31)),
        WorkerType("QUA", "occasional worker in quarantine", valid_until=date(2022, 12, 31)),
        WorkerType("STX", "occasional student (old)", valid_until=date(2013, 12, 31)),
    )
}

# Presence rules per worker type (glossary 2023/3, reference §4.4 and §3.3).
PLANNED_HOURS_TYPES = frozenset({"STU", "O17", "S17"})
END_DATE_TYPES = frozenset({"EXT", "STU", "IVT", "TRI", "STG", "A17", "O17", "S17", "T17", "FLX"})
SAME_QUARTER_TYPES = frozenset({"STU", "O17", "S17"})
SAME_DAY_TYPES = frozenset({"A17", "T17", "QUA"})
SMALL_STATUTE_TYPES = frozenset({"IVT", "TRI", "STG"})
ARTICLE_17_EARLY_LIMIT_TYPES = frozenset({"O17", "S17", "T17"})
CONSTRUCTION_OPTIONAL_322_TYPES = frozenset({"DWD", "IVT", "TRI", "STU"})
EXT_JOINT_COMMITTEES = frozenset({"144", "145", "302", "320", "322"})

DIMONA_JOINT_COMMITTEES = frozenset({"124", "140", "144", "145", "149", "302", "320", "322"})
"""The joint committees a Dimona accepts besides ``XXX``."""
NO_JOINT_COMMITTEE = "XXX"
TEMPORARY_AGENCY = "322"
CONSTRUCTION = "124"

OCCASIONAL_ONLY_COMMITTEES = frozenset({"144", "145", "302", "320"})
"""Committees declared as such only for occasional work (EXT); ordinary work is ``XXX``."""


def main_committee(actual: str) -> str:
    """``"302.01"`` → ``"302"``."""
    return actual.split(".", 1)[0]


def declared_joint_committee(
    actual: str | None,
    worker_type: str,
    *,
    sector_committee_types: frozenset[str] = frozenset({"EXT"}),
) -> str:
    """The joint committee to declare, derived from the real one (reference §6.2).

    124, 140, 149 and 322 are declared as such; 144, 145, 302 and 320 only for the worker
    types in ``sector_committee_types`` (occasional work); every other committee is ``XXX``.
    """
    if actual is None or actual == NO_JOINT_COMMITTEE:
        return NO_JOINT_COMMITTEE
    main = main_committee(actual)
    if main not in DIMONA_JOINT_COMMITTEES:
        return NO_JOINT_COMMITTEE
    if main in OCCASIONAL_ONLY_COMMITTEES and worker_type not in sector_committee_types:
        return NO_JOINT_COMMITTEE
    return main


def declared_user_joint_committee(actual: str | None) -> str | None:
    """The user enterprise's committee as declared (any Dimona value but 322, else XXX)."""
    if actual is None:
        return None
    main = main_committee(actual)
    if main in DIMONA_JOINT_COMMITTEES:
        return main
    return NO_JOINT_COMMITTEE
