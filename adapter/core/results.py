"""What ONSS answers about one processed declaration, independent of the channel (REST or SOAP)."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

ANOMALY_CODE = re.compile(r"\b\d{5}-\d{3}\b")


class DimonaResult(StrEnum):
    """The processing result of a declaration (reference §5.2)."""

    ACCEPTED = "A"
    ACCEPTED_WITH_WARNING = "W"
    REFUSED = "B"
    WAITING_IDENTIFICATION = "S"

    @property
    def is_final(self) -> bool:
        return self is not DimonaResult.WAITING_IDENTIFICATION

    @property
    def creates_period(self) -> bool:
        return self in (DimonaResult.ACCEPTED, DimonaResult.ACCEPTED_WITH_WARNING)


class AnomalySeverity(StrEnum):
    BLOCKING = "B"
    NON_BLOCKING = "NP"


class Anomaly(BaseModel):
    """One anomaly of Annex 30: ``ZZZZZ-NNN`` with its French and Dutch labels."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: AnomalySeverity | None = None
    label_fr: str | None = None
    label_nl: str | None = None


class DeclarationAnswer(BaseModel):
    """ONSS's answer to one declaration once it has been processed."""

    model_config = ConfigDict(frozen=True)

    declaration_id: int
    result: DimonaResult
    period_id: int | None = None
    anomalies: tuple[Anomaly, ...] = ()

    def has_anomaly(self, code: str) -> bool:
        return any(a.code == code for a in self.anomalies)
