"""The REST v2 payload shapes of reference §9, with dates moved to next year (so not late)."""

from __future__ import annotations

import datetime as dt
from typing import Any

YEAR = dt.date.today().year + 1
SSIN = "90051512391"
SSIN_2000 = "04022924678"
NOSS = 123456749
NOSS_AGENCY = 100000015
CBE = "0412345614"
USER_CBE = "0812345603"


def d(month: int, day: int, year: int = YEAR) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}"


def ordinary_in(ssin: str = SSIN, start: str | None = None, **extra: Any) -> dict[str, Any]:
    block: dict[str, Any] = {
        "startDate": start or d(3, 2),
        "features": {"jointCommissionNumber": "XXX", "workerType": "OTH"},
    }
    block.update(extra)
    return {"employer": {"employerId": NOSS}, "worker": {"ssin": ssin}, "dimonaIn": block}


def flexi_day(ssin: str = SSIN, day: str | None = None) -> dict[str, Any]:
    day = day or d(3, 7)
    return {
        "employer": {"enterpriseNumber": CBE},
        "worker": {"ssin": ssin},
        "dimonaIn": {
            "startDate": day,
            "startHour": "1800",
            "endDate": day,
            "endHour": "2330",
            "features": {"jointCommissionNumber": "XXX", "workerType": "FLX"},
        },
    }


def student(ssin: str = SSIN_2000, hours: int = 160) -> dict[str, Any]:
    return {
        "employer": {"enterpriseNumber": CBE},
        "worker": {"ssin": ssin},
        "dimonaIn": {
            "startDate": d(7, 1),
            "endDate": d(8, 31),
            "plannedHoursNumber": hours,
            "features": {"jointCommissionNumber": "XXX", "workerType": "STU"},
            "studentPlaceOfWork": {
                "name": "Shop Ghent Korenmarkt",
                "address": {
                    "street": "Korenmarkt",
                    "houseNumber": "12",
                    "postCode": "9000",
                    "municipality": {"code": 44021, "name": "Gent"},
                    "country": 150,
                },
            },
        },
    }


def without_ssin(family_name: str = "KOWALSKA") -> dict[str, Any]:
    return {
        "employer": {"employerId": NOSS},
        "worker": {
            "familyName": family_name,
            "givenName": "Anna",
            "birthDate": "1995-11-03",
            "placeOfBirth": "KRAKOW",
            "countryOfBirth": 122,
            "nationality": 122,
            "gender": 2,
            "address": {
                "street": "Rue Haute",
                "houseNumber": "45",
                "postCode": "1000",
                "municipality": {"code": 21004, "name": "Bruxelles"},
                "country": 150,
            },
        },
        "dimonaIn": {
            "startDate": d(4, 1),
            "features": {"jointCommissionNumber": "XXX", "workerType": "OTH"},
        },
    }


def temp_agency(ssin: str = SSIN) -> dict[str, Any]:
    return {
        "employer": {"employerId": NOSS_AGENCY},
        "worker": {"ssin": ssin},
        "dimonaIn": {
            "startDate": d(5, 4),
            "endDate": d(5, 8),
            "features": {
                "jointCommissionNumber": "322",
                "workerType": "OTH",
                "usingEmployer": {"jointCommissionNumber": "XXX", "enterpriseNumber": USER_CBE},
            },
        },
    }


def out(period_id: int, end: str | None = None) -> dict[str, Any]:
    return {"dimonaOut": {"periodId": period_id, "endDate": end or d(6, 30)}}


def update(period_id: int, **fields: Any) -> dict[str, Any]:
    return {"dimonaUpdate": {"periodId": period_id, **fields}}


def cancel(period_id: int) -> dict[str, Any]:
    return {"dimonaCancel": {"periodId": period_id}}
