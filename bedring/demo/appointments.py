"""Appointments for the demo installation (APT-1, APT-2), through the services, so that the
day and week views, the client pages and the no-show figure have something on them: the demo
counsellor's, psychologist's and nurse's appointments from last week to the end of next
week, the past ones attended (one a no-show), the future ones with their reminders where the
client agreed to them, and in Sandnes a psychologist request waiting on the worklist.
Deterministic for a given ``rng``; nothing when the organisation has appointments already,
so a second load adds nothing."""

from __future__ import annotations

import datetime
import random

from bedring.accounts.models import Organisation, User
from bedring.accounts.selectors import rules_for
from bedring.appointments import services
from bedring.appointments.models import Appointment, Room
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.errors import DomainError
from bedring.pathway.selectors import open_episode

# (role of the demo login, kind, hour, weekdays): who sees whom when.
PLAN = (
    ("counsellor", "conversation", 10, (0, 1, 2, 3, 4)),
    ("counsellor", "home_visit", 11, (1, 3)),
    ("psychologist", "psychologist", 11, (0, 2, 4)),
    ("nurse", "nurse", 10, (1, 3)),
)
MINUTES = 45


def demo_appointments(
    organisation: Organisation, rng: random.Random, *, today: datetime.date
) -> None:
    if Appointment.objects.filter(organisation=organisation).exists():
        return
    clients = list(organisation.clients.order_by("id")[:12])
    site = (
        organisation.sites.filter(is_active=True, kind="main").first()
        or organisation.sites.filter(is_active=True).order_by("id").first()
    )
    if not clients or site is None:
        return
    rng.shuffle(clients)
    staff = {
        u.username.rsplit(".", 1)[1]: u
        for u in User.objects.filter(username__startswith=f"{organisation.slug}.")
    }
    rooms = list(Room.objects.filter(site=site, is_active=True).order_by("slug"))
    zone = clock.zone(organisation)
    now = clock.now()
    monday = today - datetime.timedelta(days=today.weekday())
    # Last week, this week and next week (so a demo opened on a Friday still has some ahead).
    days = [monday - datetime.timedelta(days=7) + datetime.timedelta(days=i) for i in range(19)]
    booked: list[Appointment] = []
    turn = 0
    for day in days:
        for index, (role, kind, hour, weekdays) in enumerate(PLAN):
            user = staff.get(role)
            if user is None or day.weekday() not in weekdays:
                continue
            start = datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)
            client = clients[turn % len(clients)]
            turn += 1
            try:
                booked.append(
                    services.appointment_book(
                        client=client,
                        actor=user,
                        staff=user,
                        site=site,
                        room=rooms[index % len(rooms)] if rooms else None,
                        kind=kind,
                        starts_at=start,
                        minutes=MINUTES,
                        # The past ones as booked three days before; the others now (their
                        # reminders are queued for when they are due).
                        at=now if start > now else start - datetime.timedelta(days=3),
                    )
                )
            except DomainError:
                continue  # a closed day, the client already booked then
    no_show_given = False
    for appointment in booked:
        if appointment.starts_at >= now:
            continue
        outcome = "attended"
        if not no_show_given and appointment.kind == "conversation":
            outcome, no_show_given = "no_show", True
        services.appointment_record_outcome(
            appointment=appointment, actor=appointment.staff, outcome=outcome, at=now
        )
    _demo_request(organisation, staff, clients)


def _demo_request(
    organisation: Organisation, staff: dict[str, User], clients: list[Client]
) -> None:
    """APT-2 where the pack promises an offer (Sandnes): a client with an open episode waits
    for a psychologist appointment, on the worklist."""
    if not rules_for(organisation).appointment_offer or "counsellor" not in staff:
        return
    for client in clients:
        if open_episode(client) is not None:
            services.appointment_request_record(
                client=client,
                actor=staff["counsellor"],
                kind="psychologist",
                note="Demo: asked at the walk-in conversation.",
            )
            return
