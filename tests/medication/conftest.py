"""A Sønderborg dispensing desk (Kongevej, medication Mon-Fri 08:30-11:00), a doctor, two
nurses, and prescriptions made through the services. Times are passed explicitly, so the
rules about hours and days are tested on known days: 23 November 2026 is a Monday."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bedring.accounts.models import Organisation, Site, User
from bedring.accounts.roles import Role
from bedring.clients.models import Client
from bedring.core import clock
from bedring.medication.models import Medicine, Prescription
from bedring.medication.services import prescribing as services

CPH = ZoneInfo("Europe/Copenhagen")
MONDAY = datetime.date(2026, 11, 23)


def at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    """A moment in Sønderborg's local time."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=CPH)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


@pytest.fixture
def desk_site(org_dk: Organisation) -> Site:
    return org_dk.sites.get(slug="kongevej")


@pytest.fixture
def doctor(org_dk: Organisation, make_staff: Callable[..., User]) -> User:
    return make_staff(org_dk, Role.DOCTOR)


@pytest.fixture
def nurse(org_dk: Organisation, make_staff: Callable[..., User]) -> User:
    return make_staff(org_dk, Role.NURSE)


@pytest.fixture
def second_nurse(org_dk: Organisation, make_staff: Callable[..., User]) -> User:
    return make_staff(org_dk, Role.NURSE)


def medicine(key: str = "methadone-oral-solution") -> Medicine:
    return Medicine.objects.get(key=key)


@pytest.fixture
def prescribe(doctor: User, desk_site: Site) -> Callable[..., Prescription]:
    def make(
        client: Client, *, medicine_key: str = "methadone-oral-solution", **terms: Any
    ) -> Prescription:
        actor = terms.pop("actor", doctor)
        values: dict[str, Any] = {
            "site": desk_site,
            "daily_dose": Decimal("60"),
            "starts_on": MONDAY,
            "ends_on": None,
            "supervised_weekdays": (0, 1, 2, 3, 4),
            "take_home_weekdays": (5, 6),
            "pickup_interval_days": 3,
        }
        values.update(terms)
        return services.prescription_create(
            client=client,
            actor=actor,
            medicine=medicine(medicine_key),
            terms=services.PrescriptionTerms(**values),
            today=values["starts_on"],
        )

    return make


ALL_DAY = datetime.time(0, 0), datetime.time(23, 59, 59, 999999)


def open_all_day(site: Site) -> Site:
    """Medication hours all day, every day, holidays included: for tests that go through the
    real clock (pages, the API, the browser), whatever the time they run at."""
    from bedring.accounts.services import site_set_hours
    from bedring.core.hours import Interval

    site_set_hours(site=site, kind="medication", week={d: [Interval(*ALL_DAY)] for d in range(7)})
    site.open_on_public_holidays = True
    site.save()
    return site


@pytest.fixture
def today(org_dk: Organisation) -> datetime.date:
    """The organisation's real today: for pages and the API, which follow the real clock."""

    return clock.today(org_dk)


@pytest.fixture
def open_desk(desk_site: Site) -> Site:
    return open_all_day(desk_site)


@pytest.fixture
def todays_prescription(
    dk_client: Client, doctor: User, open_desk: Site, today: datetime.date
) -> Prescription:
    """Methadone from today: at the desk today, take-home on the six days after, handed out
    up to six days ahead."""
    others = tuple(sorted(set(range(7)) - {today.weekday()}))
    return services.prescription_create(
        client=dk_client,
        actor=doctor,
        medicine=medicine(),
        terms=services.PrescriptionTerms(
            site=open_desk,
            daily_dose=Decimal("60"),
            starts_on=today,
            ends_on=None,
            supervised_weekdays=(today.weekday(),),
            take_home_weekdays=others,
            pickup_interval_days=6,
        ),
        today=today,
    )
