"""Referrals in /api/v1/ (REF-1): the same services, rules and error codes as the pages.

``GET /partners`` is the registry of the caller's active organisation. Everything else sits
under the client (``/clients/{client_id}/...``) and reads it through
``clients.access.client_for``: another organisation's client is 404, a role without the
permission 403, every call is in the access log. Stable refusals: 422 ``consent_missing``
(no valid consent covers the partner), 422 ``consent_not_covering``, 409
``referral_transition`` (a step the status table does not allow), 422 ``date_in_future``,
``date_before_sent``, ``reply_note_required``, ``appointment_required``; for a referral in
422 ``referrer_invalid`` and ``received_at_future``. A referral in for a person not on record
is two calls: ``POST /clients`` then ``POST /clients/{id}/incoming-referrals`` (its letter
a document uploaded first, ``POST /clients/{id}/documents``).
"""

from __future__ import annotations

import datetime
from typing import Literal
from uuid import UUID

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from bedring.accounts.access import Staff
from bedring.accounts.models import Site, User
from bedring.clients.access import client_for
from bedring.clients.models import Client, Consent
from bedring.core.errors import NotFound, ValidationFailed
from bedring.core.paging import api_page
from bedring.core.roles import Perm
from bedring.documents import selectors as document_selectors
from bedring.documents.models import Document

from . import selectors, services
from .models import IncomingReferral, Partner, Referral

router = Router(tags=["referrals"])

StepIn = Literal["sent", "received", "accepted", "refused", "appointment", "withdrawn"]
ReferrerIn = Literal[
    "gp",
    "job_centre",
    "school",
    "relative",
    "hospital",
    "probation",
    "social_services",
    "other_agency",
]


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


def _client(request: HttpRequest, client_id: UUID, view: str, perm: Perm) -> Client:
    return client_for(request, _staff(request), client_id, view=view, perm=perm, channel="api")


class PartnerOut(Schema):
    key: str
    kind: str
    name: str
    contact: str
    consent_party: str
    reply_days: int
    reply_source: str
    rights_assessment: bool


def partner_out(p: Partner) -> PartnerOut:
    return PartnerOut(
        key=p.key,
        kind=p.kind,
        name=p.name,
        contact=p.contact,
        consent_party=p.consent_party,
        reply_days=p.reply_days,
        reply_source=p.reply_source,
        rights_assessment=p.rights_assessment,
    )


@router.get("/partners", response=list[PartnerOut])
def partner_list(request: HttpRequest) -> list[PartnerOut]:
    """REF-1: the partner services of the active organisation (its service pack)."""
    return [partner_out(p) for p in selectors.partners(_staff(request).organisation)]


class ReferralIn(Schema):
    partner: str = Field(..., description="The partner's key (GET /partners).")
    reason: str = Field(..., max_length=4000)
    text: str = Field("", max_length=20000)
    documents: list[UUID] = Field(default_factory=list, max_length=50)
    consent: UUID | None = Field(
        None, description="Left out: the latest valid consent covering the partner."
    )
    send_on: datetime.date | None = Field(None, description="Left out: a draft.")


class StatusIn(Schema):
    status: StepIn
    on: datetime.date
    note: str = Field("", max_length=2000, description="The reply, or why it is withdrawn.")
    appointment_on: datetime.date | None = None


class RightsIn(Schema):
    assessed_on: datetime.date
    granted: bool
    latest_start_on: datetime.date | None = None
    note: str = Field("", max_length=2000)


class ReferralOut(Schema):
    id: UUID
    partner: PartnerOut
    status: str
    reason: str
    text: str
    documents: list[UUID]
    consent: UUID
    sent_on: datetime.date | None
    reply_due_on: datetime.date | None
    received_on: datetime.date | None
    replied_on: datetime.date | None
    reply_note: str
    appointment_on: datetime.date | None
    withdrawn_on: datetime.date | None
    rights_due_on: datetime.date | None
    rights_outcome: str
    rights_assessed_on: datetime.date | None
    rights_latest_start_on: datetime.date | None
    created_at: datetime.datetime


