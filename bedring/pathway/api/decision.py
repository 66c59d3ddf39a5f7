"""Decisions, decision letters, complaints and child notifications in /api/v1/ (DEC-1..7):
the same services, rules and error codes as the HTML pages. Another organisation's record is
404, whichever id names it."""

from __future__ import annotations

import datetime
from typing import Literal
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from bedring.accounts.access import Staff
from bedring.clients.models import ChildAtHome
from bedring.core import clock
from bedring.core.errors import ValidationFailed
from bedring.core.roles import Perm

from ..access import episode_for
from ..letters import decision_letter_pdf
from ..models import ChildNotification, Complaint, Decision, Episode
from ..services import decision as services

router = Router(tags=["decision"])

KindIn = Literal["treatment", "medical", "day_residential"]
OutcomeIn = Literal["granted", "refused"]
IntensityIn = Literal["outpatient", "day", "residential"]
ComplaintKindIn = Literal["decision", "health", "service", "late_start"]


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


def _episode_of(
    request: HttpRequest,
    episode_uuid: UUID | None,
    *,
    view: str,
    perm: Perm = Perm.CLIENT_READ,
    channel: str = "api",
) -> Episode:
    """The episode a record belongs to, through the permission-checked getter (404 for
    another organisation, 403 without the permission, the read logged)."""
    if episode_uuid is None:
        raise Http404
    return episode_for(
        request, _staff(request), episode_uuid, view=view, perm=perm, channel=channel
    )


def _decision(
    request: HttpRequest,
    decision_id: UUID,
    *,
    view: str,
    perm: Perm = Perm.CLIENT_READ,
    channel: str = "api",
) -> Decision:
    staff = _staff(request)
    episode_uuid = (
        Decision.objects.filter(
            uuid=decision_id, episode__organisation_id__in=list(staff.memberships)
        )
        .values_list("episode__uuid", flat=True)
        .first()
    )
    episode = _episode_of(request, episode_uuid, view=view, perm=perm, channel=channel)
    decision = Decision.objects.select_related("decided_by", "supersedes").get(
        uuid=decision_id, episode=episode
    )
    decision.episode = episode
    return decision


class ComplaintOut(Schema):
    id: UUID
    episode: UUID
    decision: UUID | None
    kind: str
    received_on: datetime.date
    text: str
    late: bool
    status: str
    reevaluated_on: datetime.date | None
    reevaluation_note: str
    forwarded_on: datetime.date | None
    forwarded_to: str
    client_informed_on: datetime.date | None


class DecisionOut(Schema):
    id: UUID
    episode: UUID
    kind: str
    outcome: str
    intensity: str
    offer: str = Field(description="The offer's key in the organisation's catalogue.")
    offer_name: str = Field(description="The offer's name when decided (shown in the letter).")
    justification: str
    recommendation: str
    decided_on: datetime.date
    decided_by: str
    immediate: bool
    letter_sent_on: datetime.date | None
    letter_language: str
    supersedes: UUID | None
    superseded_by: UUID | None
    complaints: list[ComplaintOut]


def complaint_out(c: Complaint, decision_uuid: UUID | None, episode_uuid: UUID) -> ComplaintOut:
    return ComplaintOut(
        id=c.uuid,
        episode=episode_uuid,
        decision=decision_uuid,
        kind=c.kind,
        received_on=c.received_on,
        text=c.text,
        late=c.late,
        status=c.status,
        reevaluated_on=c.reevaluated_on,
        reevaluation_note=c.reevaluation_note,
        forwarded_on=c.forwarded_on,
        forwarded_to=c.forwarded_to,
        client_informed_on=c.client_informed_on,
    )


def decision_out(d: Decision) -> DecisionOut:
    superseded_by = Decision.objects.filter(supersedes=d).values_list("uuid", flat=True).first()
    return DecisionOut(
        id=d.uuid,
        episode=d.episode.uuid,
        kind=d.kind,
        outcome=d.outcome,
        intensity=d.intensity,
        offer=d.offer_key,
        offer_name=d.offer,
        justification=d.justification,
        recommendation=d.recommendation,
        decided_on=d.decided_on,
        decided_by=d.decided_by.get_full_name() or d.decided_by.username,
        immediate=d.immediate,
        letter_sent_on=d.letter_sent_on,
        letter_language=d.letter_language,
        supersedes=d.supersedes.uuid if d.supersedes else None,
        superseded_by=superseded_by,
        complaints=[
            complaint_out(c, d.uuid, d.episode.uuid) for c in Complaint.objects.filter(decision=d)
        ],
    )


