"""APT-1: an appointment outside the site's opening hours (bedring.core.hours, the site's
SiteHours and ClosedDays) is a warning: refused with ``outside_opening_hours`` until it is
confirmed, then booked and marked."""

from __future__ import annotations

import datetime

from bedring.accounts.models import ClosedDay
from bedring.accounts.services import site_set_hours
from bedring.appointments import services
from bedring.appointments.rules import within_opening_hours
from bedring.core.hours import parse_intervals

from .conftest import local, main_site, open_day
from .test_booking import refused

D = datetime.date
T = datetime.datetime


def test_within_opening_hours_is_the_whole_appointment():
    hours = {0: parse_intervals("09:00-12:00, 12:00-15:00, 16:00-18:00")}
    monday = D(2026, 11, 23)

    def within(start: str, end: str, closed: bool = False) -> bool:
        return within_opening_hours(
            hours,
            T.combine(monday, datetime.time.fromisoformat(start)),
            T.combine(monday, datetime.time.fromisoformat(end)),
            lambda day: closed,
        )

    assert within("09:00", "10:00")
    assert within("11:30", "13:00")  # touching intervals are one opening
    assert within("14:00", "15:00")  # ends at closing
    assert not within("14:30", "15:30")  # runs past closing
    assert not within("08:30", "09:30")  # starts before opening
    assert not within("15:00", "16:00")  # in the gap
    assert not within("09:00", "10:00", closed=True)
    # Tuesday: no hours at all.
    assert not within_opening_hours(
        hours, T(2026, 11, 24, 10), T(2026, 11, 24, 11), lambda day: False
    )


def test_outside_the_hours_is_refused_until_confirmed(booking, org_dk):
    site = main_site(org_dk)
    day = booking["starts_at"].date()
    evening = local(org_dk, day, 19)
    error = refused(
        "outside_opening_hours", services.appointment_book, **{**booking, "starts_at": evening}
    )
    assert error.status == 409
    assert error.field == "confirm_outside_hours"
    assert site.name in str(error.message)
    appointment = services.appointment_book(
        **{**booking, "starts_at": evening, "confirm_outside_hours": True}
    )
    assert appointment.outside_hours


def test_running_past_closing_and_a_closed_day_are_outside(booking, org_dk):
    site = main_site(org_dk)
    # Sønderborg closes at 13:00 on Fridays and at 15:00 or 17:00 on other weekdays.
    site_set_hours(
        site=site,
        kind="opening",
        week={d: parse_intervals("08:30-15:00") for d in range(5)},
    )
    day = open_day(site, hour=14, minutes=60)
    refused(
        "outside_opening_hours",
        services.appointment_book,
        **{**booking, "starts_at": local(org_dk, day, 14, 30)},
    )
    ClosedDay.objects.create(organisation=org_dk, site=site, date=day, reason="Staff day")
    refused(
        "outside_opening_hours",
        services.appointment_book,
        **{**booking, "starts_at": local(org_dk, day, 10)},
    )


def test_a_move_outside_the_hours_asks_again(booking, org_dk):
    appointment = services.appointment_book(**booking)
    late = local(org_dk, booking["starts_at"].date(), 20)
    refused(
        "outside_opening_hours",
        services.appointment_move,
        appointment=appointment,
        actor=booking["actor"],
        starts_at=late,
        minutes=60,
    )
    moved = services.appointment_move(
        appointment=appointment,
        actor=booking["actor"],
        starts_at=late,
        minutes=60,
        confirm_outside_hours=True,
    )
    assert moved.outside_hours
    back = services.appointment_move(
        appointment=moved, actor=booking["actor"], starts_at=booking["starts_at"], minutes=60
    )
    assert not back.outside_hours
