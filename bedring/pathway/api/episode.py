"""Inquiries, episodes, their deadlines and timelines in /api/v1/ (INT-1..7, DEC-4)."""

from __future__ import annotations

import datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from bedring.accounts.access import Staff, memberships_where, organisations_where
from bedring.accounts.models import Organisation, Site, User
from bedring.clients.access import client_for
from bedring.core import clock
from bedring.core.errors import ValidationFailed
from bedring.core.roles import Perm

from .. import selectors
from ..access import episode_for
from ..models import Deadline, Episode, EpisodeEvent, Inquiry
from ..services import episode as services

router = Router(tags=["pathway"])
MAX_DEADLINES = 1000

ChannelIn = Literal["in_person", "phone", "letter", "email", "sms", "referral"]
ReferrerIn = Literal[
    "self",
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


class DeadlineOut(Schema):
    id: UUID
    kind: str
    due_on: datetime.date
    status: str
    closed_on: datetime.date | None
    basis: dict[str, object]
    episode: UUID
    client: UUID
    responsible: str | None


class InquiryOut(Schema):
    id: UUID
    channel: str
    referrer: str
    referrer_name: str
    received_at: datetime.datetime
    outside_hours: bool
    walk_in: bool
    anonymous_counselling: bool
    site: UUID
    episode: UUID | None


class EpisodeOut(Schema):
    id: UUID
    client: UUID
    organisation: UUID
    state: str
    opened_on: datetime.date
    responsible: str | None
    first_contact_at: datetime.datetime | None
    started_on: datetime.date | None
    closed_on: datetime.date | None
    free_choice_provider: str
    previous_episode: UUID | None
    deadlines: list[DeadlineOut]


class EventOut(Schema):
    at: datetime.datetime
    kind: str
    summary: str
    actor: str | None
    data: dict[str, object]


def with_deadlines(qs: QuerySet[Episode]) -> QuerySet[Episode]:
    return qs.select_related(
        "client", "organisation", "previous_episode", "responsible"
    ).prefetch_related(
        Prefetch("deadlines", queryset=Deadline.objects.select_related("responsible"))
    )


def deadline_out(
    d: Deadline, episode_uuid: UUID | None = None, client_uuid: UUID | None = None
) -> DeadlineOut:
    return DeadlineOut(
        id=d.uuid,
        kind=d.kind,
        due_on=d.due_on,
        status=d.status,
        closed_on=d.closed_on,
        basis=d.basis,
        episode=episode_uuid or d.episode.uuid,
        client=client_uuid or d.client.uuid,
        responsible=d.responsible.username if d.responsible else None,
    )


def episode_out(e: Episode) -> EpisodeOut:
    deadlines = list(e.deadlines.all())  # prefetched (with_deadlines) where episodes are listed
    return EpisodeOut(
        id=e.uuid,
        client=e.client.uuid,
        organisation=e.organisation.uuid,
        state=e.state,
        opened_on=e.opened_on,
        responsible=e.responsible.username if e.responsible else None,
        first_contact_at=e.first_contact_at,
        started_on=e.started_on,
        closed_on=e.closed_on,
        free_choice_provider=e.free_choice_provider,
        previous_episode=e.previous_episode.uuid if e.previous_episode else None,
        deadlines=[deadline_out(d, e.uuid, e.client.uuid) for d in deadlines],
    )


def inquiry_out(i: Inquiry) -> InquiryOut:
    return InquiryOut(
        id=i.uuid,
        channel=i.channel,
        referrer=i.referrer,
        referrer_name=i.referrer_name,
        received_at=i.received_at,
        outside_hours=i.outside_hours,
        walk_in=i.walk_in,
        anonymous_counselling=i.anonymous_counselling,
        site=i.site.uuid,
        episode=i.episode.uuid if i.episode else None,
    )


class InquiryIn(Schema):
    client: UUID | None = Field(None, description="Omit for anonymous open counselling (INT-2).")
    organisation: UUID | None = Field(
        None, description="Needed for anonymous counselling in several organisations."
    )
    site: UUID
    channel: ChannelIn
    referrer: ReferrerIn
    referrer_name: str = Field("", max_length=200)
    received_at: datetime.datetime = Field(
        ..., description="With its time zone, e.g. 2026-11-23T09:30:00+01:00"
    )
    walk_in: bool = False
    anonymous_counselling: bool = False
    assign_to: str | None = Field(
        None, description="Username of the counsellor to assign now (INT-7)."
    )
    notes: str = ""


class InquiryCreated(Schema):
    inquiry: InquiryOut
    episode: EpisodeOut | None


def _writable_organisation(staff: Staff, wanted: UUID | None) -> Organisation:
    writable = organisations_where(staff, Perm.CLIENT_WRITE)
    if not writable:
        raise PermissionDenied
    if wanted is None:
        if len(writable) == 1:
            return writable[0]
        raise ValidationFailed(
            "organisation_required",
            _("You belong to several organisations: name the organisation."),
            field="organisation",
        )
    for org in writable:
        if org.uuid == wanted:
            return org
    raise Http404


@router.post("/inquiries", response={201: InquiryCreated})
def inquiry_create(request: HttpRequest, payload: InquiryIn) -> Status[InquiryCreated]:
    """INT-1..7: record an inquiry; for a client it opens an episode and computes its deadlines."""
    staff = _staff(request)
    if payload.client is not None:
        client = client_for(
            request,
            staff,
            payload.client,
            view="api_inquiry_create",
            perm=Perm.CLIENT_WRITE,
            channel="api",
        )
        organisation = client.organisation
    else:
        client = None
        organisation = _writable_organisation(staff, payload.organisation)
    site = Site.objects.filter(organisation=organisation, uuid=payload.site).first()
    if site is None:
        raise Http404
    assignee = None
    if payload.assign_to:
        assignee = User.objects.filter(username=payload.assign_to, is_active=True).first()
        if assignee is None:
            raise ValidationFailed(
                "assignee_not_staff", _("The counsellor is not staff here."), field="assign_to"
            )
    inquiry = services.inquiry_register(
        organisation=organisation,
        site=site,
        actor=staff.user,
        channel=payload.channel,
        referrer=payload.referrer,
        referrer_name=payload.referrer_name,
        received_at=payload.received_at,
        client=client,
        anonymous_counselling=payload.anonymous_counselling,
        walk_in=payload.walk_in,
        assign_to=assignee,
        notes=payload.notes,
    )
    episode = episode_out(inquiry.episode) if inquiry.episode else None
    return Status(201, InquiryCreated(inquiry=inquiry_out(inquiry), episode=episode))


@router.get("/clients/{client_id}/episodes", response=list[EpisodeOut])
def client_episode_list(request: HttpRequest, client_id: UUID) -> list[EpisodeOut]:
    client = client_for(
        request, _staff(request), client_id, view="api_client_episodes", channel="api"
    )
    return [episode_out(e) for e in with_deadlines(selectors.client_episodes(client.pk))]


@router.get("/episodes/{episode_id}", response=EpisodeOut)
def episode_detail(request: HttpRequest, episode_id: UUID) -> EpisodeOut:
    return episode_out(
        episode_for(request, _staff(request), episode_id, view="api_episode", channel="api")
    )


@router.get("/episodes/{episode_id}/timeline", response=list[EventOut])
def episode_timeline(request: HttpRequest, episode_id: UUID) -> list[EventOut]:
    episode = episode_for(
        request, _staff(request), episode_id, view="api_episode_timeline", channel="api"
    )
    events = (
        EpisodeEvent.objects.filter(episode=episode).select_related("actor").order_by("at", "id")
    )
    return [
        EventOut(
            at=e.at,
            kind=e.kind,
            summary=e.summary,
            actor=e.actor.username if e.actor else None,
            data=e.data,
        )
        for e in events
    ]


def _write(request: HttpRequest, episode_id: UUID, view: str) -> tuple[Staff, Episode]:
    staff = _staff(request)
    return staff, episode_for(
        request, staff, episode_id, view=view, perm=Perm.CLIENT_WRITE, channel="api"
    )


class AssignIn(Schema):
    responsible: str = Field(..., description="Username")


@router.post("/episodes/{episode_id}/assign", response=EpisodeOut)
def episode_assign(request: HttpRequest, episode_id: UUID, payload: AssignIn) -> EpisodeOut:
    staff, episode = _write(request, episode_id, "api_episode_assign")
    person = User.objects.filter(username=payload.responsible, is_active=True).first()
    if person is None:
        raise ValidationFailed(
            "assignee_not_staff", _("The counsellor is not staff here."), field="responsible"
        )
    return episode_out(
        services.episode_assign(episode=episode, actor=staff.user, responsible=person)
    )


class ContactIn(Schema):
    at: datetime.datetime | None = None


@router.post("/episodes/{episode_id}/first-contact", response=EpisodeOut)
def episode_first_contact(request: HttpRequest, episode_id: UUID, payload: ContactIn) -> EpisodeOut:
    staff, episode = _write(request, episode_id, "api_episode_first_contact")
    return episode_out(
        services.episode_record_first_contact(episode=episode, actor=staff.user, at=payload.at)
    )


class FreeChoiceIn(Schema):
    provider: str = Field(..., max_length=200)
    on: datetime.date | None = None


@router.post("/episodes/{episode_id}/free-choice", response=EpisodeOut)
def episode_free_choice(
    request: HttpRequest, episode_id: UUID, payload: FreeChoiceIn
) -> EpisodeOut:
    staff, episode = _write(request, episode_id, "api_episode_free_choice")
    return episode_out(
        services.episode_free_choice(
            episode=episode,
            actor=staff.user,
            today=clock.today(staff.organisation),
            provider=payload.provider,
            on=payload.on,
        )
    )


@router.post("/episodes/{episode_id}/begin-assessment", response=EpisodeOut)
def episode_begin_assessment(request: HttpRequest, episode_id: UUID) -> EpisodeOut:
    staff, episode = _write(request, episode_id, "api_episode_begin_assessment")
    return episode_out(services.episode_begin_assessment(episode=episode, actor=staff.user))


class StartIn(Schema):
    on: datetime.date | None = None


@router.post("/episodes/{episode_id}/start", response=EpisodeOut)
def episode_start(request: HttpRequest, episode_id: UUID, payload: StartIn) -> EpisodeOut:
    staff, episode = _write(request, episode_id, "api_episode_start")
    return episode_out(
        services.episode_start_treatment(
            episode=episode, actor=staff.user, today=clock.today(staff.organisation), on=payload.on
        )
    )


class WithdrawIn(Schema):
    reason: str = Field(..., max_length=300)


@router.post("/episodes/{episode_id}/withdraw", response=EpisodeOut)
def episode_withdraw(request: HttpRequest, episode_id: UUID, payload: WithdrawIn) -> EpisodeOut:
    staff, episode = _write(request, episode_id, "api_episode_withdraw")
    return episode_out(
        services.episode_withdraw(episode=episode, actor=staff.user, reason=payload.reason)
    )


@router.get("/deadlines", response=list[DeadlineOut])
def deadline_list(
    request: HttpRequest,
    scope: Literal["mine", "team", "all"] = "mine",
    organisation: UUID | None = None,
    site: UUID | None = None,
    limit: int = 200,
) -> list[DeadlineOut]:
    """The worklist: open deadlines, overdue first."""
    staff = _staff(request)
    if not 1 <= limit <= MAX_DEADLINES:
        raise ValidationFailed("invalid_page", _("limit must be 1 to 1000."), field="limit")
    readable = memberships_where(staff, Perm.CLIENT_READ)
    if organisation is not None:
        readable = [m for m in readable if m.organisation.uuid == organisation]
        if not readable:
            raise Http404
    if not readable:
        raise PermissionDenied
    org = readable[0].organisation
    site_obj = Site.objects.filter(organisation=org, uuid=site).first() if site else None
    if site is not None and site_obj is None:
        raise Http404
    site_id = site_obj.pk if site_obj else None
    if scope == "all":
        qs = selectors.open_deadlines(organisation_id=org.pk, site_id=site_id)
    elif scope == "team":
        qs = selectors.open_deadlines(
            organisation_id=org.pk,
            responsible_ids=selectors.team_member_ids(staff.user, org.pk),
            include_unassigned=True,
            site_id=site_id,
        )
    else:
        qs = selectors.open_deadlines(
            organisation_id=org.pk, responsible_ids=[staff.user.pk], site_id=site_id
        )
    return [deadline_out(d) for d in qs[:limit]]