class DecisionIn(Schema):
    kind: KindIn
    outcome: OutcomeIn
    intensity: IntensityIn | None = Field(
        None, description="Day or residential treatment: day or residential. Else outpatient."
    )
    offer: str = Field(
        "",
        max_length=100,
        description="CAT-1: the offer decided on, by its key in the organisation's catalogue "
        "or its id; 422 unknown_offer, offer_other_organisation, offer_intensity_mismatch.",
    )
    justification: str = Field("", description="Required: every decision is justified (DEC-1).")
    recommendation: str = Field(
        "", description="The centre's recommendation; required for day or residential (DEC-3)."
    )
    decided_on: datetime.date | None = None
    immediate: bool = Field(False, description="Decided at the assessment (ASM-2).")


@router.post("/episodes/{episode_id}/decisions", response={201: DecisionOut})
def decision_create(
    request: HttpRequest, episode_id: UUID, payload: DecisionIn
) -> Status[DecisionOut]:
    """DEC-1: the authority (treatment, day or residential) or a doctor (medical) decides.
    Anyone else gets 403 ``decision_role``; an episode not in assessment or decided, 409."""
    episode = _episode_of(request, episode_id, view="api_decision_create", perm=Perm.CLIENT_WRITE)
    decision = services.decision_make(
        episode=episode,
        actor=_staff(request).user,
        today=clock.today(_staff(request).organisation),
        **payload.model_dump(),
    )
    decision.episode = episode
    return Status(201, decision_out(decision))


@router.get("/decisions/{decision_id}", response=DecisionOut)
def decision_detail(request: HttpRequest, decision_id: UUID) -> DecisionOut:
    return decision_out(_decision(request, decision_id, view="api_decision_detail"))


