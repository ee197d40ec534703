"""The consultation's criteria and results in the core's terms (``ConsultCriteria``,
``ConsultedDeclaration``), built from the XML the client receives (see ``wire.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from adapter.core.declarations import DeclarationKind
from adapter.core.results import Anomaly, AnomalySeverity, DeclarationAnswer, DimonaResult
from adapter.edges.dimona_soap.wire import BLOCKS, item_from_xml


class ConsultCriteria(BaseModel):
    """The seven consultation criteria of the public description (plus the period id).

    Every given criterion must match; at least one is required.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    declaration_id: int | None = Field(default=None, ge=1, le=999_999_999_999)
    worker_ssin: str | None = Field(default=None, pattern=r"^\d{11}$", repr=False)
    employer_noss: int | None = Field(default=None, ge=1, le=9_999_999_999)
    employer_enterprise_number: str | None = Field(default=None, pattern=r"^\d{9,10}$")
    received_from: AwareDatetime | None = None
    received_to: AwareDatetime | None = None
    joint_committee: str | None = Field(default=None, pattern=r"^(XXX|\d{3}(\.\d{2}){0,2})$")
    worker_type: str | None = Field(default=None, pattern=r"^[A-Z0-9]{3}$")
    user_enterprise_number: str | None = Field(default=None, pattern=r"^\d{9,10}$")
    period_id: int | None = Field(default=None, ge=100_000_000_000, le=999_999_999_999)

    @model_validator(mode="after")
    def _at_least_one(self) -> ConsultCriteria:
        if not any(v is not None for v in self.model_dump().values()):
            raise ValueError("give at least one consultation criterion")
        return self

    @classmethod
    def from_search_filter(cls, criteria: Mapping[str, Any]) -> ConsultCriteria:
        """From the REST-style filter the pipeline's reconciliation builds."""
        employer = criteria.get("employer") or {}
        worker = criteria.get("worker") or {}
        values = {
            "declaration_id": criteria.get("declarationId"),
            "period_id": criteria.get("periodId"),
            "worker_ssin": worker.get("ssin"),
            "employer_noss": employer.get("employerId"),
            "employer_enterprise_number": employer.get("enterpriseNumber"),
            "received_from": _utc(criteria.get("receivedFrom")),
            "received_to": _utc(criteria.get("receivedTo")),
            "joint_committee": criteria.get("jointCommissionNumber"),
            "worker_type": criteria.get("workerType"),
            "user_enterprise_number": criteria.get("userEnterpriseNumber"),
        }
        return cls.model_validate({k: v for k, v in values.items() if v is not None})

    def to_xml(self) -> dict[str, Any]:
        """zeep keyword arguments of ``consultDeclarations``."""
        out: dict[str, Any] = {}
        plain = {
            "DeclarationId": self.declaration_id,
            "DimonaPeriodId": self.period_id,
            "INSS": self.worker_ssin,
            "JointCommissionNbr": self.joint_committee,
            "WorkerType": self.worker_type,
            "UsingEmployerCompanyID": self.user_enterprise_number,
        }
        out.update({k: v for k, v in plain.items() if v is not None})
        employer = {
            "NOSSRegistrationNbr": self.employer_noss,
            "CompanyID": self.employer_enterprise_number,
        }
        if any(v is not None for v in employer.values()):
            out["EmployerId"] = {k: v for k, v in employer.items() if v is not None}
        reception = {"ReceptionFrom": self.received_from, "ReceptionTo": self.received_to}
        if any(v is not None for v in reception.values()):
            out["ReceptionPeriod"] = {k: v for k, v in reception.items() if v is not None}
        return out


def _utc(value: object) -> object:
    """A REST filter's reception time; one without a zone is UTC (as the service reads it)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value  # pydantic names the problem
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class ConsultedDeclaration(BaseModel):
    """One declaration as the consultation returns it: the core answer plus what it declared."""

    model_config = ConfigDict(frozen=True)

    answer: DeclarationAnswer
    kind: DeclarationKind
    received_at: datetime | None = None
    start_date: date | None = None
    end_date: date | None = None
    joint_committee: str | None = None
    worker_type: str | None = None
    item: dict[str, Any] = Field(default_factory=dict, repr=False)
    """The REST v2-shaped item (it may hold personal data: never log it)."""


def _severity(value: object) -> AnomalySeverity | None:
    if value == "B":
        return AnomalySeverity.BLOCKING
    return AnomalySeverity.NON_BLOCKING if isinstance(value, str) and value else None


def consulted(declaration: Mapping[str, Any]) -> ConsultedDeclaration:
    """The core view of one ``Declaration`` of a consultation answer."""
    status = declaration["DeclarationStatus"]
    anomalies = tuple(
        Anomaly(
            code=a["ErrorID"],
            severity=_severity(a.get("AnomalyClass")),
            label_fr=a.get("AnomalyLabelFr"),
            label_nl=a.get("AnomalyLabelNl"),
        )
        for a in status.get("Anomaly") or []
    )
    answer = DeclarationAnswer(
        declaration_id=int(status["DeclarationId"]),
        result=DimonaResult(status["Result"]),
        period_id=status.get("DimonaPeriodId"),
        anomalies=anomalies,
    )
    item = item_from_xml(declaration)
    kind, block = next((k, item[n]) for n, k in BLOCKS.values() if n in item)
    features = block.get("features") or {}
    return ConsultedDeclaration(
        answer=answer,
        kind=kind,
        received_at=status.get("ReceptionDateTime"),
        start_date=block.get("startDate"),
        end_date=block.get("endDate"),
        joint_committee=features.get("jointCommissionNumber"),
        worker_type=features.get("workerType"),
        item=item,
    )
