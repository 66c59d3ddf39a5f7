"""Staff calendars (SCH-4): the sessions a staff member runs, as a week page and as an
iCalendar feed at a secret address that calendar programs can subscribe to.

A staff member runs a session when they are on the session's staff or on its course's
staff. The week page and the feed show the course title (or the offer's name), the time,
the site and the room. Client names never appear. On the week page an individual session
shows the client's code, and only to staff who may read client records there; the feed
never shows it, because calendar programs copy the feed to servers outside the record
system.

The feed's address carries a secret that works like a password: only its SHA-256 hash is
stored (the way API tokens are, ``accounts.models.hash_token``), it is shown once when it
is made, and making a new one stops the old address working. The feed covers the sessions
from ``FEED_DAYS_BACK`` days ago to ``FEED_DAYS_AHEAD`` days ahead, in the organisations the
staff member is still an active member of. Times are in the organisation's time zone (with
its VTIMEZONE); a session without a time is an all-day event; a session without a length
takes the offer's session length, else ``DEFAULT_MINUTES``.

Other packages add their events to the feed through :mod:`bedring.core.feeds` (individual
appointments, APT-1): :func:`feed_extra_events` asks them for the same window, and
:func:`calendar_ical` writes them next to the sessions, under the same rules (no client name
or code, a stable UID, the organisation's time zone).
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from icalendar import Calendar, Event

from bedring.accounts.models import Membership, User, hash_token
from bedring.core.errors import ValidationFailed
from bedring.core.feeds import FeedEvent, contributed_events

from .models import CalendarFeed, Course, Session, SessionStatus
from .terms import OfferTerms

FEED_DAYS_BACK = 30
FEED_DAYS_AHEAD = 183
FEED_MAX_EVENTS = 2000
WEEK_MAX_EVENTS = 500
DEFAULT_MINUTES = 60
_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")  # [0-9]: \d takes any script's digits
_SECRET_MAX_LENGTH = 100


# --- the secret ----------------------------------------------------------------------------


@transaction.atomic
def calendar_secret_rotate(*, user: User) -> str:
    """SCH-4: a new secret for the staff member's calendar feed; returns the raw secret,
    which is shown once and never stored. The previous address stops working."""
    raw = secrets.token_urlsafe(32)
    CalendarFeed.objects.filter(user=user).delete()
    CalendarFeed.objects.create(user=user, key_hash=hash_token(raw))
    return raw


@transaction.atomic
def calendar_feed_stop(*, user: User) -> bool:
    """SCH-4: turn the feed off; the address stops working. True if there was one."""
    deleted, _detail = CalendarFeed.objects.filter(user=user).delete()
    return deleted > 0


def feed_user(secret: str) -> User | None:
    """The active staff member whose feed ``secret`` opens, or None."""
    if not secret or len(secret) > _SECRET_MAX_LENGTH:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(key_hash=hash_token(secret)).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


def feed_organisation_ids(user: User) -> list[int]:
    return list(
        Membership.objects.filter(user=user, is_active=True).values_list(
            "organisation_id", flat=True
        )
    )


# --- weeks ---------------------------------------------------------------------------------


def week_start(value: str | None, *, today: datetime.date) -> datetime.date:
    """The Monday of an ISO week written ``YYYY-Www`` (``2026-W48``); the current week
    without a value. Anything else is ``bad_week``."""
    if not value:
        return today - datetime.timedelta(days=today.weekday())
    match = _WEEK.fullmatch(value)
    if match is not None:
        try:
            return datetime.date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            pass
    raise ValidationFailed(
        "bad_week", _("Give the week as YYYY-Www, for example 2026-W48."), field="week"
    )


def week_label(monday: datetime.date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


# --- the sessions --------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEntry:
    session: Session
    on: datetime.date
    starts_at: datetime.datetime | None  # aware, in the organisation's time zone
    ends_at: datetime.datetime | None
    title: str  # the course title or the offer's name: never a person
    site_name: str
    room: str
    individual: bool
    client_code: str  # "" unless shown (see the module docstring)
    cancelled: bool

    @property
    def location(self) -> str:
        return ", ".join(part for part in (self.site_name, self.room) if part)


def _staffed_by(user: User) -> Q:
    session_ids = Session.staff.through.objects.filter(user_id=user.pk).values("session_id")
    course_ids = Course.staff.through.objects.filter(user_id=user.pk).values("course_id")
    return Q(pk__in=session_ids) | Q(course_id__in=course_ids)


def staff_calendar(
    *,
    user: User,
    organisation_ids: Iterable[int],
    start: datetime.date,
    end: datetime.date,
    client_codes_in: Collection[int] = (),
    limit: int = WEEK_MAX_EVENTS,
) -> list[CalendarEntry]:
    """SCH-4: the sessions ``user`` runs from ``start`` up to (not including) ``end`` in
    ``organisation_ids``, in time order; individual sessions carry the client's code only in
    the organisations of ``client_codes_in``. One query."""
    sessions = (
        Session.objects.filter(
            organisation_id__in=list(organisation_ids), on__gte=start, on__lt=end
        )
        .filter(_staffed_by(user))
        .select_related(
            "organisation",
            "course__offer",
            "course__site",
            "enrolment__offer",
            "enrolment__client",
            "enrolment__episode__site",
        )
        .order_by("on", "start_time", "id")[:limit]
    )
    terms: dict[int, OfferTerms] = {}
    entries = []
    for session in sessions:
        course, enrolment = session.course, session.enrolment
        offer = course.offer if course is not None else enrolment.offer  # type: ignore[union-attr]
        if offer.pk not in terms:
            terms[offer.pk] = offer.parsed
        zone = ZoneInfo(session.organisation.time_zone)
        start_time = session.start_time or (course.start_time if course is not None else None)
        starts_at = ends_at = None
        if start_time is not None:
            starts_at = datetime.datetime.combine(session.on, start_time, tzinfo=zone)
            minutes = session.minutes or terms[offer.pk].session_minutes or DEFAULT_MINUTES
            ends_at = starts_at + datetime.timedelta(minutes=minutes)
        if course is not None:
            site_name, room = course.site.name, course.room
            title = course.title or offer.name
        elif enrolment is not None:
            site = enrolment.episode.site if enrolment.episode is not None else None
            site_name, room, title = (site.name if site else ""), "", offer.name
        else:  # pragma: no cover - the session_of_course_or_enrolment constraint
            continue
        show_code = enrolment is not None and session.organisation_id in client_codes_in
        entries.append(
            CalendarEntry(
                session=session,
                on=session.on,
                starts_at=starts_at,
                ends_at=ends_at,
                title=title,
                site_name=site_name,
                room=room,
                individual=course is None,
                client_code=enrolment.client.code if show_code and enrolment else "",
                cancelled=session.status == SessionStatus.CANCELLED
                or (course is not None and course.cancelled_at is not None),
            )
        )
    return entries


def feed_entries(user: User, *, today: datetime.date) -> list[CalendarEntry]:
    """The feed's sessions: from ``FEED_DAYS_BACK`` days ago to ``FEED_DAYS_AHEAD`` ahead,
    without client codes."""
    return staff_calendar(
        user=user,
        organisation_ids=feed_organisation_ids(user),
        start=today - datetime.timedelta(days=FEED_DAYS_BACK),
        end=today + datetime.timedelta(days=FEED_DAYS_AHEAD),
        limit=FEED_MAX_EVENTS,
    )


def feed_extra_events(user: User, *, today: datetime.date) -> list[FeedEvent]:
    """The events other packages contribute to the feed (:mod:`bedring.core.feeds`), in the
    feed's window and organisations."""
    return contributed_events(
        user_id=user.pk,
        organisation_ids=feed_organisation_ids(user),
        start=today - datetime.timedelta(days=FEED_DAYS_BACK),
        end=today + datetime.timedelta(days=FEED_DAYS_AHEAD),
        limit=FEED_MAX_EVENTS,
    )


