"""Core declarations for the gateway tests: the shapes of ``tests/sandbox/payloads.py`` (the
REST v2 bodies of reference §9) as the core models the ``DimonaGateway`` port takes.

``declaration_to_body`` renders each one as its payload (``tests/edges/dimona_soap/test_wire.py``
checks it), so the sandbox tests and the gateway tests speak of the same declarations.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from adapter.core.declarations import (
    CancelDeclaration,
    DeclaredUsingEmployer,
    InDeclaration,
    OutDeclaration,
    UpdateDeclaration,
)
from adapter.core.events import Address, Employer, Gender, PlaceOfWork, Worker
from tests.sandbox.payloads import CBE, NOSS, NOSS_AGENCY, SSIN, SSIN_2000, USER_CBE, YEAR

PERIOD_START = dt.date(YEAR, 3, 2)
"""Where ``ordinary_in`` starts: the period the follow-ups below target."""


def d(month: int, day: int, year: int = YEAR) -> dt.date:
    return dt.date(year, month, day)


def ordinary_in(ssin: str = SSIN, start: dt.date | None = None, **changes: Any) -> InDeclaration:
    return InDeclaration(
        employer=Employer(noss_registration_number=str(NOSS)),
        worker=Worker(ssin=ssin),
        start_date=start or PERIOD_START,
        joint_committee="XXX",
        worker_type="OTH",
        **changes,
    )


def flexi_day(ssin: str = SSIN, day: dt.date | None = None) -> InDeclaration:
    day = day or d(3, 7)
    return InDeclaration(
        employer=Employer(enterprise_number=CBE),
        worker=Worker(ssin=ssin),
        start_date=day,
        start_time=dt.time(18, 0),
        end_date=day,
        end_time=dt.time(23, 30),
        joint_committee="XXX",
        worker_type="FLX",
    )


def student(ssin: str = SSIN_2000, hours: int = 160) -> InDeclaration:
    return InDeclaration(
        employer=Employer(enterprise_number=CBE),
        worker=Worker(ssin=ssin),
        start_date=d(7, 1),
        end_date=d(8, 31),
        planned_hours=hours,
        joint_committee="XXX",
        worker_type="STU",
        student_place_of_work=PlaceOfWork(
            name="Shop Ghent Korenmarkt",
            address=Address(
                street="Korenmarkt",
                house_number="12",
                post_code="9000",
                municipality="Gent",
                municipality_code=44021,
                country=150,
            ),
        ),
    )


def without_ssin(family_name: str = "KOWALSKA") -> InDeclaration:
    return InDeclaration(
        employer=Employer(noss_registration_number=str(NOSS)),
        worker=Worker(
            family_name=family_name,
            given_name="Anna",
            birth_date=dt.date(1995, 11, 3),
            place_of_birth="KRAKOW",
            country_of_birth=122,
            nationality=122,
            gender=Gender.FEMALE,
            address=Address(
                street="Rue Haute",
                house_number="45",
                post_code="1000",
                municipality="Bruxelles",
                municipality_code=21004,
                country=150,
            ),
        ),
        start_date=d(4, 1),
        joint_committee="XXX",
        worker_type="OTH",
    )


def temp_agency(ssin: str = SSIN) -> InDeclaration:
    return InDeclaration(
        employer=Employer(noss_registration_number=str(NOSS_AGENCY)),
        worker=Worker(ssin=ssin),
        start_date=d(5, 4),
        end_date=d(5, 8),
        joint_committee="322",
        worker_type="OTH",
        using_employer=DeclaredUsingEmployer(joint_committee="XXX", enterprise_number=USER_CBE),
    )


def out(period_id: int | None, end: dt.date | None = None) -> OutDeclaration:
    return OutDeclaration(period_id=period_id, period_start=PERIOD_START, end_date=end or d(6, 30))


def update(period_id: int | None, **changes: Any) -> UpdateDeclaration:
    return UpdateDeclaration(period_id=period_id, period_start=PERIOD_START, **changes)


def cancel(period_id: int | None) -> CancelDeclaration:
    return CancelDeclaration(period_id=period_id, period_start=PERIOD_START)
