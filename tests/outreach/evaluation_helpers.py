"""What the evaluation's tests build through the services: contacts at a local time some days
before the suite's day, inquiries, referrals with a status, a manager of the outreach model's
organisation, and the report's scope for a period."""

from __future__ import annotations

import datetime
from typing import Any

from bedring.accounts.models import Organisation, Site, User
from bedring.clients import services as client_services
from bedring.clients.models import Client
from bedring.core import clock
from bedring.outreach.evaluation_selectors import EvaluationScope
from bedring.outreach.models import OutreachContact
from bedring.outreach.selectors import outreach_spec
from bedring.outreach.services.contacts import contact_record
from bedring.pathway.models import Inquiry
from bedring.pathway.services.episode import inquiry_register
from bedring.referrals.models import Partner, Referral
from bedring.referrals.services import referral_create
from tests.conftest import TODAY


def local(organisation: Organisation, day: datetime.date, hour: int = 10, minute: int = 0):
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=clock.zone(organisation)
    )


def ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def record(
    organisation: Organisation,
    site: Site,
    actor: User,
    day: datetime.date,
    *,
    hour: int = 10,
    client: Client | None = None,
    code: str = "",
    activities: tuple[str, ...] = ("conversation",),
    minutes: int = 10,
    staff: tuple[str, ...] = (),
) -> OutreachContact:
    contact, _created = contact_record(
        organisation=organisation,
        actor=actor,
        site=site,
        at=local(organisation, day, hour),
        activities=list(activities),
        minutes=minutes,
        location_type="street",
        client=client,
        pseudonym_code=code,
        pseudonym_consent=bool(code),
        staff=staff,
    )
    return contact


def inquire(
    client: Client, site: Site, actor: User, day: datetime.date, hour: int = 12, minute: int = 0
) -> Inquiry:
    return inquiry_register(
        organisation=client.organisation,
        site=site,
        actor=actor,
        channel="phone",
        referrer="self",
        received_at=local(client.organisation, day, hour, minute),
        client=client,
    )


def refer(client: Client, actor: User, day: datetime.date, status: str) -> Referral:
    """A referral to the client's GP made on ``day`` (its creation moved there) with
    ``status``."""
    client_services.consent_add(
        client=client,
        party="gp",
        scope="Evaluation test",
        valid_from=day - datetime.timedelta(days=1),
        given_by="client",
    )
    partner = Partner.objects.get(organisation=client.organisation, key="egen-laege")
    referral = referral_create(
        client=client, actor=actor, partner=partner, reason="Test", send_on=day
    )
    changes: dict[str, Any] = {"created_at": local(client.organisation, day, 12)}
    if status != "sent":
        changes["status"] = status
    Referral.objects.filter(pk=referral.pk).update(**changes)
    return Referral.objects.get(pk=referral.pk)


def scope_of(
    organisation: Organisation,
    start: datetime.date,
    end: datetime.date,
    *,
    site: Site | None = None,
) -> EvaluationScope:
    spec = outreach_spec(organisation)
    assert spec is not None
    return EvaluationScope(
        organisation=organisation,
        spec=spec,
        site=site,
        start=start,
        end=end,
        today=clock.today(organisation),
    )
