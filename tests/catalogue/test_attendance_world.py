"""Builders for the attendance, gift-card, tally and calendar tests (no tests of its own).

Courses, sessions and enrolments are made with the ORM here, in one place, while the course
and enrolment services (``courses.course_create`` / ``enrolments.enrol``) settle; switching to
them later changes only this module.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from bedring.accounts.models import Organisation, User
from bedring.catalogue.models import Course, Enrolment, Offer, Session
from bedring.clients.models import Client
from bedring.core import clock
from bedring.pathway.models import Episode
from bedring.pathway.services.episode import inquiry_register
from tests.conftest import shipped_organisation

FIRST_SESSION = datetime.date(2026, 9, 1)  # a Tuesday, well before the fixed today
WEEK = datetime.timedelta(weeks=1)


def weekly(first: datetime.date, count: int) -> list[datetime.date]:
    return [first + i * WEEK for i in range(count)]


def offer(organisation: Organisation, key: str) -> Offer:
    return Offer.objects.get(organisation=organisation, key=key, is_current=True)


def course_with_sessions(
    organisation: Organisation,
    *,
    offer_key: str = "motivation-group",
    dates: Sequence[datetime.date] = (),
    start_time: datetime.time | None = datetime.time(15, 0),
    staff: Iterable[User] = (),
    title: str = "",
    room: str = "Room 2",
) -> tuple[Course, list[Session]]:
    the_offer = offer(organisation, offer_key)
    minutes = the_offer.parsed.session_minutes
    course = Course.objects.create(
        offer=the_offer,
        organisation=organisation,
        site=organisation.sites.filter(kind="main")[0],
        title=title,
        starts_on=dates[0] if dates else FIRST_SESSION,
        start_time=start_time,
        room=room,
        capacity=the_offer.parsed.capacity or 12,
    )
    course.staff.set(list(staff))
    sessions = [
        Session.objects.create(
            course=course,
            organisation=organisation,
            index=i,
            on=day,
            start_time=start_time,
            minutes=minutes,
        )
        for i, day in enumerate(dates, start=1)
    ]
    return course, sessions


def enrol(
    client: Client,
    *,
    actor: User,
    course: Course | None = None,
    offer_key: str | None = None,
    starts_on: datetime.date = FIRST_SESSION,
    episode: Episode | None = None,
) -> Enrolment:
    the_offer = course.offer if course is not None else offer(client.organisation, offer_key or "")
    return Enrolment.objects.create(
        client=client,
        episode=episode,
        offer=the_offer,
        course=course,
        organisation=client.organisation,
        starts_on=starts_on,
        enrolled_by=actor,
    )


def individual_sessions(
    enrolment: Enrolment,
    dates: Sequence[datetime.date],
    *,
    start_time: datetime.time | None = datetime.time(10, 0),
    staff: Iterable[User] = (),
) -> list[Session]:
    sessions = []
    for i, day in enumerate(dates, start=1):
        session = Session.objects.create(
            enrolment=enrolment,
            organisation=enrolment.organisation,
            index=i,
            on=day,
            start_time=start_time,
            minutes=enrolment.offer.parsed.session_minutes,
        )
        session.staff.set(list(staff))
        sessions.append(session)
    return sessions


def open_episode(client: Client, actor: User) -> Episode:
    organisation = client.organisation
    inquiry = inquiry_register(
        organisation=organisation,
        site=organisation.sites.order_by("kind", "id")[0],
        actor=actor,
        channel="phone",
        referrer="self",
        received_at=datetime.datetime(2026, 8, 3, 10, 0, tzinfo=datetime.UTC),
        client=client,
    )
    assert inquiry.episode is not None
    return inquiry.episode


def assens(db: Any) -> Organisation:
    """Assens, whose catalogue has MOVE with a gift card at every second conversation."""
    return shipped_organisation("assens")


def days_ahead(organisation: Organisation, days: int) -> datetime.date:
    return clock.today(organisation) + datetime.timedelta(days=days)
