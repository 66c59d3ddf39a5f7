"""A Sønderborg dispensing desk (Kongevej, medication Mon-Fri 08:30-11:00), a doctor, two
nurses, and prescriptions made through the services. Times are passed explicitly, so the
rules about hours and days are tested on known days: MONDAY is the first Monday on or after
the suite's TODAY whose fortnight around it has no Danish public holiday and is not in the
Christmas weeks (23 November 2026 at the default TODAY), and the clock is moved to 10:00 on
it (within the desk's hours), so "today" at the desk is MONDAY."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bedring.accounts.models import Organisation, Site, User
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.calendar import is_public_holiday
from bedring.core.roles import Role
from bedring.medication.models import Medicine, Prescription
from bedring.medication.services import prescribing as services
from tests.conftest import TODAY

CPH = ZoneInfo("Europe/Copenhagen")


def _quiet_week(monday: datetime.date) -> bool:
    """No public holiday and no Christmas week from ten days before to two weeks after:
    the scenarios dispense on these days and count missed doses back over them."""
    around = (monday + datetime.timedelta(days=n) for n in range(-10, 14))
    return not any(
        is_public_holiday(day, "DK")
        or (day.month, day.day) >= (12, 20)
        or (day.month, day.day) <= (1, 6)
        for day in around
    )


def _first_quiet_monday(start: datetime.date) -> datetime.date:
    monday = start + datetime.timedelta(days=-start.weekday() % 7)
    while not _quiet_week(monday):
        monday += datetime.timedelta(days=7)
    return monday


MONDAY = _first_quiet_monday(TODAY)


def christmas_on(weekday: int) -> datetime.date:
    """The first Christmas Day (a Danish public holiday) from MONDAY on that falls on this
    weekday (4: a Friday, as in 2026)."""
    year = MONDAY.year
    while datetime.date(year, 12, 25).weekday() != weekday:
        year += 1
    return datetime.date(year, 12, 25)


def at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    """A moment in Sønderborg's local time."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=CPH)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def on_monday(frozen_clock: time_machine.Traveller) -> None:
    """The desk's today is MONDAY, at 10:00, within medication hours."""
    frozen_clock.move_to(at(MONDAY, 10))


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
    """The organisation's today on the (frozen) clock: for pages and the API, which read it."""

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