def referral_out(r: Referral) -> ReferralOut:
    return ReferralOut(
        id=r.uuid,
        partner=partner_out(r.partner),
        status=r.status,
        reason=r.reason,
        text=r.text,
        documents=[d.uuid for d in r.documents.all()],
        consent=r.consent.uuid,
        sent_on=r.sent_on,
        reply_due_on=r.reply_due_on,
        received_on=r.received_on,
        replied_on=r.replied_on,
        reply_note=r.reply_note,
        appointment_on=r.appointment_on,
        withdrawn_on=r.withdrawn_on,
        rights_due_on=r.rights_due_on,
        rights_outcome=r.rights_outcome,
        rights_assessed_on=r.rights_assessed_on,
        rights_latest_start_on=r.rights_latest_start_on,
        created_at=r.created_at,
    )


class ReferralPage(Schema):
    count: int
    results: list[ReferralOut]


def _referral(client: Client, referral_id: UUID) -> Referral:
    referral = (
        selectors.with_details(selectors.client_referrals(client)).filter(uuid=referral_id).first()
    )
    if referral is None:
        raise Http404
    return referral


def _fresh(referral: Referral) -> Referral:
    return (
        selectors.with_details(Referral.objects.filter(pk=referral.pk))
        .select_related("partner", "consent")
        .get()
    )


@router.get("/clients/{client_id}/referrals", response=ReferralPage)
def referral_list(
    request: HttpRequest, client_id: UUID, offset: int = 0, limit: int = 50
) -> ReferralPage:
    """REF-1: the client's referrals out, latest first, a page at a time."""
    client = _client(request, client_id, "api_referrals", Perm.CLIENT_READ)
    count, rows = api_page(
        selectors.with_details(selectors.client_referrals(client)), offset, limit
    )
    return ReferralPage(count=count, results=[referral_out(r) for r in rows])


@router.get("/clients/{client_id}/referrals/{referral_id}", response=ReferralOut)
def referral_get(request: HttpRequest, client_id: UUID, referral_id: UUID) -> ReferralOut:
    client = _client(request, client_id, "api_referral", Perm.CLIENT_READ)
    return referral_out(_referral(client, referral_id))


@router.post("/clients/{client_id}/referrals", response={201: ReferralOut})
def referral_create(
    request: HttpRequest, client_id: UUID, payload: ReferralIn
) -> Status[ReferralOut]:
    """REF-1: a referral out, a draft or sent on ``send_on``; 422 ``consent_missing`` when
    no valid consent of the client covers the partner."""
    client = _client(request, client_id, "api_referral_create", Perm.CLIENT_WRITE)
    partner = selectors.partners(client.organisation).filter(key=payload.partner).first()
    if partner is None:
        raise NotFound("partner_not_found", _("No such partner service."), field="partner")
    consent = None
    if payload.consent is not None:
        consent = Consent.objects.filter(client=client, uuid=payload.consent).first()
        if consent is None:
            raise NotFound("consent_not_found", _("No such consent."), field="consent")
    documents = list(document_selectors.client_documents(client).filter(uuid__in=payload.documents))
    if len(documents) != len(set(payload.documents)):
        raise ValidationFailed(
            "document_not_in_record",
            _("Attach only documents of this client's record."),
            field="documents",
        )
    referral = services.referral_create(
        client=client,
        actor=_staff(request).user,
        partner=partner,
        reason=payload.reason,
        text=payload.text,
        documents=documents,
        consent=consent,
        send_on=payload.send_on,
    )
    return Status(201, referral_out(_fresh(referral)))


@router.post("/clients/{client_id}/referrals/{referral_id}/status", response=ReferralOut)
def referral_status(
    request: HttpRequest, client_id: UUID, referral_id: UUID, payload: StatusIn
) -> ReferralOut:
    """REF-1: the next step; 409 ``referral_transition`` when the status table does not
    allow it. A reply closes the reply deadline; a receipt at the Norwegian specialist
    health service opens the rights assessment's."""
    client = _client(request, client_id, "api_referral_status", Perm.CLIENT_WRITE)
    referral = services.referral_update(
        referral=_referral(client, referral_id),
        actor=_staff(request).user,
        **payload.model_dump(),
    )
    return referral_out(_fresh(referral))


