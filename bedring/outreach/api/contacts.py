"""Street contacts in /api/v1/outreach/contacts (HRM-8): the same service and error codes as
the pages. The phone's offline queue sends its contacts here, each with the ``offline_id``
it gave the contact when it was recorded: sending one twice answers 200 with the stored
contact instead of 201, and writes nothing. The phone's page sends them with the worker's
session (verified second factor and the CSRF token, ``token_or_session``), not a token.
"""

from __future__ import annotations

import datetime
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from bedring.accounts.access import Staff, organisation_for_write
from bedring.accounts.api_auth import token_or_session
from bedring.accounts.models import Site
from bedring.clients.access import client_for
from bedring.core.errors import ValidationFailed
from bedring.core.roles import Perm

from ..models import OutreachContact
from ..services import contacts as services

router = Router(tags=["outreach"])


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


class ContactIn(Schema):
    organisation: UUID | None = Field(None, description="Default: the only organisation.")
    site: str = Field(..., max_length=50, description="The slug of the team's site.")
    at: datetime.datetime
    location_type: str = Field("", max_length=16)
    place: str = Field("", max_length=50, description="A place key of the organisation.")
    client: UUID | None = Field(None, description="A known client's id.")
    pseudonym: str = Field("", max_length=32, description="A code the person agreed to.")
    pseudonym_consent: bool = False
    activities: list[str] = Field(..., max_length=20)
    items_out: dict[str, int] = Field(default_factory=dict)
    items_back: dict[str, int] = Field(default_factory=dict)
    minutes: int
    staff: list[str] = Field(default_factory=list, max_length=10)
    note: str = Field("", max_length=2000)
    offline_id: UUID | None = None
    screenings: dict[str, str] = Field(
        default_factory=dict,
        max_length=10,
        description=(
            "The person's answer to each screening offered (HLT-1): "
            '{"hiv": "declined", "hepatitis_c": "sampled"}. Written to Health for a known client.'
        ),
    )


class ContactOut(Schema):
    id: UUID
    offline_id: UUID | None
    at: datetime.datetime
    site: str
    location_type: str
    place: str | None
    client: UUID | None
    pseudonym: str | None
    activities: list[str]
    items_out: dict[str, int]
    items_back: dict[str, int]
    minutes: int
    conflict: str


def contact_out(contact: OutreachContact) -> ContactOut:
    return ContactOut(
        id=contact.uuid,
        offline_id=contact.offline_id,
        at=contact.at,
        site=contact.site.slug,
        location_type=contact.location_type,
        place=contact.place.key if contact.place else None,
        client=contact.client.uuid if contact.client else None,
        pseudonym=contact.pseudonym.code if contact.pseudonym else None,
        activities=list(contact.activities),
        items_out=dict(contact.items_out),
        items_back=dict(contact.items_back),
        minutes=contact.minutes,
        conflict=contact.conflict,
    )


@router.post(
    "/outreach/contacts",
    response={201: ContactOut, 200: ContactOut},
    summary="Record a street contact (idempotent by offline_id)",
    auth=token_or_session(),
)
def contact_create(request: HttpRequest, payload: ContactIn) -> Status[ContactOut]:
    staff = _staff(request)
    organisation = organisation_for_write(staff, payload.organisation, Perm.HARM_REDUCTION)
    site = Site.objects.filter(organisation=organisation, slug=payload.site).first()
    if site is None:
        raise ValidationFailed("unknown_site", _("Choose one of your sites."), field="site")
    client = None
    if payload.client is not None:
        client = client_for(
            request,
            staff,
            payload.client,
            view="outreach_contact",
            perm=Perm.CLIENT_WRITE,
            channel="api",
        )
    contact, created = services.contact_record(
        organisation=organisation,
        actor=staff.user,
        site=site,
        at=payload.at,
        location_type=payload.location_type,
        place_key=payload.place,
        client=client,
        pseudonym_code=payload.pseudonym,
        pseudonym_consent=payload.pseudonym_consent,
        activities=payload.activities,
        items_out=payload.items_out,
        items_back=payload.items_back,
        minutes=payload.minutes,
        staff=payload.staff,
        note=payload.note,
        offline_id=payload.offline_id,
        screenings=payload.screenings,
    )
    return Status(201 if created else 200, contact_out(contact))
