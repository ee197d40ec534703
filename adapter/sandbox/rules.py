"""Stateless Dimona rules: what a single declaration must look like, whatever ONSS already holds.

Our own reading of the glossary 2023/3 (reference §4, §6; context note §3). Every rule returns
anomaly codes; the processor turns them into a result. Where the sandbox guesses, the guess is
listed in docs/sandbox.md.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from adapter.sandbox import ids
from adapter.sandbox.models import Period

ACCEPTED_JOINT_COMMITTEES = frozenset(
    {"124", "140", "144", "145", "149", "302", "320", "322", "XXX"}
)
END_DATE_REQUIRED = frozenset({"EXT", "STU", "IVT", "TRI", "STG", "A17", "O17", "S17", "T17"})
PLANNED_HOURS_TYPES = frozenset({"STU", "O17", "S17"})
SAME_QUARTER_TYPES = frozenset({"STU", "O17", "S17", "FLX"})
# Worker types no longer accepted for periods starting on or after the given date.
ABOLISHED_FROM = {
    "A17": "2022-01-01",
    "TEA": "2022-01-01",
    "QUA": "2023-01-01",
    "STX": "2014-01-01",
}
# Joint committees a worker type is restricted to (guess from the glossary's type definitions).
ONLY_JOINT_COMMITTEES = {
    "EXT": frozenset({"144", "145", "302", "320", "322"}),
    "BCW": frozenset({"124", "322"}),
    "RTA": frozenset({"124", "322"}),
}
# Joint committees where a worker type is never allowed (guess: no flexi-jobs in construction).
FORBIDDEN_JOINT_COMMITTEES = {"FLX": frozenset({"124", "149"})}
OPEN_END = "9999-12-31"


def quarter(day: str) -> tuple[int, int]:
    return int(day[:4]), (int(day[5:7]) - 1) // 3


def moment(day: str, hour: str | None) -> datetime:
    value = datetime.fromisoformat(day)
    if hour is not None:
        value = value.replace(hour=int(hour[:2]), minute=int(hour[2:]))
    return value


def interval(
    start_date: str, start_hour: str | None, end_date: str | None, end_hour: str | None
) -> tuple[datetime, datetime]:
    """The time span a period covers; a day without an end hour covers the whole day."""
    start = moment(start_date, start_hour)
    if end_date is None or end_date >= OPEN_END:
        return start, datetime.max  # noqa: DTZ901 - naive Belgian local time throughout
    if end_hour is not None:
        return start, moment(end_date, end_hour)
    return start, moment(end_date, None) + timedelta(days=1)


def needs_hours(worker_type: str, start_date: str, end_date: str | None) -> bool:
    """EXT always; FLX for a one-day (oral contract) shift, which may run past midnight."""
    if worker_type == "EXT":
        return True
    if worker_type != "FLX" or end_date is None:
        return False
    return (date.fromisoformat(end_date) - date.fromisoformat(start_date)).days == 0


def may_have_hours(worker_type: str, start_date: str, end_date: str | None) -> bool:
    if worker_type == "EXT":
        return True
    if worker_type != "FLX" or end_date is None:
        return False
    return (date.fromisoformat(end_date) - date.fromisoformat(start_date)).days <= 1


def employer_codes(employer: dict[str, Any]) -> list[str]:
    if "employerId" in employer:
        return [] if ids.is_noss(int(employer["employerId"])) else ["00011-003"]
    if "enterpriseNumber" in employer:
        number = ids.normalise_enterprise_number(str(employer["enterpriseNumber"]))
        return [] if ids.is_enterprise_number(number) else ["00014-003"]
    return ["90256-364"]


def worker_codes(worker: dict[str, Any], worker_type: str) -> list[str]:
    if "ssin" in worker:
        return [] if ids.is_ssin(str(worker["ssin"])) else ["00024-003"]
    if worker_type == "EXT":
        return ["00024-001"]
    if not all(k in worker for k in ("familyName", "givenName", "birthDate")):
        return ["90017-363"]
    return []


def features_codes(features: dict[str, Any], start_date: str) -> list[str]:
    codes: list[str] = []
    worker_type = str(features["workerType"])
    committee = str(features["jointCommissionNumber"])
    if committee.split(".", maxsplit=1)[0] not in ACCEPTED_JOINT_COMMITTEES:
        codes.append("00046-008")
    abolished = ABOLISHED_FROM.get(worker_type)
    if abolished is not None and start_date >= abolished:
        codes.append("00655-008")
    main = committee.split(".", maxsplit=1)[0]
    only = ONLY_JOINT_COMMITTEES.get(worker_type)
    forbidden = FORBIDDEN_JOINT_COMMITTEES.get(worker_type, frozenset())
    if (only is not None and main not in only) or main in forbidden:
        codes.append("90374-349")
    codes.extend(_using_employer_codes(committee, features.get("usingEmployer")))
    return codes


def _using_employer_codes(committee: str, using: dict[str, Any] | None) -> list[str]:
    if committee != "322":
        return [] if using is None else ["90107-005"]
    if using is None:
        return ["90107-001"]
    codes: list[str] = []
    has_number, has_name = "enterpriseNumber" in using, "name" in using
    if has_number and has_name:
        codes.append("90107-352")
    elif not (has_number or has_name):
        codes.append("90107-351")
    if str(using.get("jointCommissionNumber", "")) == "322":
        codes.append("90374-349")
    return codes


def shape_codes(block: str, period: Period) -> list[str]:
    """Dates, hours and planned hours of a period as it would stand (after an IN or UPDATE).

    ``block`` is 90373 (IN) or 90378 (UPDATE): the functional block the anomaly belongs to.
    """
    codes: list[str] = []
    worker_type, start_date, end_date = period.worker_type, period.start_date, period.end_date
    if end_date is None and (worker_type in END_DATE_REQUIRED or period.joint_committee == "322"):
        codes.append("00911-001" if block == "90373" else "00913-368")
    if end_date is not None and end_date < start_date:
        return [*codes, "00911-014"]
    if (
        end_date is not None
        and worker_type in SAME_QUARTER_TYPES
        and quarter(start_date) != quarter(end_date)
    ):
        codes.append(f"{block}-421")
    codes.extend(_hour_codes(block, period))
    if worker_type in PLANNED_HOURS_TYPES and period.planned_hours is None:
        codes.append("01135-001")
    if worker_type not in PLANNED_HOURS_TYPES and period.planned_hours is not None:
        codes.append("01135-005")
    return codes


def _hour_codes(block: str, period: Period) -> list[str]:
    codes: list[str] = []
    worker_type, start_date, end_date = period.worker_type, period.start_date, period.end_date
    start_hour, end_hour = period.start_hour, period.end_hour
    if needs_hours(worker_type, start_date, end_date) or (
        may_have_hours(worker_type, start_date, end_date) and (start_hour or end_hour)
    ):
        if start_hour is None:
            codes.append("00777-001")
        if end_hour is None:
            codes.append("00778-001")
    else:
        if start_hour is not None:
            codes.append("00777-005")
        if end_hour is not None:
            codes.append("00778-005")
        return codes
    if (
        worker_type == "EXT"
        and end_date is not None
        and (date.fromisoformat(end_date) - date.fromisoformat(start_date)).days > 1
    ):
        codes.append("00910-459")
    if start_hour is None or end_hour is None or end_date is None:
        return codes
    start, end = moment(start_date, start_hour), moment(end_date, end_hour)
    if end <= start:
        codes.append("00778-345")
    elif end - start > timedelta(hours=24):
        codes.append(f"{block}-341")
    return codes


def is_late(start_date: str, start_hour: str | None, local_now: datetime) -> bool:
    """Late when declared after the start (the day, or the hour when one is given)."""
    today = local_now.date().isoformat()
    if today != start_date:
        return today > start_date
    if start_hour is None:
        return False
    return local_now.strftime("%H%M") > start_hour
