"""Worlds for the outcome figures: episodes, discharges, deadlines and attendance written
directly with the ORM (the figures read rows; how the rows came to be is tested elsewhere)."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from typing import Any

import pytest
from django.utils.text import slugify

from bedring.accounts.models import Organisation, User
from bedring.catalogue.models import Attendance, Enrolment, Offer, Session
from bedring.clients.models import Client
from bedring.pathway.models import Deadline, Discharge, Episode

D = datetime.date
DISCHARGE_STATUSES = ["completed", "completed", "own_wish", "no_show", "hospital", "other_offer"]
RESULTS = ["drug_free", "reduced", "stabilised", "not_reached"]
INTENSITIES = ["outpatient", "outpatient", "outpatient", "day", "residential"]
DEADLINE_STATUSES = ["met", "met", "missed", "open", "waived", "cancelled"]


def episode(
    client: Client,
    *,
    opened_on: datetime.date,
    started_on: datetime.date | None = None,
    state: str = "discharged",
    free_choice_on: datetime.date | None = None,
    first_contact_at: datetime.datetime | None = None,
    site: Any = None,
) -> Episode:
    return Episode.objects.create(
        organisation=client.organisation,
        client=client,
        site=site or client.organisation.sites.order_by("pk").first(),
        state=state,
        opened_on=opened_on,
        started_on=started_on,
        free_choice_on=free_choice_on,
        first_contact_at=first_contact_at,
    )


def discharge(
    e: Episode,
    by: User,
    *,
    on: datetime.date,
    status: str = "completed",
    result: str = "drug_free",
    intensity: str = "outpatient",
) -> Discharge:
    return Discharge.objects.create(
        episode=e,
        organisation=e.organisation,
        site=e.site,
        client=e.client,
        discharged_on=on,
        status=status,
        overall_result=result,
        intensity=intensity,
        discharged_by=by,
    )


def deadline(
    e: Episode,
    kind: str,
    due_on: datetime.date,
    status: str,
    closed_on: datetime.date | None = None,
) -> Deadline:
    return Deadline.objects.create(
        episode=e,
        client=e.client,
        organisation=e.organisation,
        site=e.site,
        kind=kind,
        due_on=due_on,
        status=status,
        closed_on=closed_on,
    )


def offer(organisation: Organisation, name: str) -> Offer:
    """An offer named ``name``; its key is the name as a slug of at most 50 characters (the
    column's length, which PostgreSQL enforces and SQLite does not)."""
    return Offer.objects.create(
        organisation=organisation,
        key=slugify(name)[:50],
        name=name,
        intensity="outpatient",
        terms={},
    )


def attend(enrolment: Enrolment, on: datetime.date, status: str, by: User) -> Attendance:
    session = Session.objects.create(
        enrolment=enrolment, organisation=enrolment.organisation, on=on
    )
    return Attendance.objects.create(
        session=session, enrolment=enrolment, status=status, recorded_by=by
    )


def build_random_world(
    organisation: Organisation,
    make_client: Callable[..., Client],
    by: User,
    *,
    clients: int,
    seed: int = 1,
) -> None:
    """Clients with two or three episodes each over 2024-2026, with every status, result,
    intensity and deadline kind, first contacts around their due day, and attendance."""
    rng = random.Random(seed)
    sites = list(organisation.sites.order_by("pk"))
    offers = [offer(organisation, f"Offer {organisation.pk}-{seed}-{i}") for i in range(2)]
    zone = datetime.UTC
    for _ in range(clients):
        client = make_client(organisation)
        day = D(2024, 1, 1) + datetime.timedelta(days=rng.randrange(0, 300))
        for _n in range(rng.choice([1, 2, 3])):
            site = rng.choice(sites)
            started = day + datetime.timedelta(days=rng.randrange(0, 30))
            contact_day = day + datetime.timedelta(days=rng.randrange(0, 7))
            e = episode(
                client,
                opened_on=day,
                started_on=started,
                free_choice_on=day if rng.random() < 0.15 else None,
                first_contact_at=(
                    datetime.datetime.combine(
                        contact_day, datetime.time(rng.choice([0, 8, 22, 23])), tzinfo=zone
                    )
                    if rng.random() < 0.8
                    else None
                ),
                site=site,
            )
            for kind in ("first_contact", "treatment_start", "plan_evaluation"):
                due = day + datetime.timedelta(days=rng.randrange(1, 100))
                status = rng.choice(DEADLINE_STATUSES)
                # Met: closed on or before the due day; met late: mostly after it, now and
                # then on it (the guarantee counts a deadline closed by its due day as kept).
                shift = {"met": rng.randrange(-3, 1), "missed": rng.randrange(0, 6)}.get(status)
                closed = None if shift is None else due + datetime.timedelta(days=shift)
                deadline(e, kind, due, status, closed)
            left = started + datetime.timedelta(days=rng.randrange(20, 300))
            discharge(
                e,
                by,
                on=left,
                status=rng.choice(DISCHARGE_STATUSES),
                result=rng.choice(RESULTS),
                intensity=rng.choice(INTENSITIES),
            )
            deadline(
                e,
                "discharge_follow_up",
                left + datetime.timedelta(days=30),
                rng.choice(DEADLINE_STATUSES),
            )
            enrolment = Enrolment.objects.create(
                client=client,
                episode=e,
                offer=rng.choice(offers),
                organisation=organisation,
                starts_on=started,
                ended_on=left,
                enrolled_by=by,
            )
            for k in range(3):
                attend(
                    enrolment,
                    started + datetime.timedelta(days=7 * k),
                    rng.choice(["attended", "absent", "cancelled"]),
                    by,
                )
            # Next episode: the readmission gaps straddle 365 days.
            day = left + datetime.timedelta(days=rng.choice([0, 1, 30, 364, 365, 366, 400]))
        # Now and then an inquiry that ended before treatment: not a readmission.
        if rng.random() < 0.4:
            episode(client, opened_on=day, state="withdrawn", site=rng.choice(sites))


@pytest.fixture
def random_world(
    org_dk: Organisation, org_no: Organisation, make_client: Any, make_staff: Any
) -> dict[str, Any]:
    dk_user = make_staff(org_dk, "manager")
    no_user = make_staff(org_no, "manager")
    build_random_world(org_dk, make_client, dk_user, clients=25, seed=1)
    build_random_world(org_no, make_client, no_user, clients=25, seed=2)
    return {"dk": org_dk, "no": org_no, "dk_user": dk_user, "no_user": no_user}