@router.post("/clients/{client_id}/referrals/{referral_id}/rights-assessment", response=ReferralOut)
def referral_rights(
    request: HttpRequest, client_id: UUID, referral_id: UUID, payload: RightsIn
) -> ReferralOut:
    """REF-1 (NO): the outcome of the patient's rights assessment (pasient- og
    brukerrettighetsloven § 2-2); 422 ``rights_not_applicable`` for a partner that does not
    assess rights."""
    client = _client(request, client_id, "api_referral_rights", Perm.CLIENT_WRITE)
    referral = services.referral_rights_record(
        referral=_referral(client, referral_id),
        actor=_staff(request).user,
        **payload.model_dump(),
    )
    return referral_out(_fresh(referral))


class IncomingIn(Schema):
    referrer: ReferrerIn
    referrer_name: str = Field("", max_length=200)
    received_at: datetime.datetime
    site: UUID | None = Field(None, description="Needed unless the client has an open episode.")
    reason: str = Field("", max_length=4000)
    letter: UUID | None = Field(None, description="A document of the client (uploaded first).")
    assign_to: str | None = Field(None, description="The username of the counsellor.")


class IncomingOut(Schema):
    id: UUID
    referrer: str
    referrer_name: str
    received_at: datetime.datetime
    reason: str
    letter: UUID | None
    inquiry: UUID | None
    episode: UUID
    created_at: datetime.datetime


def incoming_out(i: IncomingReferral) -> IncomingOut:
    return IncomingOut(
        id=i.uuid,
        referrer=i.referrer,
        referrer_name=i.referrer_name,
        received_at=i.received_at,
        reason=i.reason,
        letter=i.letter.uuid if i.letter is not None else None,
        inquiry=i.inquiry.uuid if i.inquiry is not None else None,
        episode=i.episode.uuid,
        created_at=i.created_at,
    )


class IncomingPage(Schema):
    count: int
    results: list[IncomingOut]


@router.get("/clients/{client_id}/incoming-referrals", response=IncomingPage)
def incoming_list(
    request: HttpRequest, client_id: UUID, offset: int = 0, limit: int = 50
) -> IncomingPage:
    """REF-1: the client's referrals in, latest first, a page at a time."""
    client = _client(request, client_id, "api_referrals_in", Perm.CLIENT_READ)
    count, rows = api_page(
        selectors.client_incoming(client).select_related("inquiry"), offset, limit
    )
    return IncomingPage(count=count, results=[incoming_out(i) for i in rows])


@router.post("/clients/{client_id}/incoming-referrals", response={201: IncomingOut})
def incoming_create(
    request: HttpRequest, client_id: UUID, payload: IncomingIn
) -> Status[IncomingOut]:
    """REF-1, INT-1: a referral in; it registers an inquiry (channel "referral") with its
    first-contact deadlines, or is recorded on the client's open episode."""
    staff = _staff(request)
    client = _client(request, client_id, "api_referral_in", Perm.CLIENT_WRITE)
    organisation = client.organisation
    site = None
    if payload.site is not None:
        site = Site.objects.filter(organisation=organisation, uuid=payload.site).first()
        if site is None:
            raise NotFound("site_not_found", _("No such site."), field="site")
    letter: Document | None = None
    if payload.letter is not None:
        letter = document_selectors.client_documents(client).filter(uuid=payload.letter).first()
        if letter is None:
            raise NotFound("document_not_found", _("No such document."), field="letter")
    assignee = None
    if payload.assign_to:
        assignee = User.objects.filter(username=payload.assign_to).first()
        if assignee is None:
            raise ValidationFailed(
                "assignee_not_staff", _("The counsellor is not staff here."), field="assign_to"
            )
    incoming = services.referral_in_record(
        organisation=organisation,
        actor=staff.user,
        referrer=payload.referrer,
        referrer_name=payload.referrer_name,
        received_at=payload.received_at,
        reason=payload.reason,
        site=site,
        client=client,
        letter=letter,
        assign_to=assignee,
    )
    return Status(201, incoming_out(incoming))
