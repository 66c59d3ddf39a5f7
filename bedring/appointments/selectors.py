"""Appointment reads (APT-1, APT-2) in a fixed number of queries whatever the history: a
staff member's days, a client's upcoming and full lists, the requests, the no-show flag, the
no-show figure's rows and the calendar feed's events.

Other packages read appointments only through these: the counsellor's home page
(``appointments_for_staff``, ``upcoming_for_client``), the client overview, the outcome
figures (``no_show_counts``) and the catalogue's calendar feed (``feed_events``, registered
in :mod:`bedring.core.feeds`).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Membership, Organisation, Site, User
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.feeds import FeedEvent

from .models import (
    Appointment,
    AppointmentKind,
    AppointmentRequest,
    AppointmentStatus,
    RequestStatus,
    Room,
)
from .rules import is_clinical

# The client overview's panel and the tab's upcoming list show at most this many.
UPCOMING = 5
UPCOMING_TAB = 20
PAGE_SIZE = 50
# A day or week view never lists more than this (a staff member has a few a day).
VIEW_MAX = 500
# The no-show figure's row for individual appointments (outcomes: "no-show rate per offer").
NO_SHOW_ROW = _("Individual appointments")

_RELATED = ("client", "site", "room", "staff", "organisation", "request")


def appointments_for_staff(
    user: User,
    day_from: datetime.date,
    day_to: datetime.date,
    *,
    organisation_ids: Collection[int] | None = None,
    include_cancelled: bool = False,
    limit: int = VIEW_MAX,
) -> list[Appointment]:
    """The appointments ``user`` holds from ``day_from`` to ``day_to`` (both included, local
    days), in time order, with client, site, room and organisation: one query. Only in
    ``organisation_ids`` when given (a colleague looking sees their own organisation's);
    cancelled ones only with ``include_cancelled``."""
    qs = Appointment.objects.filter(staff=user, on__gte=day_from, on__lte=day_to)
    if organisation_ids is not None:
        qs = qs.filter(organisation_id__in=list(organisation_ids))
    if not include_cancelled:
        qs = qs.exclude(status=AppointmentStatus.CANCELLED)
    return list(qs.select_related(*_RELATED).order_by("starts_at", "id")[:limit])


def upcoming_for_client(
    client: Client, at: datetime.datetime, limit: int = UPCOMING
) -> list[Appointment]:
    """The client's booked appointments that have not ended at ``at``, soonest first, with
    staff member, site and room: one query."""
    return list(
        Appointment.objects.filter(client=client, status=AppointmentStatus.BOOKED, ends_at__gt=at)
        .select_related(*_RELATED)
        .order_by("starts_at", "id")[:limit]
    )


def client_appointments(client: Client) -> QuerySet[Appointment]:
    """All the client's appointments, latest first (page it)."""
    return (
        Appointment.objects.filter(client=client)
        .select_related(*_RELATED)
        .order_by("-starts_at", "-id")
    )


def open_requests(client: Client) -> list[AppointmentRequest]:
    """The client's requests still waiting for an appointment, oldest first."""
    return list(
        AppointmentRequest.objects.filter(client=client, status=RequestStatus.OPEN)
        .select_related("requested_by")
        .order_by("requested_at", "id")[:UPCOMING_TAB]
    )


def repeated_no_shows(client: Client, threshold: int | None) -> bool:
    """The client's latest ``threshold`` appointments with an outcome were all no-shows
    (cancellations neither count nor break the run): one query of at most ``threshold``
    rows. ``threshold`` None (``bedring.clients.no_show``): never flagged, no query."""
    if threshold is None:
        return False
    latest = list(
        Appointment.objects.filter(
            client=client,
            status__in=[AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW],
        )
        .order_by("-starts_at", "-id")
        .values_list("status", flat=True)[:threshold]
    )
    return len(latest) == threshold and all(s == AppointmentStatus.NO_SHOW for s in latest)


@dataclass(frozen=True)
class ClientAppointments:
    """The client's appointments panel (the overview) and tab."""

    upcoming: list[Appointment]
    no_show_flag: bool
    threshold: int | None


def client_summary(
    client: Client, *, at: datetime.datetime, threshold: int | None, limit: int = UPCOMING
) -> ClientAppointments:
    """Two queries: the upcoming appointments and the no-show run."""
    return ClientAppointments(
        upcoming=upcoming_for_client(client, at, limit),
        no_show_flag=repeated_no_shows(client, threshold),
        threshold=threshold,
    )


def bookable_staff(organisation: Organisation) -> list[User]:
    """The active staff of the organisation with a clinical role, by name: one query."""
    memberships = (
        Membership.objects.filter(organisation=organisation, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    return [m.user for m in memberships if is_clinical(m.roles)]


def colleague(organisation: Organisation, username: str) -> User | None:
    """An active member of the organisation by username (for looking at their days)."""
    membership = (
        Membership.objects.filter(
            organisation=organisation,
            is_active=True,
            user__is_active=True,
            user__username=username,
        )
        .select_related("user")
        .first()
    )
    return membership.user if membership is not None else None


def organisation_rooms(organisation: Organisation) -> list[Room]:
    return list(
        Room.objects.filter(site__organisation=organisation, site__is_active=True, is_active=True)
        .select_related("site")
        .order_by("site__name", "name")
    )


def organisation_sites(organisation: Organisation) -> list[Site]:
    return list(organisation.sites.filter(is_active=True).order_by("kind", "name"))


# --- the outcome figures -------------------------------------------------------------------


def no_show_counts(
    *,
    organisation_ids: Sequence[int],
    site_id: int | None,
    start: datetime.date,
    end: datetime.date,
    with_episodes: bool = False,
) -> list[tuple[int | None, str, int]]:
    """SCH-2 for appointments: ``(episode_id, status, count)`` of the appointments with an
    outcome (attended or no-show) on the days ``start..end``; the episode only when
    ``with_episodes`` (None otherwise). Counted in the database: one query."""
    qs = Appointment.objects.filter(
        organisation_id__in=list(organisation_ids),
        on__gte=start,
        on__lte=end,
        status__in=[AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW],
    )
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    if with_episodes:
        return [
            (episode_id, status, n)
            for episode_id, status, n in qs.values_list("episode_id", "status")
            .annotate(n=Count("id"))
            .order_by()
        ]
    return [
        (None, status, n)
        for status, n in qs.values_list("status").annotate(n=Count("id")).order_by()
    ]


# --- the calendar feed ---------------------------------------------------------------------


def feed_events(
    user_id: int,
    organisation_ids: Sequence[int],
    start: datetime.date,
    end: datetime.date,
    limit: int,
) -> list[FeedEvent]:
    """The staff member's appointments as calendar feed events (bedring.core.feeds): the kind
    and the place, never the client. One query."""
    rows = (
        Appointment.objects.filter(
            staff_id=user_id,
            organisation_id__in=list(organisation_ids),
            on__gte=start,
            on__lt=end,
        )
        .select_related("site", "room", "organisation")
        .order_by("starts_at", "id")[:limit]
    )
    return [
        FeedEvent(
            uid=f"appointment-{a.uuid}@bedring",
            stamp=a.updated_at,
            on=a.on,
            starts_at=a.starts_at.astimezone(clock.zone(a.organisation)),
            ends_at=a.ends_at.astimezone(clock.zone(a.organisation)),
            summary=str(_("Appointment: %(kind)s") % {"kind": AppointmentKind(a.kind).label}),
            location=", ".join(p for p in (a.site.name, a.room.name if a.room else "") if p),
            cancelled=a.status == AppointmentStatus.CANCELLED,
            path=reverse("appointments:detail", kwargs={"appointment_uuid": a.uuid}),
        )
        for a in rows
    ]
