"""How the sandbox processes one declaration against the periods it holds (reference §10).

IN creates a period whose id is the declaration id; OUT, UPDATE and CANCEL act on it. Blocking
anomalies give B (nothing changes), non-blocking ones W, none A; an IN for a worker without an
SSIN waits for identification (S) with its period reserved as *pending*.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from adapter.sandbox import rules
from adapter.sandbox.anomalies import BLOCKING, Anomaly, anomaly
from adapter.sandbox.models import ACTIVE, CANCELLED, PENDING, REFUSED, Declaration, Period
from adapter.sandbox.store import Store

BRUSSELS = ZoneInfo("Europe/Brussels")


@dataclass(slots=True)
class RuleSettings:
    student_quota_hours: int = 650


def result_of(anomalies: list[Anomaly]) -> str:
    if any(a.severity == BLOCKING for a in anomalies):
        return "B"
    return "W" if anomalies else "A"


def _anomalies(codes: list[str]) -> list[Anomaly]:
    return [anomaly(code) for code in dict.fromkeys(codes)]


class Processor:
    """Applies the rules and keeps the indexes the stateful rules need."""

    def __init__(self, store: Store, settings: RuleSettings) -> None:
        self.store = store
        self.settings = settings
        self._by_pair: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._student_hours: dict[tuple[str, int], int] = defaultdict(int)
        self.rebuild()

    def rebuild(self) -> None:
        self._by_pair.clear()
        self._student_hours.clear()
        for period in self.store.periods.values():
            self._index(period)

    def _index(self, period: Period) -> None:
        self._by_pair[(period.employer_key, period.worker_key)].append(period.id)
        self._count_hours(period, +1)

    def _count_hours(self, period: Period, sign: int) -> None:
        if period.worker_type == "STU" and period.counts and period.planned_hours:
            key = (period.worker_key, int(period.start_date[:4]))
            self._student_hours[key] += sign * period.planned_hours

    def student_hours(self, worker_key: str, year: int) -> int:
        return self._student_hours.get((worker_key, year), 0)

    # ----------------------------------------------------------------- processing
    def process(self, declaration: Declaration, now: float) -> None:
        """Decide the answer by the rules and apply its effect."""
        handler = {
            "IN": self._check_in,
            "OUT": self._check_out,
            "UPDATE": self._check_update,
            "CANCEL": self._check_cancel,
        }[declaration.kind]
        codes = handler(declaration, now)
        anomalies = _anomalies(codes)
        result = result_of(anomalies)
        if result != "B" and declaration.kind == "IN" and "ssin" not in declaration.body["worker"]:
            result = "S"
        self.conclude(declaration, result, anomalies, now)

    def conclude(
        self, declaration: Declaration, result: str, anomalies: list[Anomaly], now: float
    ) -> None:
        """Record ``result`` and apply the declaration's effect (forced answers come here too)."""
        declaration.result = result
        declaration.anomalies = anomalies
        declaration.processed_at = now
        if declaration.kind == "IN":
            declaration.period_id = declaration.id if result != "B" else None
            if result != "B":
                self._create_period(declaration, PENDING if result == "S" else ACTIVE, now)
        else:
            declaration.period_id = int(declaration.action["periodId"])
            if result in ("A", "W"):
                self._apply(declaration, now)
        self.store.mark_declaration(declaration)

    def resolve(self, declaration: Declaration, result: str, codes: list[str], now: float) -> None:
        """End an S: the worker was identified (A/W) or not (B)."""
        declaration.result = result
        declaration.anomalies = _anomalies(codes)
        declaration.resolve_at = None
        period = self.store.periods.get(declaration.period_id or 0)
        if declaration.kind == "IN" and period is not None and period.status == PENDING:
            if result == "B":
                self._count_hours(period, -1)
                period.status = REFUSED
                declaration.period_id = None
            else:
                period.status = ACTIVE
            period.updated_at = now
            self.store.mark_period(period)
        elif declaration.kind != "IN" and result in ("A", "W"):
            self._apply(declaration, now)
        self.store.mark_declaration(declaration)

    # ----------------------------------------------------------------- IN
    def _check_in(self, declaration: Declaration, now: float) -> list[str]:
        body = declaration.body
        block: dict[str, Any] = body["dimonaIn"]
        features: dict[str, Any] = block["features"]
        worker_type = str(features["workerType"])
        start, end = block["startDate"], block.get("endDate")
        codes = rules.employer_codes(body["employer"])
        codes += rules.worker_codes(body["worker"], worker_type)
        if end == rules.OPEN_END:
            return [*codes, "00911-003"]
        codes += rules.features_codes(features, start)
        draft = self._draft(declaration, now)
        codes += rules.shape_codes("90373", draft)
        if any(anomaly(c).severity == BLOCKING for c in codes):
            return codes
        codes += self._conflicts("90373", draft, exclude=None)
        codes += self._flexi_codes(draft)
        codes += self._quota_codes(draft, draft.planned_hours or 0)
        local_now = datetime.fromtimestamp(now, BRUSSELS).replace(tzinfo=None)
        if rules.is_late(start, block.get("startHour"), local_now):
            codes.append("90373-460")
        return codes

    def _draft(self, declaration: Declaration, now: float) -> Period:
        body = declaration.body
        block: dict[str, Any] = body["dimonaIn"]
        features: dict[str, Any] = block["features"]
        return Period(
            id=declaration.id,
            employer=dict(body["employer"]),
            employer_key=declaration.employer_key or "",
            worker=dict(body["worker"]),
            worker_key=declaration.worker_key or "",
            worker_type=str(features["workerType"]),
            joint_committee=str(features["jointCommissionNumber"]),
            start_date=block["startDate"],
            start_hour=block.get("startHour"),
            end_date=block.get("endDate"),
            end_hour=block.get("endHour"),
            planned_hours=block.get("plannedHoursNumber"),
            using_employer=features.get("usingEmployer"),
            student_place_of_work=block.get("studentPlaceOfWork"),
            declaration_ids=[declaration.id],
            created_at=now,
            updated_at=now,
        )

    def _create_period(self, declaration: Declaration, status: str, now: float) -> None:
        period = self._draft(declaration, now)
        period.status = status
        self.store.put_period(period)
        self._index(period)

    def _conflicts(self, block: str, draft: Period, exclude: int | None) -> list[str]:
        """Duplicate (333) or overlapping (334) periods of the same worker and employer."""
        dates = (draft.start_date, draft.start_hour, draft.end_date, draft.end_hour)
        span = rules.interval(*dates)
        overlap = False
        for period_id in self._by_pair.get((draft.employer_key, draft.worker_key), ()):
            other = self.store.periods[period_id]
            if period_id == exclude or not other.counts:
                continue
            if (other.worker_type == "FLX") != (draft.worker_type == "FLX"):
                continue  # flexi next to another job: the flexi access rule (510) decides
            if (other.start_date, other.start_hour, other.end_date, other.end_hour) == dates:
                return [f"{block}-333"]
            other_span = rules.interval(
                other.start_date, other.start_hour, other.end_date, other.end_hour
            )
            overlap = overlap or (span[0] < other_span[1] and other_span[0] < span[1])
        return [f"{block}-334"] if overlap else []

    def _flexi_codes(self, draft: Period) -> list[str]:
        """Guess: no flexi-job where the worker has (or had last quarter) an ordinary job."""
        if draft.worker_type != "FLX":
            return []
        year, q = rules.quarter(draft.start_date)
        year, q = (year, q - 1) if q > 0 else (year - 1, 3)
        window_start = date(year, q * 3 + 1, 1).isoformat()
        window_end = draft.end_date or rules.OPEN_END
        for period_id in self._by_pair.get((draft.employer_key, draft.worker_key), ()):
            other = self.store.periods[period_id]
            if not other.counts or other.worker_type == "FLX":
                continue
            if (
                other.start_date <= window_end
                and (other.end_date or rules.OPEN_END) >= window_start
            ):
                return ["90017-510"]
        return []

    def _quota_codes(self, draft: Period, extra_hours: int) -> list[str]:
        if draft.worker_type != "STU" or extra_hours <= 0:
            return []
        used = self.student_hours(draft.worker_key, int(draft.start_date[:4]))
        return ["90017-369"] if used + extra_hours > self.settings.student_quota_hours else []

    # ----------------------------------------------------------------- OUT / UPDATE / CANCEL
    def _target(self, declaration: Declaration) -> tuple[Period | None, list[str]]:
        period = self.store.periods.get(int(declaration.action["periodId"]))
        if period is None or period.status == REFUSED:
            return None, ["00913-354"]
        if period.status == CANCELLED:
            return period, ["00913-355"]
        if period.locked:
            return period, ["00913-362"]
        ssin = declaration.body.get("worker", {}).get("ssin")
        if ssin is not None and period.worker.get("ssin") not in (None, ssin):
            return period, ["00024-347"]
        return period, []

    def _check_out(self, declaration: Declaration, _now: float) -> list[str]:
        period, codes = self._target(declaration)
        if period is None or codes:
            return codes
        if period.end_date is not None:
            return ["00913-356"]
        if declaration.action["endDate"] < period.start_date:
            return ["00911-014"]
        return []

    def _updated(self, period: Period, block: dict[str, Any]) -> Period:
        draft = Period.from_dict(period.to_dict())
        draft.start_date = block.get("startDate", period.start_date)
        draft.start_hour = block.get("startHour", period.start_hour)
        if block.get("endDate") == rules.OPEN_END:
            draft.end_date, draft.end_hour = None, None
        else:
            draft.end_date = block.get("endDate", period.end_date)
            draft.end_hour = block.get("endHour", period.end_hour)
        draft.planned_hours = block.get("plannedHoursNumber", period.planned_hours)
        return draft

    def _check_update(self, declaration: Declaration, _now: float) -> list[str]:
        period, codes = self._target(declaration)
        if period is None or codes:
            return codes
        block = declaration.action
        if "startDate" not in block and "endDate" not in block:
            return ["90378-360"]
        draft = self._updated(period, block)
        if period.end_date is None and draft.end_date is not None:
            return ["00913-359"]
        if period.worker_type == "STU" and draft.start_date != period.start_date:
            codes.append("00910-005")
        if (
            draft.start_date,
            draft.start_hour,
            draft.end_date,
            draft.end_hour,
            draft.planned_hours,
        ) == (
            period.start_date,
            period.start_hour,
            period.end_date,
            period.end_hour,
            period.planned_hours,
        ):
            return ["90378-444"]
        codes += rules.shape_codes("90378", draft)
        if any(anomaly(c).severity == BLOCKING for c in codes):
            return codes
        codes += self._conflicts("90378", draft, exclude=period.id)
        extra = (draft.planned_hours or 0) - (period.planned_hours or 0)
        codes += self._quota_codes(draft, extra)
        return codes

    def _check_cancel(self, declaration: Declaration, _now: float) -> list[str]:
        return self._target(declaration)[1]

    def _apply(self, declaration: Declaration, now: float) -> None:
        period = self.store.periods.get(int(declaration.action["periodId"]))
        if period is None or period.status in (CANCELLED, REFUSED):
            return
        self._count_hours(period, -1)
        if declaration.kind == "OUT":
            period.end_date = declaration.action["endDate"]
        elif declaration.kind == "UPDATE":
            draft = self._updated(period, declaration.action)
            period.start_date, period.start_hour = draft.start_date, draft.start_hour
            period.end_date, period.end_hour = draft.end_date, draft.end_hour
            period.planned_hours = draft.planned_hours
        else:
            period.status = CANCELLED
        self._count_hours(period, +1)
        period.declaration_ids.append(declaration.id)
        period.updated_at = now
        self.store.mark_period(period)
