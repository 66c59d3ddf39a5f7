"""Builders shared by the course, enrolment and offer tests (no tests here): clients with a
chosen birth date, episodes with a granted decision, courses of the shipped catalogues. All
data is built through the services, as staff would build it."""

from __future__ import annotations

import datetime
import json
import random
from typing import Any
from zoneinfo import ZoneInfo

from auditlog.models import LogEntry
from django.test import Client as HttpClient

from bedring.accounts import services as account_services
from bedring.accounts.models import Organisation, User
from bedring.audit.models import AccessEvent
from bedring.catalogue.models import Course, Enrolment, Offer, Session
from bedring.catalogue.services.courses import course_create
from bedring.clients import services as client_services
from bedring.clients.models import Client
from bedring.core.roles import Role
from bedring.pathway.models import Episode, EpisodeEvent
from bedring.pathway.services.decision import decision_make
from bedring.pathway.services.episode import episode_begin_assessment, inquiry_register
from bedring.synthetic.people import GENERATORS
from tests.conftest import api_headers

_rng = random.Random(11)
_names = iter(range(100_000))


def person(organisation: Organisation, born: datetime.date | None = None, **extra: Any) -> Client:
    """A client with a national identifier for this birth date (so not anonymous); an adult
    born in the 1980s when no date is given."""
    number = next(_names)
    born = born or datetime.date(1980, 1, 1) + datetime.timedelta(days=number % 3650)
    data: dict[str, Any] = {
        "national_id": GENERATORS[organisation.jurisdiction](born, "female", _rng),
        "first_name": f"Karen{number}",
        "last_name": f"Holm{number}",
    }
    data.update(extra)
    return client_services.client_register(organisation=organisation, **data)


def anonymous(organisation: Organisation, born: datetime.date | None = None) -> Client:
    return client_services.client_register(
        organisation=organisation, anonymous=True, birth_date=born
    )


def staff(organisation: Organisation, *roles: str) -> User:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = account_services.staff_create(
        username=f"{organisation.slug}-w-{next(_names)}",
        password="a-long-test-password-1",
        first_name="Test",
        last_name=f"Staff{next(_names)}",
        organisation=organisation,
        roles=list(roles),
    )
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


def episode(client: Client) -> Episode:
    organisation = client.organisation
    inquiry = inquiry_register(
        organisation=organisation,
        site=organisation.sites.filter(kind="main").first() or organisation.sites.first(),
        actor=staff(organisation, Role.COUNSELLOR),
        channel="phone",
        referrer="self",
        received_at=datetime.datetime(2026, 11, 17, 10, 0, tzinfo=ZoneInfo(organisation.time_zone)),
        client=client,
    )
    assert inquiry.episode is not None
    return inquiry.episode


def granted(client: Client, *intensities: str) -> Episode:
    """An open episode with granted decisions in force: outpatient treatment by default,
    and day or residential treatment where asked (DEC-1, DEC-3)."""
    organisation = client.organisation
    found = Episode.objects.filter(client=client, closed_on__isnull=True).first()
    ep = found or episode(client)
    if ep.state == "inquiry":
        episode_begin_assessment(episode=ep, actor=staff(organisation, Role.COUNSELLOR))
    authority = staff(organisation, Role.AUTHORITY)
    for intensity in intensities or ("outpatient",):
        outpatient = intensity == "outpatient"
        decision_make(
            episode=ep,
            actor=authority,
            kind="treatment" if outpatient else "day_residential",
            outcome="granted",
            intensity=intensity,
            justification="Assessed need; the client is motivated.",
            recommendation="" if outpatient else "The centre recommends it.",
            decided_on=datetime.date(2026, 11, 18),
        )
    ep.refresh_from_db()
    return ep


def current(organisation: Organisation, key: str) -> Offer:
    return Offer.objects.get(organisation=organisation, key=key, is_current=True)


def course(
    organisation: Organisation,
    key: str,
    starts_on: datetime.date = datetime.date(2027, 1, 7),
    actor: User | None = None,
    **extra: Any,
) -> Course:
    return course_create(
        offer=current(organisation, key),
        site=organisation.sites.filter(kind="main").first(),
        actor=actor or staff(organisation, Role.COUNSELLOR),
        starts_on=starts_on,
        **extra,
    )


def post_json(user: User, url: str, body: Any) -> Any:
    return HttpClient().post(
        url, data=json.dumps(body), content_type="application/json", **api_headers(user)
    )


def get_json(user: User, url: str) -> Any:
    return HttpClient().get(url, **api_headers(user))


def writes() -> dict[str, int]:
    """Everything an enrolment, course or booking request may write (the access log of
    reads aside), to show that a refused request writes nothing."""
    return {
        "courses": Course.objects.count(),
        "sessions": Session.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "events": EpisodeEvent.objects.count(),
        "changes": LogEntry.objects.count(),
        "offers": Offer.objects.count(),
    }


def reads() -> int:
    return AccessEvent.objects.count()
