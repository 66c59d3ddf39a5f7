"""Assessments (ASM-1..5) and their TDI intake items in /api/v1/: the same services, rules and
error codes as the HTML pages. An assessment of another organisation is 404."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from bedring.accounts.access import Staff
from bedring.accounts.models import User
from bedring.core import clock
from bedring.core.errors import ValidationFailed
from bedring.core.roles import Perm

from ..access import episode_for
from ..models import Assessment, Episode, TdiIntake
from ..services import assessment as services

router = Router(tags=["assessment"])


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


def _assessment(
    request: HttpRequest, assessment_id: UUID, *, view: str, perm: Perm = Perm.CLIENT_READ
) -> Assessment:
    """The assessment through its episode's permission-checked getter: 404 for another
    organisation (its existence is not revealed), 403 without the permission, the read
    logged on the client."""
    staff = _staff(request)
    episode_uuid = (
        Assessment.objects.filter(
            uuid=assessment_id, episode__organisation_id__in=list(staff.memberships)
        )
        .values_list("episode__uuid", flat=True)
        .first()
    )
    if episode_uuid is None:
        raise Http404
    episode = episode_for(request, staff, episode_uuid, view=view, perm=perm, channel="api")
    assessment = Assessment.objects.select_related(
        "question_set", "counsellor", "doctor", "completed_by", "tdi"
    ).get(uuid=assessment_id, episode=episode)
    assessment.episode = episode
    return assessment


class QuestionSetOut(Schema):
    key: str
    version: int
    title: str
    questions: list[dict[str, Any]]


class SecondarySubstance(Schema):
    substance: int
    route: int | None = None
    frequency: int | None = None
    age_first_use: int | None = None


class TdiIn(Schema):
    """The TDI 3.0 items as codes (bedring.pathway.tdi); a missing item is not asked, 99 is
    "not known". ``injected_last_30_days`` follows from ``ever_injected``."""

    previously_treated: int | None = None
    referral_source: int | None = None
    living_with: int | None = None
    living_where: int | None = None
    children: int | None = None
    nationality: str = Field("", max_length=2, description="ISO 3166 alpha-2, e.g. DK")
    education: int | None = None
    labour_status: int | None = None
    primary_substance: int | None = None
    primary_route: int | None = None
    primary_frequency: int | None = None
    primary_age_first_use: int | None = None
    secondary_substances: list[SecondarySubstance] = Field(default_factory=list)
    ever_injected: int | None = None
    age_first_injection: int | None = None
    ever_shared_equipment: int | None = None
    opioid_substitution_ever: int | None = None
    opioid_substitution_age_first: int | None = None


class TdiOut(TdiIn):
    injected_last_30_days: int | None = None


class AssessmentOut(Schema):
    id: UUID
    episode: UUID
    question_set: QuestionSetOut
    conducted_on: datetime.date
    counsellor: str
    doctor: str | None
    answers: dict[str, Any]
    veteran: bool | None
    doctor_conversation_offered: bool
    action_plan_offered: bool
    consents_discussed: bool
    external_requested_from: str
    summary: str
    recommendation: str
    recommended_offer: str
    completed_at: datetime.datetime | None
    completed_by: str | None
    tdi: TdiOut | None


def tdi_out(intake: TdiIntake) -> TdiOut:
    return TdiOut(
        previously_treated=intake.previously_treated,
        referral_source=intake.referral_source,
        living_with=intake.living_with,
        living_where=intake.living_where,
        children=intake.children,
        nationality=intake.nationality,
        education=intake.education,
        labour_status=intake.labour_status,
        primary_substance=intake.primary_substance,
        primary_route=intake.primary_route,
        primary_frequency=intake.primary_frequency,
        primary_age_first_use=intake.primary_age_first_use,
        secondary_substances=[SecondarySubstance(**item) for item in intake.secondary_substances],
        ever_injected=intake.ever_injected,
        age_first_injection=intake.age_first_injection,
        ever_shared_equipment=intake.ever_shared_equipment,
        opioid_substitution_ever=intake.opioid_substitution_ever,
        opioid_substitution_age_first=intake.opioid_substitution_age_first,
        injected_last_30_days=intake.injected_last_30_days,
    )


def assessment_out(a: Assessment, episode: Episode) -> AssessmentOut:
    try:
        intake: TdiIntake | None = a.tdi
    except TdiIntake.DoesNotExist:
        intake = None
    return AssessmentOut(
        id=a.uuid,
        episode=episode.uuid,
        question_set=QuestionSetOut(
            key=a.question_set.key,
            version=a.question_set.version,
            title=a.question_set.title,
            questions=a.question_set.questions,
        ),
        conducted_on=a.conducted_on,
        counsellor=a.counsellor.username,
        doctor=a.doctor.username if a.doctor else None,
        answers=a.answers,
        veteran=a.veteran,
        doctor_conversation_offered=a.doctor_conversation_offered,
        action_plan_offered=a.action_plan_offered,
        consents_discussed=a.consents_discussed,
        external_requested_from=a.external_requested_from,
        summary=a.summary,
        recommendation=a.recommendation,
        recommended_offer=a.recommended_offer,
        completed_at=a.completed_at,
        completed_by=a.completed_by.username if a.completed_by else None,
        tdi=tdi_out(intake) if intake is not None else None,
    )


def _reloaded(assessment_id: UUID, episode: Episode) -> AssessmentOut:
    assessment = Assessment.objects.select_related(
        "question_set", "counsellor", "doctor", "completed_by", "tdi"
    ).get(uuid=assessment_id, episode=episode)
    return assessment_out(assessment, episode)


class AssessmentIn(Schema):
    conducted_on: datetime.date | None = Field(None, description="Default: today.")
    question_set: str | None = Field(
        None, description="The key; needed when the organisation has several question sets."
    )
    external_requested_from: str = Field(
        "", max_length=200, description="ASM-5: the GP, specialist service or other assessing."
    )


@router.post("/episodes/{episode_id}/assessments", response={201: AssessmentOut})
def assessment_create(
    request: HttpRequest, episode_id: UUID, payload: AssessmentIn
) -> Status[AssessmentOut]:
    """ASM-1, ASM-2, ASM-4, ASM-5: start an assessment on the organisation's current question
    set; an episode at the inquiry moves to assessment. A closed episode is 409."""
    staff = _staff(request)
    episode = episode_for(
        request,
        staff,
        episode_id,
        view="api_assessment_create",
        perm=Perm.CLIENT_WRITE,
        channel="api",
    )
    assessment = services.assessment_start(
        episode=episode,
        actor=staff.user,
        today=clock.today(staff.organisation),
        conducted_on=payload.conducted_on,
        question_set_key=payload.question_set,
        external_requested_from=payload.external_requested_from,
    )
    return Status(201, _reloaded(assessment.uuid, episode))


@router.get("/assessments/{assessment_id}", response=AssessmentOut)
def assessment_detail(request: HttpRequest, assessment_id: UUID) -> AssessmentOut:
    """The assessment with its question set version, answers, offers and TDI items."""
    assessment = _assessment(request, assessment_id, view="api_assessment_detail")
    return assessment_out(assessment, assessment.episode)


class AnswersIn(Schema):
    answers: dict[str, Any] = Field(
        ..., description="Question key: answer. All of them: a question left out is unanswered."
    )


@router.put("/assessments/{assessment_id}/answers", response=AssessmentOut)
def assessment_answers(
    request: HttpRequest, assessment_id: UUID, payload: AnswersIn
) -> AssessmentOut:
    """ASM-2, ASM-4: the answers, checked against the assessment's version of the question set
    (``unknown_question``, ``wrong_type``, ``invalid_choice``; 422 with the question as field).
    A completed assessment is 409 ``assessment_completed``."""
    assessment = _assessment(
        request, assessment_id, view="api_assessment_answers", perm=Perm.CLIENT_WRITE
    )
    services.assessment_save_answers(
        assessment=assessment, actor=_staff(request).user, answers=payload.answers
    )
    return _reloaded(assessment_id, assessment.episode)


class OffersIn(Schema):
    veteran: bool | None = Field(None, description="Deployed as a soldier; null: not asked.")
    doctor_conversation_offered: bool = False
    action_plan_offered: bool = Field(False, description="SEL § 141 (DK).")
    consents_discussed: bool = False
    doctor: str | None = Field(
        None, description="Username of the doctor who took part (ASM-1; required in BE)."
    )
    external_requested_from: str = Field("", max_length=200)
    summary: str = ""
    recommendation: str = Field(
        "", description="REF-2, DEC-3: the counsellor's recommendation to the authority."
    )
    recommended_offer: str = Field(
        "",
        max_length=100,
        description="The offer recommended: its key in the catalogue or its id "
        "(unknown_offer, offer_other_organisation).",
    )


@router.put("/assessments/{assessment_id}/offers", response=AssessmentOut)
def assessment_offers(
    request: HttpRequest, assessment_id: UUID, payload: OffersIn
) -> AssessmentOut:
    """ASM-2: veteran, offers and consents; ASM-1: the doctor in the intake (``not_a_doctor``
    when the user is not a doctor of the organisation); ASM-5: assessment requested from."""
    assessment = _assessment(
        request, assessment_id, view="api_assessment_offers", perm=Perm.CLIENT_WRITE
    )
    doctor: User | None = None
    if payload.doctor:
        doctor = User.objects.filter(username=payload.doctor, is_active=True).first()
        if doctor is None:
            raise ValidationFailed(
                "not_a_doctor", _("Choose a doctor of this organisation."), field="doctor"
            )
    services.assessment_record_offers(
        assessment=assessment,
        actor=_staff(request).user,
        veteran=payload.veteran,
        doctor_conversation_offered=payload.doctor_conversation_offered,
        action_plan_offered=payload.action_plan_offered,
        consents_discussed=payload.consents_discussed,
        doctor=doctor,
        external_requested_from=payload.external_requested_from,
        summary=payload.summary,
        recommendation=payload.recommendation,
        recommended_offer=payload.recommended_offer,
    )
    return _reloaded(assessment_id, assessment.episode)


@router.put("/assessments/{assessment_id}/tdi", response=TdiOut)
def assessment_tdi(request: HttpRequest, assessment_id: UUID, payload: TdiIn) -> TdiOut:
    """The EUDA TDI 3.0 intake items, all of them. Invalid items are refused together: 422
    ``tdi_invalid`` with ``details.fields`` (field path: code and message)."""
    assessment = _assessment(
        request, assessment_id, view="api_assessment_tdi", perm=Perm.CLIENT_WRITE
    )
    data = payload.model_dump()
    data["secondary_substances"] = [dict(item) for item in data["secondary_substances"]]
    intake = services.assessment_save_tdi(
        assessment=assessment, actor=_staff(request).user, data=data
    )
    return tdi_out(intake)


@router.post("/assessments/{assessment_id}/complete", response=AssessmentOut)
def assessment_complete(request: HttpRequest, assessment_id: UUID) -> AssessmentOut:
    """ASM-2: every required question answered (``answers_missing``, details.missing);
    ASM-1 (BE): a doctor recorded (``doctor_required``). Closes the assessment deadline."""
    assessment = _assessment(
        request, assessment_id, view="api_assessment_complete", perm=Perm.CLIENT_WRITE
    )
    services.assessment_complete(assessment=assessment, actor=_staff(request).user)
    return _reloaded(assessment_id, assessment.episode)
