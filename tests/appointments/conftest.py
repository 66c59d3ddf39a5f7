"""Appointment fixtures: Sønderborg (no offer promise) and Sandnes (a psychologist within a
week, seed 004), clinical staff, clients, and moments relative to the suite's declared day
on days the site is open (the suite's day may be any weekday)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bedring.accounts.models import Organisation, Site, User
from bedring.accounts.selectors import site_calendar
from bedring.appointments import services
from bedring.appointments.models import Appointment, Room
from bedring.appointments.rules import within_opening_hours
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.roles import Role
from bedring.pathway.models import Episode
from bedring.pathway.services.episode import inquiry_register


def main_site(organisation: Organisation) -> Site:
    return organisation.sites.get(kind="main")


def local(
    organisation: Organisation, day: datetime.date, hour: int, minute: int = 0
) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=ZoneInfo(organisation.time_zone)
    )


def open_day(site: Site, *, after: int = 1, hour: int = 10, minutes: int = 60) -> datetime.date:
    """The first day at least ``after`` days after the organisation's today on which the site
    is open from ``hour`` for ``minutes``."""
    calendar = site_calendar(site)
    day = clock.today(site.organisation) + datetime.timedelta(days=after)
    for _ in range(30):
        start = datetime.datetime.combine(day, datetime.time(hour))
        if within_opening_hours(
            calendar.hours.get("opening", {}),
            start,
            start + datetime.timedelta(minutes=minutes),
            calendar.is_closed_day,
        ):
            return day
        day += datetime.timedelta(days=1)
    raise AssertionError(f"{site} is never open at {hour}:00")


@pytest.fixture
def sandnes(org_no: Organisation) -> Organisation:
    return org_no


@pytest.fixture
def psychologist(sandnes: Organisation, make_staff: Callable[..., User]) -> User:
    return make_staff(sandnes, Role.PSYCHOLOGIST)


@pytest.fixture
def no_counsellor(sandnes: Organisation, make_staff: Callable[..., User]) -> User:
    return make_staff(sandnes, Role.COUNSELLOR)


@pytest.fixture
def no_client(sandnes: Organisation, make_client: Callable[..., Client]) -> Client:
    return make_client(sandnes)


@pytest.fixture
def room(org_dk: Organisation) -> Room:
    return Room.objects.get(site=main_site(org_dk), slug="samtalerum-1")


@pytest.fixture
def episode_for(make_staff: Callable[..., User]) -> Callable[..., Episode]:
    """episode_for(client, days=3): an inquiry received ``days`` days ago at 10:00 local."""

    def make(client: Client, days: int = 3) -> Episode:
        organisation = client.organisation
        received = local(
            organisation, clock.today(organisation) - datetime.timedelta(days=days), 10
        )
        inquiry = inquiry_register(
            organisation=organisation,
            site=main_site(organisation),
            actor=make_staff(organisation, Role.COUNSELLOR),
            channel="phone",
            referrer="self",
            received_at=received,
            client=client,
        )
        assert inquiry.episode is not None
        return inquiry.episode

    return make


@pytest.fixture
def book(counsellor: User) -> Callable[..., Appointment]:
    """book(client, start, **overrides): a conversation of 60 minutes at the organisation's
    main site with the Sønderborg counsellor unless told otherwise."""

    def make(client: Client, starts_at: datetime.datetime, **overrides: Any) -> Appointment:
        kwargs: dict[str, Any] = {
            "client": client,
            "actor": overrides.get("staff", counsellor),
            "staff": counsellor,
            "site": main_site(client.organisation),
            "kind": "conversation",
            "starts_at": starts_at,
            "minutes": 60,
        }
        kwargs.update(overrides)
        return services.appointment_book(**kwargs)

    return make


@pytest.fixture
def booking(dk_client: Client, counsellor: User, org_dk: Organisation) -> dict[str, Any]:
    """The keywords of a valid booking tomorrow-or-so at 10:00 in Sønderborg."""
    return {
        "client": dk_client,
        "actor": counsellor,
        "staff": counsellor,
        "site": main_site(org_dk),
        "kind": "conversation",
        "starts_at": local(org_dk, open_day(main_site(org_dk)), 10),
        "minutes": 60,
    }
