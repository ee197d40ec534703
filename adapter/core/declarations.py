"""The Dimona declarations the core asks for, before any wire format.

One frozen model per kind. An IN carries the employer, the worker and the features of the
new period; OUT, UPDATE and CANCEL target an existing period by ``period_id``. When the
period id is not known yet (its IN is still being processed) ``period_id`` is ``None`` and
``period_start`` tells the pipeline which known period to wait for (see
:func:`adapter.core.translation.resolve_period_ids`); such a declaration cannot be sent
(:class:`UnresolvedPeriod`), whatever the channel.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from adapter.core.errors import PermanentError
from adapter.core.events import (
    Address,
    ConstructionCards,
    Employer,
    PlaceOfWork,
    SmallStatutes,
    TimeOfDay,
    Worker,
)
from adapter.core.periods import PeriodTerms

REOPEN_END_DATE = date(9999, 12, 31)
"""In an UPDATE, this end date removes the end date of the period (reference §4.6)."""


class DeclarationKind(StrEnum):
    IN = "IN"
    OUT = "OUT"
    UPDATE = "UPDATE"
    CANCEL = "CANCEL"


class _Declaration(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DeclaredUsingEmployer(_Declaration):
    """The user enterprise as declared: its joint committee is the declared (Dimona) value."""

    enterprise_number: str | None = None
    name: str | None = None
    address: Address | None = None
    joint_committee: str | None = None


class InDeclaration(_Declaration, PeriodTerms):
    """A new period: its terms (:class:`PeriodTerms`), for this worker of this employer, with
    the blocks only an IN carries."""

    kind: Literal[DeclarationKind.IN] = DeclarationKind.IN
    employer: Employer
    worker: Worker
    actual_joint_committee: str | None = None
    """The real one from the event, kept for status events (DmfA needs it); never sent."""
    using_employer: DeclaredUsingEmployer | None = None
    student_place_of_work: PlaceOfWork | None = None
    construction_cards: ConstructionCards | None = None
    small_statutes: SmallStatutes | None = None
    not_before: date | None = None
    """Do not submit before this day: ONSS refuses FLX and article 17 INs declared too early."""

    def blocks_key(self) -> str:
        """A short digest of the blocks only an IN can carry (an UPDATE cannot change them)."""
        blocks = self.model_dump(
            mode="json",
            include={
                "using_employer",
                "student_place_of_work",
                "construction_cards",
                "small_statutes",
            },
        )
        text = json.dumps(blocks, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


class OutDeclaration(_Declaration):
    kind: Literal[DeclarationKind.OUT] = DeclarationKind.OUT
    period_id: int | None
    period_start: date
    end_date: date
    ssin: str | None = None


class UpdateDeclaration(_Declaration):
    kind: Literal[DeclarationKind.UPDATE] = DeclarationKind.UPDATE
    period_id: int | None
    period_start: date
    start_date: date | None = None
    start_time: TimeOfDay | None = None
    end_date: date | None = None
    end_time: TimeOfDay | None = None
    planned_hours: int | None = None
    ssin: str | None = None
    worker_type: str | None = None
    """The period's worker type, for local checks only (an UPDATE does not send it)."""


class CancelDeclaration(_Declaration):
    kind: Literal[DeclarationKind.CANCEL] = DeclarationKind.CANCEL
    period_id: int | None
    period_start: date
    ssin: str | None = None


Declaration = Annotated[
    InDeclaration | OutDeclaration | UpdateDeclaration | CancelDeclaration,
    Field(discriminator="kind"),
]

FollowUp = OutDeclaration | UpdateDeclaration | CancelDeclaration


class UnresolvedPeriod(PermanentError):  # noqa: N818 - a domain condition, not a crash
    """A follow-up declaration whose period id is still unknown: it cannot be sent.

    Raised before anything goes on the wire; the message names the kind and the period's start
    date, never the worker.
    """


def period_id_of(declaration: FollowUp) -> int:
    """The id of the period an OUT, UPDATE or CANCEL targets; :class:`UnresolvedPeriod` if none."""
    if declaration.period_id is None:
        msg = (
            f"the {declaration.kind} of the period starting {declaration.period_start} "
            "has no period id yet"
        )
        raise UnresolvedPeriod(msg)
    return declaration.period_id


def check_resolved(declaration: Declaration) -> Declaration:
    """The declaration itself, once every period id it needs is known (else UnresolvedPeriod)."""
    if not isinstance(declaration, InDeclaration):
        period_id_of(declaration)
    return declaration