def _extra_event(item: FeedEvent, absolute: Callable[[str], str] | None) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", item.stamp.astimezone(datetime.UTC))
    if item.starts_at is not None and item.ends_at is not None:
        event.add("dtstart", item.starts_at)
        event.add("dtend", item.ends_at)
    else:
        event.add("dtstart", item.on)
        event.add("dtend", item.on + datetime.timedelta(days=1))
    event.add("summary", item.summary)
    if item.location:
        event.add("location", item.location)
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    if item.path and absolute is not None:
        event.add("url", absolute(item.path))
    return event


def calendar_ical(
    entries: Iterable[CalendarEntry],
    *,
    name: str,
    link: Callable[[CalendarEntry], str | None] | None = None,
    extra: Iterable[FeedEvent] = (),
    absolute: Callable[[str], str] | None = None,
) -> bytes:
    """SCH-4: the entries as an iCalendar (RFC 5545) document, one VEVENT per session with
    a stable UID (the session's public id), so that a program updates moved sessions; and
    one per ``extra`` event that other packages contribute (``absolute`` makes their links
    absolute)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Bedring//Staff calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for entry in entries:
        event = Event()
        event.add("uid", f"{entry.session.uuid}@bedring")
        event.add("dtstamp", entry.session.updated_at.astimezone(datetime.UTC))
        if entry.starts_at is not None and entry.ends_at is not None:
            event.add("dtstart", entry.starts_at)
            event.add("dtend", entry.ends_at)
        else:
            event.add("dtstart", entry.on)
            event.add("dtend", entry.on + datetime.timedelta(days=1))
        # Never a client's name or code: the feed leaves the record system.
        event.add("summary", entry.title)
        if entry.location:
            event.add("location", entry.location)
        event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
        url = link(entry) if link is not None else None
        if url:
            event.add("url", url)
        calendar.add_component(event)
    for item in extra:
        calendar.add_component(_extra_event(item, absolute))
    calendar.add_missing_timezones()
    return calendar.to_ical()
