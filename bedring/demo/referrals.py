"""A few referrals and documents for the demo installation (REF-1, JRN-3), through the
services, so the Referrals and Documents tabs and the worklist have something on them:
information from the GP as a small PDF, a referral waiting for its reply (in Sandnes to TSB
at Helse Stavanger, received, with the patient's rights assessment due), one accepted with an
appointment, and a referral in recorded on an open episode. Synthetic only."""

from __future__ import annotations

import datetime
import functools

from django.core.files.base import ContentFile

from bedring.accounts.models import Organisation, User
from bedring.clients import services as client_services
from bedring.clients.models import Client
from bedring.core.pdf import render_pdf
from bedring.documents import services as document_services
from bedring.referrals import services
from bedring.referrals.models import Partner, Referral


@functools.cache
def demo_letter() -> bytes:
    return render_pdf(
        "<h1>Demo</h1><p>Synthetic information from the general practitioner, made for the "
        "demo installation. It describes no real person.</p>"
    )


def _partner(organisation: Organisation, *kinds: str) -> Partner | None:
    for kind in kinds:
        found = (
            Partner.objects.filter(organisation=organisation, kind=kind, is_active=True)
            .order_by("-rights_assessment", "key")
            .first()
        )
        if found is not None:
            return found
    return None


def _consent(client: Client, partner: Partner, since: datetime.date) -> None:
    client_services.consent_add(
        client=client,
        party=partner.consent_party,
        party_name=partner.name if partner.consent_party == "other" else "",
        scope="Demo: what the referral needs (health, substance use, the plan).",
        valid_from=since,
        given_by="client",
    )


def demo_referrals(organisation: Organisation, *, today: datetime.date) -> None:
    """Nothing when the organisation has referrals already, so a second load adds nothing."""
    if Referral.objects.filter(partner__organisation=organisation).exists():
        return
    clients = list(
        organisation.clients.filter(episodes__closed_on__isnull=True, episodes__isnull=False)
        .distinct()
        .order_by("id")[:2]
    )
    waiting_to = _partner(organisation, "specialist", "psychiatry", "gp")
    accepted_by = _partner(organisation, "gp")
    if not clients or waiting_to is None or accepted_by is None:
        return
    counsellor = User.objects.get(username=f"{organisation.slug}.counsellor")
    since = today - datetime.timedelta(days=60)
    first = clients[0]
    letter = document_services.document_upload(
        client=first,
        actor=counsellor,
        upload=ContentFile(demo_letter(), name="demo-gp-information.pdf"),
        kind="gp_information",
        dated_on=today - datetime.timedelta(days=12),
        source=accepted_by.name,
        title="Demo: information from the GP",
    )
    _consent(first, waiting_to, since)
    waiting = services.referral_create(
        client=first,
        actor=counsellor,
        partner=waiting_to,
        reason="Demo: the assessment points to a need for specialist treatment.",
        text="Demo: referral text written with the client.",
        documents=[letter],
        send_on=today - datetime.timedelta(days=6),
    )
    if waiting_to.rights_assessment:
        services.referral_update(
            referral=waiting,
            actor=counsellor,
            status="received",
            on=today - datetime.timedelta(days=4),
        )
    second = clients[-1]
    _consent(second, accepted_by, since)
    accepted = services.referral_create(
        client=second,
        actor=counsellor,
        partner=accepted_by,
        reason="Demo: blood tests and a medication review before treatment starts.",
        send_on=today - datetime.timedelta(days=20),
    )
    services.referral_update(
        referral=accepted,
        actor=counsellor,
        status="appointment",
        on=today - datetime.timedelta(days=8),
        appointment_on=today + datetime.timedelta(days=5),
        note="Demo: the GP sees the client at 10:00.",
    )
    services.referral_in_record(
        organisation=organisation,
        actor=counsellor,
        referrer="gp",
        referrer_name=accepted_by.name,
        received_at=datetime.datetime.combine(
            today - datetime.timedelta(days=12),
            datetime.time(9, 30),
            tzinfo=datetime.UTC,
        ),
        reason="Demo: the GP asks the centre to take over the follow-up.",
        client=first,
        letter=letter,
    )
