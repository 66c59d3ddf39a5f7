"""Street contacts in /api/v1/outreach/contacts (HRM-8): the same service and error codes as
the pages. The phone's offline queue sends its contacts here, each with the ``offline_id``
it gave the contact when it was recorded: sending one twice answers 200 with the stored
contact instead of 201, and writes nothing. The phone's page sends them with the worker's
session (verified second factor and the CSRF token, ``token_or_session``), not a token.

``at`` may come without a UTC offset, as a phone's ``datetime-local`` field gives it: it is
then the organisation's wall clock. A contact with a known client is part of the client's
record: its ``client`` and ``note`` are given only to staff who read records there (drop-in
and peer workers get them empty), and reading it is written to the client's access log.
"""

from __future__ import annotations

import datetime
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from bedring.accounts.access import Staff, organisation_for_write
from bedring.accounts.api_auth import token_or_session
from bedring.accounts.models import Organisation, Site
from bedring.audit.services import access_search_results
from bedring.clients.access import client_for
from bedring.core import clock
from bedring.core.errors import ValidationFailed
from bedring.core.paging import api_page
from bedring.core.roles import Perm

from .. import selectors
from ..access import contact_for, may_see_client
from ..models import OutreachContact
from ..services import contacts as services

router = Router(tags=["outreach"])


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


def wall_clock(moment: datetime.datetime, organisation: Organisation | None) -> datetime.datetime:
    """A moment without a UTC offset is the organisation's wall clock."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=clock.zone(organisation))
    return moment


class ContactIn(Schema):
    organisation: UUID | None = Field(None, description="Default: the only organisation.")
    site: str = Field(..., max_length=50, description="The slug of the team's site.")
    at: datetime.datetime = Field(
        ..., description="Without a UTC offset: the organisation's wall clock."
    )
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
    client: UUID | None = Field(
        ..., description="Empty for staff who do not read records, as is the note."
    )
    pseudonym: str | None
    activities: list[str]
    items_out: dict[str, int]
    items_back: dict[str, int]
    minutes: int
    staff: list[str] = Field(default_factory=list, description="Usernames of the staff present.")
    recorded_by: str = ""
    note: str = ""
    conflict: str


class ContactPage(Schema):
    count: int
    results: list[ContactOut]


def contact_out(contact: OutreachContact, *, shows_client: bool = True) -> ContactOut:
    hidden = contact.client_id is not None and not shows_client
    return ContactOut(
        id=contact.uuid,
        offline_id=contact.offline_id,
        at=contact.at,
        site=contact.site.slug,
        location_type=contact.location_type,
        place=contact.place.key if contact.place else None,
        client=contact.client.uuid if contact.client and not hidden else None,
        pseudonym=contact.pseudonym.code if contact.pseudonym else None,
        activities=list(contact.activities),
        items_out=dict(contact.items_out),
        items_back=dict(contact.items_back),
        minutes=contact.minutes,
        staff=sorted(u.username for u in contact.staff.all()),
        recorded_by=contact.recorded_by.username,
        note="" if hidden else contact.note,
        conflict=contact.conflict,
    )


def _page_out(
    request: HttpRequest, staff: Staff, count: int, rows: list[OutreachContact]
) -> ContactPage:
    shown = [(c, may_see_client(staff, c)) for c in rows]
    clients = {c.client_id: c.client for c, shows in shown if shows and c.client is not None}
    access_search_results(
        actor=staff.user,
        clients=[c for c in clients.values() if c is not None],
        view="api_outreach_contacts",
        channel="api",
        request=request,
    )
    return ContactPage(
        count=count, results=[contact_out(c, shows_client=shows) for c, shows in shown]
    )


@router.get(
    "/outreach/contacts",
    response=ContactPage,
    url_name="outreach_contacts",
    summary="Street contacts, latest first",
)
def contact_list(
    request: HttpRequest,
    organisation: UUID | None = None,
    site: str = "",
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    offset: int = 0,
    limit: int = 50,
) -> ContactPage:
    """HRM-8: the contacts of the organisations where I do outreach work (or of the one
    named), a page at a time; ``site`` a site's slug, ``since`` from, ``until`` up to (not
    including) a moment."""
    staff = _staff(request)
    allowed = [m.organisation for m in staff.memberships.values() if m.has(Perm.HARM_REDUCTION)]
    if organisation is not None:
        if not any(m.organisation.uuid == organisation for m in staff.memberships.values()):
            raise Http404  # another organisation: its existence is not revealed
        allowed = [o for o in allowed if o.uuid == organisation]
    if not allowed:
        raise PermissionDenied
    zone_of = allowed[0] if len(allowed) == 1 else None
    rows = selectors.contacts_of(
        [o.pk for o in allowed],
        site=site,
        since=wall_clock(since, zone_of) if since else None,
        until=wall_clock(until, zone_of) if until else None,
    )
    count, page = api_page(rows, offset, limit)
    return _page_out(request, staff, count, page)


@router.post(
    "/outreach/contacts",
    response={201: ContactOut, 200: ContactOut},
    url_name="outreach_contacts",
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
        at=wall_clock(payload.at, organisation),
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
    stored = selectors.contact_rows().get(pk=contact.pk)
    return Status(
        201 if created else 200, contact_out(stored, shows_client=may_see_client(staff, stored))
    )


@router.get("/outreach/contacts/{contact_id}", response=ContactOut, summary="A street contact")
def contact_detail(request: HttpRequest, contact_id: UUID) -> ContactOut:
    seen = contact_for(
        request, _staff(request), contact_id, view="api_outreach_contact", channel="api"
    )
    return contact_out(seen.contact, shows_client=seen.shows_client)


@router.post(
    "/outreach/contacts/{contact_id}/checked",
    response=ContactOut,
    summary="Mark a contact to check as checked",
)
def contact_checked(request: HttpRequest, contact_id: UUID) -> ContactOut:
    """A contact whose person changed while the phone was offline has been looked at: its
    ``conflict`` is cleared (sending it again changes nothing)."""
    staff = _staff(request)
    seen = contact_for(
        request, staff, contact_id, view="api_outreach_contact_checked", channel="api"
    )
    contact = services.conflict_clear(contact=seen.contact, actor=staff.user)
    return contact_out(contact, shows_client=seen.shows_client)


@router.get(
    "/clients/{client_id}/outreach-contacts",
    response=ContactPage,
    summary="A client's street contacts",
)
def client_contact_list(
    request: HttpRequest, client_id: UUID, offset: int = 0, limit: int = 50
) -> ContactPage:
    """The client's street contacts, latest first (those of a code the person had before
    becoming a client included)."""
    staff = _staff(request)
    client = client_for(request, staff, client_id, view="api_outreach_client", channel="api")
    count, rows = api_page(selectors.client_contacts(client), offset, limit)
    return ContactPage(count=count, results=[contact_out(c) for c in rows])
