"""The people of street work in /api/v1/outreach/ (PRV-4): the people a worker met recently
(the phone's picker when it has no network), the organisation's codes (pseudonyms), a code
becoming a client and two codes merged. The same services and error codes as the pages.

``people/recent`` lists a client's id, client code and first name only: what a phone needs
to pick the person again, nothing more. Staff who do not read records (drop-in and peer
workers) get the codes only."""

from __future__ import annotations

import datetime
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from bedring.accounts.access import Staff, organisation_for_write
from bedring.accounts.models import Organisation
from bedring.audit.services import access_search_results
from bedring.clients.access import client_for
from bedring.clients.api import EmailOrEmpty, LanguageIn, SexIn
from bedring.core import clock
from bedring.core.errors import ValidationFailed
from bedring.core.paging import api_page
from bedring.core.roles import Perm

from .. import selectors
from ..access import pseudonym_for
from ..models import Pseudonym
from ..services import people as services

router = Router(tags=["outreach"])


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


class RecentClientOut(Schema):
    id: UUID
    code: str
    first_name: str


class RecentCodeOut(Schema):
    code: str


class RecentOut(Schema):
    clients: list[RecentClientOut]
    pseudonyms: list[RecentCodeOut]


@router.get(
    "/outreach/people/recent",
    response=RecentOut,
    summary="The people I met recently (for the phone's picker)",
)
def people_recent(request: HttpRequest, organisation: UUID | None = None) -> RecentOut:
    """The clients and codes of my contacts of the last 30 days and the clients I opened
    recently, at most 10 of each, the latest first. Each client listed is logged as seen."""
    staff = _staff(request)
    org = organisation_for_write(staff, organisation, Perm.HARM_REDUCTION)
    recent = selectors.recent_people(
        user=staff.user,
        organisation=org,
        since=clock.now() - datetime.timedelta(days=selectors.RECENT_DAYS),
        with_clients=staff.can(Perm.CLIENT_READ, org.pk),
    )
    access_search_results(
        actor=staff.user,
        clients=recent.clients,
        view="api_outreach_recent",
        channel="api",
        request=request,
    )
    return RecentOut(
        clients=[
            RecentClientOut(id=c.uuid, code=c.code, first_name=c.first_name) for c in recent.clients
        ],
        pseudonyms=[RecentCodeOut(code=p.code) for p in recent.codes],
    )


class PseudonymIn(Schema):
    organisation: UUID | None = Field(None, description="Default: the only organisation.")
    code: str = Field(..., max_length=32)
    consent: bool = Field(False, description="The person agrees to the code: required.")
    birth_year: int | None = Field(None, description="Optional, for the evaluation's ages.")


class PseudonymOut(Schema):
    id: UUID
    code: str
    consent_at: datetime.datetime
    birth_year: int | None
    contact_count: int
    last_contact_at: datetime.datetime | None
    client: UUID | None = Field(
        ..., description="The client the person became; empty for staff who read no records."
    )
    became_client_at: datetime.datetime | None
    merged_into: str | None = Field(..., description="The code this one was merged into.")


class PseudonymPage(Schema):
    count: int
    results: list[PseudonymOut]


def pseudonym_out(pseudonym: Pseudonym, staff: Staff) -> PseudonymOut:
    shows = pseudonym.client is not None and staff.can(Perm.CLIENT_READ, pseudonym.organisation_id)
    return PseudonymOut(
        id=pseudonym.uuid,
        code=pseudonym.code,
        consent_at=pseudonym.consent_at,
        birth_year=pseudonym.birth_year,
        contact_count=getattr(pseudonym, "contact_count", 0),
        last_contact_at=getattr(pseudonym, "last_at", None),
        client=pseudonym.client.uuid if shows and pseudonym.client else None,
        became_client_at=pseudonym.became_client_at,
        merged_into=pseudonym.merged_into.code if pseudonym.merged_into else None,
    )


def _counted(pseudonym: Pseudonym) -> Pseudonym:
    rows: QuerySet[Pseudonym] = selectors.pseudonym_rows(pseudonym.organisation)
    return rows.get(pk=pseudonym.pk)


@router.get("/outreach/pseudonyms", response=PseudonymPage, summary="Codes (pseudonyms)")
def pseudonym_list(
    request: HttpRequest,
    organisation: UUID | None = None,
    q: str = "",
    offset: int = 0,
    limit: int = 50,
) -> PseudonymPage:
    """The codes of the organisation where I do outreach work (or of the one named), the
    ones met most recently first; ``q``: codes starting with it."""
    staff = _staff(request)
    org = organisation_for_write(staff, organisation, Perm.HARM_REDUCTION)
    count, rows = api_page(selectors.pseudonym_rows(org, q[:32]), offset, limit)
    return PseudonymPage(count=count, results=[pseudonym_out(p, staff) for p in rows])


