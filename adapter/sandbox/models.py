"""The sandbox's records: declarations as received and processed, periods as ONSS keeps them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from adapter.sandbox.anomalies import Anomaly

KINDS = {"dimonaIn": "IN", "dimonaOut": "OUT", "dimonaUpdate": "UPDATE", "dimonaCancel": "CANCEL"}
BLOCK_OF_KIND = {kind: block for block, kind in KINDS.items()}

# Period status: "pending" while its IN waits for identification (S), then "active";
# "cancelled" after a CANCEL; "refused" when a pending IN resolved to B.
PENDING, ACTIVE, CANCELLED, REFUSED = "pending", "active", "cancelled", "refused"


@dataclass(slots=True)
class Period:
    id: int
    employer: dict[str, Any]
    employer_key: str
    worker: dict[str, Any]
    worker_key: str
    worker_type: str
    joint_committee: str
    start_date: str
    start_hour: str | None = None
    end_date: str | None = None
    end_hour: str | None = None
    planned_hours: int | None = None
    using_employer: dict[str, Any] | None = None
    student_place_of_work: dict[str, Any] | None = None
    status: str = ACTIVE
    locked: bool = False
    declaration_ids: list[int] = field(default_factory=list)
    created_at: float = 0.0
    updated_at: float = 0.0

    @property
    def counts(self) -> bool:
        """Whether the period exists for ONSS (a pending IN already reserves its slot)."""
        return self.status in (ACTIVE, PENDING)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Period:
        return cls(**data)


@dataclass(slots=True)
class Declaration:
    id: int
    kind: str
    body: dict[str, Any]
    client_id: str
    received_at: float
    due_at: float
    employer_key: str | None = None
    worker_key: str | None = None
    processed_at: float | None = None
    result: str | None = None
    anomalies: list[Anomaly] = field(default_factory=list)
    period_id: int | None = None
    resolve_at: float | None = None
    resolve_to: str | None = None
    resolve_anomalies: list[str] = field(default_factory=list)
    forced: dict[str, Any] | None = None

    @property
    def processed(self) -> bool:
        return self.result is not None

    @property
    def action(self) -> dict[str, Any]:
        block: dict[str, Any] = self.body[BLOCK_OF_KIND[self.kind]]
        return block

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["anomalies"] = [a.to_wire() for a in self.anomalies]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Declaration:
        values = dict(data)
        values["anomalies"] = [Anomaly.from_wire(a) for a in data.get("anomalies", [])]
        return cls(**values)


@dataclass(slots=True)
class Client:
    client_id: str
    certificate_pem: str
    employers: list[str] | None = None
    scopes: list[str] | None = None

    def may_declare_for(self, employer_ids: list[str]) -> bool:
        if self.employers is None:
            return True
        # A 9-digit registration may be an enterprise number without its leading zero.
        allowed = {*self.employers, *(e.zfill(10) for e in self.employers if len(e) == 9)}
        return any(e in allowed for e in employer_ids)

    def to_wire(self) -> dict[str, Any]:
        return {
            "clientId": self.client_id,
            "certificatePem": self.certificate_pem,
            "employers": self.employers,
            "scopes": self.scopes,
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Client:
        employers = data.get("employers")
        scopes = data.get("scopes")
        return cls(
            client_id=str(data["clientId"]),
            certificate_pem=str(data["certificatePem"]),
            employers=None if employers is None else [_employer_id(e) for e in employers],
            scopes=None if scopes is None else [str(s) for s in scopes],
        )


def _employer_id(value: object) -> str:
    # A 9-digit value may be a NOSS number or an enterprise number without its leading zero:
    # keep it as given.
    return str(value).strip()


def employer_ids(employer: dict[str, Any]) -> list[str]:
    """Every identifier under which an employer block can be authorised or counted."""
    ids: list[str] = []
    if "employerId" in employer:
        ids.append(str(employer["employerId"]))
    if "enterpriseNumber" in employer:
        number = str(employer["enterpriseNumber"])
        ids.extend({number, number.zfill(10)})
    return ids


def employer_key(employer: dict[str, Any]) -> str:
    """The NOSS number takes priority over the enterprise number (reference §4.2)."""
    if "employerId" in employer:
        return str(employer["employerId"])
    return str(employer.get("enterpriseNumber", "")).zfill(10)


def worker_key(worker: dict[str, Any]) -> str:
    if "ssin" in worker:
        return str(worker["ssin"])
    parts = (worker.get("familyName", ""), worker.get("givenName", ""), worker.get("birthDate", ""))
    return "id:" + "|".join(str(p).upper() for p in parts)