@router.get(
    "/decisions/{decision_id}/letter",
    openapi_extra={
        "responses": {
            200: {
                "description": "The decision letter",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def decision_letter(request: HttpRequest, decision_id: UUID) -> HttpResponse:
    """DEC-2, DEC-6: the letter as a PDF in the client's language (logged as a print)."""
    decision = _decision(request, decision_id, view="api_decision_letter", channel="print")
    pdf, letter = decision_letter_pdf(decision)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=letter.filename
    )
    response["Content-Language"] = letter.language
    response["Cache-Control"] = "no-store"
    return response


class LetterSentIn(Schema):
    sent_on: datetime.date | None = None


@router.post("/decisions/{decision_id}/letter-sent", response=DecisionOut)
def decision_letter_sent(
    request: HttpRequest, decision_id: UUID, payload: LetterSentIn
) -> DecisionOut:
    """DEC-2: the letter went out; the complaint window runs from its date."""
    decision = _decision(
        request, decision_id, view="api_decision_letter_sent", perm=Perm.CLIENT_WRITE
    )
    decision = services.decision_letter_sent(
        decision=decision,
        actor=_staff(request).user,
        today=clock.today(_staff(request).organisation),
        sent_on=payload.sent_on,
    )
    return decision_out(decision)


class ComplaintIn(Schema):
    kind: ComplaintKindIn
    text: str = ""
    received_on: datetime.date | None = None


@router.post("/decisions/{decision_id}/complaints", response={201: ComplaintOut})
def complaint_create(
    request: HttpRequest, decision_id: UUID, payload: ComplaintIn
) -> Status[ComplaintOut]:
    """DEC-2: a complaint, flagged ``late`` after the window; health complaints are
    redirected to the patient complaints body."""
    decision = _decision(request, decision_id, view="api_complaint_create", perm=Perm.CLIENT_WRITE)
    complaint = services.complaint_register(
        decision=decision,
        actor=_staff(request).user,
        today=clock.today(_staff(request).organisation),
        **payload.model_dump(),
    )
    return Status(201, complaint_out(complaint, decision.uuid, decision.episode.uuid))


@router.post("/episodes/{episode_id}/complaints", response={201: ComplaintOut})
def episode_complaint_create(
    request: HttpRequest, episode_id: UUID, payload: ComplaintIn
) -> Status[ComplaintOut]:
    """DEC-2: a complaint about no decision, e.g. ``late_start``: treatment not started within
    the start guarantee (seed 002 §12); ``decision`` needs a decision and is refused here."""
    episode = _episode_of(
        request, episode_id, view="api_episode_complaint_create", perm=Perm.CLIENT_WRITE
    )
    complaint = services.complaint_register(
        episode=episode, actor=_staff(request).user, **payload.model_dump()
    )
    return Status(201, complaint_out(complaint, None, episode.uuid))


class ReevaluationIn(Schema):
    result: Literal["upheld", "changed"]
    justification: str = ""
    on: datetime.date | None = None
    outcome: OutcomeIn | None = Field(None, description="The new outcome, when changed.")
    intensity: IntensityIn | None = None
    offer: str | None = Field(
        None,
        max_length=100,
        description="The new offer (key or id); null keeps the offer decided, empty removes it.",
    )


class ReevaluationOut(Schema):
    complaint: ComplaintOut
    new_decision: DecisionOut | None


@router.post("/complaints/{complaint_id}/reevaluation", response=ReevaluationOut)
def complaint_reevaluation(
    request: HttpRequest, complaint_id: UUID, payload: ReevaluationIn
) -> ReevaluationOut:
    """DEC-2: the authority upholds (forwarded to the appeals body, the client told) or
    changes the decision (a new decision that supersedes it)."""
    staff = _staff(request)
    episode_uuid = (
        Complaint.objects.filter(
            uuid=complaint_id, episode__organisation_id__in=list(staff.memberships)
        )
        .values_list("episode__uuid", flat=True)
        .first()
    )
    episode = _episode_of(
        request, episode_uuid, view="api_complaint_reevaluation", perm=Perm.CLIENT_WRITE
    )
    complaint = Complaint.objects.select_related("decision").get(uuid=complaint_id, episode=episode)
    complaint.episode = episode
    if complaint.decision is not None:
        complaint.decision.episode = episode
    complaint = services.complaint_reevaluate(
        complaint=complaint,
        actor=staff.user,
        today=clock.today(staff.organisation),
        **payload.model_dump(),
    )
    new = (
        Decision.objects.select_related("decided_by", "supersedes")
        .filter(supersedes_id=complaint.decision_id)
        .first()
    )
    if new is not None:
        new.episode = episode
    decision_uuid = complaint.decision.uuid if complaint.decision is not None else None
    return ReevaluationOut(
        complaint=complaint_out(complaint, decision_uuid, episode.uuid),
        new_decision=decision_out(new) if new is not None else None,
    )


class ChildConcernIn(Schema):
    child: UUID | None = Field(None, description="One of the client's children under 18.")
    concern: str = ""
    noted_on: datetime.date | None = None


class ChildNotificationOut(Schema):
    id: UUID
    episode: UUID
    child: UUID | None
    concern: str
    concern_noted_on: datetime.date
    noted_by: str
    notified_on: datetime.date | None
    notified_by: str | None
    recipient: str
    reference: str


def notification_out(n: ChildNotification, episode_uuid: UUID) -> ChildNotificationOut:
    return ChildNotificationOut(
        id=n.uuid,
        episode=episode_uuid,
        child=n.child.uuid if n.child else None,
        concern=n.concern,
        concern_noted_on=n.concern_noted_on,
        noted_by=n.noted_by.get_full_name() or n.noted_by.username,
        notified_on=n.notified_on,
        notified_by=(n.notified_by.get_full_name() or n.notified_by.username)
        if n.notified_by
        else None,
        recipient=n.recipient,
        reference=n.reference,
    )


@router.post("/episodes/{episode_id}/child-notifications", response={201: ChildNotificationOut})
def child_concern_create(
    request: HttpRequest, episode_id: UUID, payload: ChildConcernIn
) -> Status[ChildNotificationOut]:
    """DEC-7: concern for a child under 18 at home; the notification is due without delay."""
    episode = _episode_of(
        request, episode_id, view="api_child_concern_create", perm=Perm.CLIENT_WRITE
    )
    child = None
    if payload.child is not None:
        # Any child of this organisation; the service refuses another client's child.
        child = ChildAtHome.objects.filter(
            uuid=payload.child, client__organisation_id=episode.organisation_id
        ).first()
        if child is None:
            raise ValidationFailed(
                "child_not_clients", _("Choose one of the client's children."), field="child"
            )
    notification = services.child_concern_record(
        episode=episode,
        actor=_staff(request).user,
        today=clock.today(_staff(request).organisation),
        concern=payload.concern,
        child=child,
        noted_on=payload.noted_on,
    )
    return Status(201, notification_out(notification, episode.uuid))


class NotifiedIn(Schema):
    recipient: str = ""
    reference: str = Field("", max_length=100)
    notified_on: datetime.date | None = None


@router.post("/child-notifications/{notification_id}/notified", response=ChildNotificationOut)
def child_notification_notified(
    request: HttpRequest, notification_id: UUID, payload: NotifiedIn
) -> ChildNotificationOut:
    """DEC-7: the notification to children's services was made."""
    staff = _staff(request)
    episode_uuid = (
        ChildNotification.objects.filter(
            uuid=notification_id, episode__organisation_id__in=list(staff.memberships)
        )
        .values_list("episode__uuid", flat=True)
        .first()
    )
    episode = _episode_of(
        request, episode_uuid, view="api_child_notification_notified", perm=Perm.CLIENT_WRITE
    )
    notification = ChildNotification.objects.select_related("child", "noted_by").get(
        uuid=notification_id, episode=episode
    )
    notification.episode = episode
    notification = services.child_notification_made(
        notification=notification,
        actor=staff.user,
        today=clock.today(staff.organisation),
        **payload.model_dump(),
    )
    return notification_out(notification, episode.uuid)