@router.post("/outreach/pseudonyms", response={201: PseudonymOut}, summary="Record a new code")
def pseudonym_create(request: HttpRequest, payload: PseudonymIn) -> Status[PseudonymOut]:
    """PRV-4: a new code, with the person's agreement (422 pseudonym_consent_required
    without; 409 pseudonym_taken for a code in use)."""
    staff = _staff(request)
    org = organisation_for_write(staff, payload.organisation, Perm.HARM_REDUCTION)
    pseudonym = services.pseudonym_create(
        organisation=org,
        actor=staff.user,
        code=payload.code,
        consent=payload.consent,
        birth_year=payload.birth_year,
    )
    return Status(201, pseudonym_out(_counted(pseudonym), staff))


@router.get("/outreach/pseudonyms/{pseudonym_id}", response=PseudonymOut, summary="A code")
def pseudonym_detail(request: HttpRequest, pseudonym_id: UUID) -> PseudonymOut:
    staff = _staff(request)
    return pseudonym_out(_counted(pseudonym_for(staff, pseudonym_id)), staff)


class PseudonymClientIn(Schema):
    consent: bool = Field(False, description="The person agrees to become a client: required.")
    client: UUID | None = Field(
        None, description="A client already registered to join, instead of registering one."
    )
    national_id: str = ""
    anonymous: bool = False
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    birth_date: datetime.date | None = None
    sex: SexIn = "unknown"
    phone: str = Field("", max_length=40)
    email: EmailOrEmpty = ""
    address: str = Field("", max_length=200)
    postal_code: str = Field("", max_length=12)
    city: str = Field("", max_length=100)
    language: LanguageIn = ""


class ClientRef(Schema):
    id: UUID
    code: str


class PseudonymClientOut(Schema):
    client: ClientRef
    joined: int = Field(..., description="How many street contacts joined the record.")


@router.post(
    "/outreach/pseudonyms/{pseudonym_id}/client",
    response={201: PseudonymClientOut},
    summary="The person behind a code becomes a client",
)
def pseudonym_client(
    request: HttpRequest, pseudonym_id: UUID, payload: PseudonymClientIn
) -> Status[PseudonymClientOut]:
    """PRV-4: with the person's consent, register them (the client registration's fields and
    rules) or join a client already registered (``client``); every contact of the code, and
    of codes merged into it, joins the record. Needs client_write too (403 without)."""
    staff = _staff(request)
    pseudonym = pseudonym_for(staff, pseudonym_id)
    if not staff.can(Perm.CLIENT_WRITE, pseudonym.organisation_id):
        raise PermissionDenied
    existing = None
    if payload.client is not None:
        existing = client_for(
            request,
            staff,
            payload.client,
            view="api_pseudonym_client",
            perm=Perm.CLIENT_WRITE,
            channel="api",
        )
    registration = payload.model_dump(exclude={"consent", "client"})
    client, joined = services.pseudonym_to_client(
        pseudonym=pseudonym,
        actor=staff.user,
        consent=payload.consent,
        client=existing,
        registration=None if existing else registration,
    )
    return Status(
        201, PseudonymClientOut(client=ClientRef(id=client.uuid, code=client.code), joined=joined)
    )


class MergeIn(Schema):
    into: str = Field(..., max_length=32, description="The code to keep.")


def _code(organisation: Organisation, code: str) -> Pseudonym:
    found = selectors.pseudonym_by_code(organisation, code)
    if found is None:
        raise ValidationFailed("unknown_pseudonym", _("No code like this here."), field="into")
    return found


@router.post(
    "/outreach/pseudonyms/{pseudonym_id}/merge",
    response=PseudonymOut,
    summary="Merge a code into another (one person, two codes)",
)
def pseudonym_merge(request: HttpRequest, pseudonym_id: UUID, payload: MergeIn) -> PseudonymOut:
    """PRV-4: this code is given up for ``into``; its contacts move there. Answers the code
    kept. 409 pseudonym_merged when this code was merged already."""
    staff = _staff(request)
    pseudonym = pseudonym_for(staff, pseudonym_id)
    kept = services.pseudonym_merge(
        pseudonym=pseudonym, into=_code(pseudonym.organisation, payload.into), actor=staff.user
    )
    return pseudonym_out(_counted(kept), staff)
