"""Assessment (ASM-1..5): the assessment conversation on its organisation's versioned question
set, the offers made in it, completion, and the TDI intake items.

Every service is keyword-only, typed and atomic; it checks everything before it writes, so a
refusal writes nothing, and it writes an EpisodeEvent in the same transaction. The events carry
no answers: the timeline says that something was recorded, the record says what.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Membership, Organisation, User
from bedring.accounts.selectors import rules_for
from bedring.core import clock
from bedring.core.errors import Conflict, ValidationFailed
from bedring.core.roles import Role

from ..models import Assessment, Episode, QuestionSet, TdiIntake
from ..models.episode import DeadlineKind
from ..offers import resolve_offer
from ..questionnaires import clean_answers, missing_required
from ..states import EpisodeState
from ..tdi import INPUT_FIELDS, derived_fields, validate_tdi
from ..timeline import deadlines_close, record_event
from .episode import episode_for_update, episode_move

MAX_EXTERNAL = 200


# --- Question sets ------------------------------------------------------------------------


@transaction.atomic
def question_set_load(
    *, organisation: Organisation, key: str, title: str, questions: list[dict[str, Any]]
) -> tuple[QuestionSet, bool]:
    """ASM-2: store a question set of a service pack; returns the set and whether it changed.

    The first load is version 1. A changed set becomes the next version and the only current
    one; assessments made on the old version keep it. An unchanged set writes nothing (a set
    taken out of the pack and put back unchanged is made current again).
    """
    versions = QuestionSet.objects.select_for_update(of=("self",)).filter(
        organisation=organisation, key=key
    )
    latest = versions.order_by("-version").first()
    if latest is not None and latest.title == title and latest.questions == questions:
        if not latest.is_current:
            for old in versions.filter(is_current=True):
                old.is_current = False
                old.save(update_fields=["is_current", "updated_at"])
            latest.is_current = True
            latest.save(update_fields=["is_current", "updated_at"])
            return latest, True
        return latest, False
    # One current version per key (a partial unique constraint): retire before creating.
    for old in versions.filter(is_current=True):
        old.is_current = False
        old.save(update_fields=["is_current", "updated_at"])
    created = QuestionSet.objects.create(
        organisation=organisation,
        key=key,
        version=(latest.version + 1) if latest is not None else 1,
        title=title,
        questions=questions,
        is_current=True,
    )
    return created, True


@transaction.atomic
def question_sets_retire(*, organisation: Organisation, keep: Sequence[str]) -> int:
    """A set taken out of the pack is no longer offered for new assessments; it stays for the
    assessments made on it."""
    retired = 0
    for old in QuestionSet.objects.filter(organisation=organisation, is_current=True).exclude(
        key__in=list(keep)
    ):
        old.is_current = False
        old.save(update_fields=["is_current", "updated_at"])
        retired += 1
    return retired


def current_question_sets(organisation: Organisation) -> list[QuestionSet]:
    return list(
        QuestionSet.objects.filter(organisation=organisation, is_current=True).order_by("key")
    )


def _question_set_for(organisation: Organisation, key: str | None) -> QuestionSet:
    sets = current_question_sets(organisation)
    if key:
        for candidate in sets:
            if candidate.key == key:
                return candidate
        raise ValidationFailed(
            "unknown_question_set",
            _("The organisation has no question set of that name."),
            field="question_set",
            details={"available": [s.key for s in sets]},
        )
    if not sets:
        raise Conflict(
            "no_question_set",
            _("The organisation has no question set; load its service pack first."),
        )
    if len(sets) > 1:
        raise ValidationFailed(
            "question_set_required",
            _("Choose the question set."),
            field="question_set",
            details={"available": [s.key for s in sets]},
        )
    return sets[0]


# --- Assessments -----------------------------------------------------------------------------


def _check_open(episode: Episode) -> None:
    if not episode.is_open:
        raise Conflict("episode_closed", _("The episode has ended."))


def _lock(assessment: Assessment) -> Assessment:
    """Lock the assessment row: two people saving one assessment at once queue up."""
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("episode", "episode__organisation", "episode__client", "question_set")
        .get(pk=assessment.pk)
    )


def _check_editable(assessment: Assessment) -> None:
    _check_open(assessment.episode)
    if assessment.completed_at is not None:
        raise Conflict(
            "assessment_completed",
            _("The assessment is completed; start a new one to record more."),
        )


def _check_text(value: str, field: str, limit: int) -> str:
    value = value.strip()
    if len(value) > limit:
        raise ValidationFailed(
            "too_long", _("At most %(max)s characters.") % {"max": limit}, field=field
        )
    return value


def _check_doctor(organisation: Organisation, doctor: User | None) -> None:
    """ASM-1: the doctor in the intake is a doctor of this organisation."""
    if doctor is None:
        return
    membership = Membership.objects.filter(
        user=doctor, organisation=organisation, is_active=True
    ).first()
    if membership is None or Role.DOCTOR.value not in membership.roles:
        raise ValidationFailed(
            "not_a_doctor", _("Choose a doctor of this organisation."), field="doctor"
        )


@transaction.atomic
def assessment_start(
    *,
    episode: Episode,
    actor: User,
    conducted_on: datetime.date | None = None,
    question_set_key: str | None = None,
    external_requested_from: str = "",
    today: datetime.date | None = None,
) -> Assessment:
    """ASM-2 (kortlægning), ASM-4 (NO mapping), ASM-1 (BE intake): start an assessment on the
    organisation's current question set. An episode still at the inquiry moves to assessment;
    a later assessment (feedback, re-assessment, ASM-5 one requested from a GP or specialist
    services) is added to the open episode as it is."""
    episode = episode_for_update(episode)
    _check_open(episode)
    question_set = _question_set_for(episode.organisation, question_set_key)
    today = today or clock.today(episode.organisation)
    conducted_on = conducted_on or today
    if conducted_on > today:
        raise ValidationFailed(
            "conducted_on_future",
            _("The assessment cannot take place in the future."),
            field="conducted_on",
        )
    if conducted_on < episode.opened_on:
        raise ValidationFailed(
            "conducted_before_inquiry",
            _("The assessment cannot be before the inquiry."),
            field="conducted_on",
        )
    external = _check_text(external_requested_from, "external_requested_from", MAX_EXTERNAL)
    if episode.state == EpisodeState.INQUIRY:
        episode_move(
            episode=episode,
            actor=actor,
            to_state=EpisodeState.ASSESSMENT,
            summary=str(_("Assessment started")),
        )
    assessment = Assessment.objects.create(
        episode=episode,
        question_set=question_set,
        conducted_on=conducted_on,
        counsellor=actor,
        external_requested_from=external,
    )
    record_event(
        episode=episode,
        actor=actor,
        kind="assessment",
        summary=question_set.title,
        data={
            "assessment": str(assessment.uuid),
            "question_set": question_set.key,
            "version": question_set.version,
            "conducted_on": conducted_on.isoformat(),
        },
    )
    return assessment


def _apply_answers(assessment: Assessment, answers: Mapping[str, Any]) -> int:
    assessment.answers = clean_answers(assessment.question_set.questions, answers)
    return len(assessment.answers)


@transaction.atomic
def assessment_save_answers(
    *, assessment: Assessment, actor: User, answers: Mapping[str, Any]
) -> Assessment:
    """ASM-2, ASM-4: the answers to the question set, all of them (what is left out is not
    answered). Checked against the assessment's own version of the set: an unknown question,
    a wrong type or a choice not offered is refused with the question as the field."""
    assessment = _lock(assessment)
    _check_editable(assessment)
    answered = _apply_answers(assessment, answers)
    assessment.save(update_fields=["answers", "updated_at"])
    record_event(
        episode=assessment.episode,
        actor=actor,
        kind="assessment_saved",
        data={"assessment": str(assessment.uuid), "answered": answered},
    )
    return assessment


def _apply_offers(
    assessment: Assessment,
    *,
    veteran: bool | None,
    doctor_conversation_offered: bool,
    action_plan_offered: bool,
    consents_discussed: bool,
    doctor: User | None,
    external_requested_from: str,
    summary: str,
    recommendation: str = "",
    recommended_offer: str = "",
) -> None:
    _check_doctor(assessment.episode.organisation, doctor)
    # REF-2, DEC-3: the recommendation that reaches the authority; the offer is one of the
    # organisation's catalogue (unknown_offer, offer_other_organisation).
    offer = resolve_offer(
        assessment.episode.organisation_id, recommended_offer, field="recommended_offer"
    )
    assessment.recommendation = recommendation.strip()
    assessment.recommended_offer = offer.key if offer is not None else ""
    assessment.external_requested_from = _check_text(
        external_requested_from, "external_requested_from", MAX_EXTERNAL
    )
    assessment.summary = summary.strip()
    assessment.veteran = veteran
    assessment.doctor_conversation_offered = doctor_conversation_offered
    assessment.action_plan_offered = action_plan_offered
    assessment.consents_discussed = consents_discussed
    assessment.doctor = doctor


OFFER_FIELDS = [
    "veteran",
    "doctor_conversation_offered",
    "action_plan_offered",
    "consents_discussed",
    "doctor",
    "external_requested_from",
    "summary",
    "recommendation",
    "recommended_offer",
    "updated_at",
]


@transaction.atomic
def assessment_record_offers(
    *,
    assessment: Assessment,
    actor: User,
    veteran: bool | None,
    doctor_conversation_offered: bool,
    action_plan_offered: bool,
    consents_discussed: bool,
    doctor: User | None = None,
    external_requested_from: str = "",
    summary: str = "",
    recommendation: str = "",
    recommended_offer: str = "",
) -> Assessment:
    """ASM-2: whether the person has been deployed as a soldier (None: not asked), the offer
    of a doctor's or nurse's conversation, consents, the offer of an action plan (SEL § 141);
    ASM-1: the doctor who took part in the intake; ASM-5: an assessment requested from a GP,
    specialist services or others. All of them are given (what is left out is cleared)."""
    assessment = _lock(assessment)
    _check_editable(assessment)
    _apply_offers(
        assessment,
        veteran=veteran,
        doctor_conversation_offered=doctor_conversation_offered,
        action_plan_offered=action_plan_offered,
        consents_discussed=consents_discussed,
        doctor=doctor,
        external_requested_from=external_requested_from,
        summary=summary,
        recommendation=recommendation,
        recommended_offer=recommended_offer,
    )
    assessment.save(update_fields=OFFER_FIELDS)
    record_event(
        episode=assessment.episode,
        actor=actor,
        kind="assessment_saved",
        data={"assessment": str(assessment.uuid)},
    )
    return assessment


@transaction.atomic
def assessment_save(
    *,
    assessment: Assessment,
    actor: User,
    answers: Mapping[str, Any],
    veteran: bool | None,
    doctor_conversation_offered: bool,
    action_plan_offered: bool,
    consents_discussed: bool,
    doctor: User | None = None,
    external_requested_from: str = "",
    summary: str = "",
    recommendation: str = "",
    recommended_offer: str = "",
) -> Assessment:
    """ASM-1, ASM-2, ASM-4, ASM-5: the assessment page's one form, answers and offers together,
    all or nothing."""
    assessment = _lock(assessment)
    _check_editable(assessment)
    answered = _apply_answers(assessment, answers)
    _apply_offers(
        assessment,
        veteran=veteran,
        doctor_conversation_offered=doctor_conversation_offered,
        action_plan_offered=action_plan_offered,
        consents_discussed=consents_discussed,
        doctor=doctor,
        external_requested_from=external_requested_from,
        summary=summary,
        recommendation=recommendation,
        recommended_offer=recommended_offer,
    )
    assessment.save(update_fields=["answers", *OFFER_FIELDS])
    record_event(
        episode=assessment.episode,
        actor=actor,
        kind="assessment_saved",
        data={"assessment": str(assessment.uuid), "answered": answered},
    )
    return assessment


@transaction.atomic
def assessment_complete(
    *, assessment: Assessment, actor: User, at: datetime.datetime | None = None
) -> Assessment:
    """ASM-2: the assessment is complete when every required question is answered; ASM-1 (BE,
    ``intake_requires_doctor``): the intake is with a counsellor and a doctor, so a doctor must
    be recorded. Closes the assessment deadline (ASM-4's mapping period, or the organisation's
    assessment days) as met or met late by the day the assessment took place."""
    assessment = _lock(assessment)
    _check_editable(assessment)
    missing = missing_required(assessment.question_set.questions, assessment.answers)
    if missing:
        raise ValidationFailed(
            "answers_missing",
            _("Answer every required question before completing the assessment."),
            field=missing[0],
            details={"missing": missing},
        )
    if rules_for(assessment.episode.organisation).intake_requires_doctor and (
        assessment.doctor_id is None
    ):
        raise ValidationFailed(
            "doctor_required",
            _("The intake is with a counsellor and a doctor: record the doctor."),
            field="doctor",
        )
    assessment.completed_at = at or clock.now()
    assessment.completed_by = actor
    assessment.save(update_fields=["completed_at", "completed_by", "updated_at"])
    deadlines_close(
        episode=assessment.episode, kinds=[DeadlineKind.ASSESSMENT], on=assessment.conducted_on
    )
    record_event(
        episode=assessment.episode,
        actor=actor,
        kind="assessment_completed",
        summary=assessment.question_set.title,
        data={"assessment": str(assessment.uuid)},
    )
    return assessment


# --- TDI -------------------------------------------------------------------------------------


@transaction.atomic
def assessment_save_tdi(
    *, assessment: Assessment, actor: User, data: Mapping[str, Any]
) -> TdiIntake:
    """The EUDA TDI 3.0 intake items (bedring.pathway.tdi), all of them (what is left out is
    not asked). May be completed after the assessment, while the episode is open: the items
    are often coded afterwards. Refused as a whole with ``tdi_invalid`` and the problems per
    field in ``details["fields"]``."""
    assessment = _lock(assessment)
    _check_open(assessment.episode)
    client_age = assessment.episode.client.age_on(assessment.conducted_on)
    problems = validate_tdi(data, client_age)
    if problems:
        first = next(iter(problems))
        raise ValidationFailed(
            "tdi_invalid",
            _("Some TDI items are not valid."),
            field=first,
            details={
                "fields": {
                    name: {"code": p.code, "message": str(p.message)}
                    for name, p in problems.items()
                }
            },
        )
    values: dict[str, Any] = {name: data.get(name) for name in INPUT_FIELDS}
    values["nationality"] = values["nationality"] or ""
    values["secondary_substances"] = [
        {key: item.get(key) for key in ("substance", "route", "frequency", "age_first_use")}
        for item in (values["secondary_substances"] or [])
    ]
    values.update(derived_fields(data))
    tdi, created = TdiIntake.objects.update_or_create(assessment=assessment, defaults=values)
    record_event(
        episode=assessment.episode,
        actor=actor,
        kind="tdi",
        data={"assessment": str(assessment.uuid), "created": created},
    )
    return tdi
