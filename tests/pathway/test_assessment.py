"""The assessment conversation through its services (ASM-1..5): started on the organisation's
question set, answers checked against it, offers recorded, completed by the rules of the
jurisdiction. Every refusal has a stable code and writes nothing."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta

from bedring.accounts.models import Organisation, User
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.errors import Conflict, DomainError, ValidationFailed
from bedring.core.roles import Role
from bedring.pathway.models import Assessment, Deadline, Episode, EpisodeEvent, QuestionSet
from bedring.pathway.models.episode import DeadlineStatus
from bedring.pathway.services import assessment as services
from bedring.pathway.services.episode import episode_withdraw
from bedring.pathway.states import EpisodeState
from tests.conftest import TODAY
from tests.pathway.conftest import at

D = datetime.date
NO_INQUIRY = TODAY - datetime.timedelta(days=6)


def answer_everything(question_set: QuestionSet) -> dict[str, Any]:
    """A valid answer to every question of a set."""
    sample = {"text": "In the client's words", "bool": True, "number": 3, "date": "2026-11-20"}
    return {
        q["key"]: q["choices"][0]["value"] if q["type"] == "choice" else sample[q["type"]]
        for q in question_set.questions
    }


def rows() -> dict[str, int]:
    return {
        "assessments": Assessment.objects.count(),
        "events": EpisodeEvent.objects.count(),
        "log": LogEntry.objects.count(),
    }


def refused(error_class: type[DomainError], call: Callable[..., Any], **kwargs: Any) -> Any:
    before = rows()
    with pytest.raises(error_class) as caught:
        call(**kwargs)
    assert rows() == before, "a refused call wrote something"
    return caught.value


@pytest.fixture
def no_episode(org_no: Organisation, make_client, open_episode) -> Episode:
    """A Sandnes episode whose inquiry came six days before the declared day."""
    received_at = at(org_no, NO_INQUIRY.year, NO_INQUIRY.month, NO_INQUIRY.day, 10)
    return open_episode(make_client(org_no), received_at=received_at)


@pytest.fixture
def be_episode(org_be: Organisation, make_client, open_episode) -> Episode:
    return open_episode(make_client(org_be))


@pytest.fixture
def started(dk_episode: Episode, counsellor: User) -> Assessment:
    return services.assessment_start(episode=dk_episode, actor=counsellor)


# --- Starting -------------------------------------------------------------------------------


def test_starting_the_assessment_moves_the_episode_from_inquiry_to_assessment(
    dk_episode, counsellor
):
    """ASM-2: the kortlægning starts on Sønderborg's current question set."""
    # Given an episode at the inquiry
    assert dk_episode.state == EpisodeState.INQUIRY
    # When the counsellor starts the assessment
    assessment = services.assessment_start(episode=dk_episode, actor=counsellor)
    # Then the episode is in assessment, the assessment uses the current set, and both are
    # on the timeline
    dk_episode.refresh_from_db()
    assert dk_episode.state == EpisodeState.ASSESSMENT
    assert assessment.question_set.key == "assessment-dk"
    assert assessment.question_set.is_current
    assert assessment.counsellor == counsellor
    assert assessment.conducted_on == clock.today(dk_episode.organisation)
    kinds = list(EpisodeEvent.objects.filter(episode=dk_episode).values_list("kind", flat=True))
    assert kinds[-2:] == ["state", "assessment"]


def test_a_further_assessment_requested_from_a_gp_keeps_the_episodes_state(started, counsellor):
    """ASM-5: an assessment by a GP or specialist services is added to the open episode."""
    episode = started.episode
    second = services.assessment_start(
        episode=episode, actor=counsellor, external_requested_from="  Dr. Hansen, GP  "
    )
    episode.refresh_from_db()
    assert episode.state == EpisodeState.ASSESSMENT
    assert second.external_requested_from == "Dr. Hansen, GP"
    assert episode.assessments.count() == 2


@pytest.mark.parametrize(
    ("conducted_on", "code"),
    [(D(2030, 1, 1), "conducted_on_future"), (D(2026, 11, 16), "conducted_before_inquiry")],
)
def test_an_assessment_is_dated_between_the_inquiry_and_today(
    dk_episode, counsellor, conducted_on, code
):
    """ASM-2: the conversation has taken place, after the inquiry of 17 November."""
    error = refused(
        ValidationFailed,
        services.assessment_start,
        episode=dk_episode,
        actor=counsellor,
        conducted_on=conducted_on,
    )
    assert (error.code, error.field) == (code, "conducted_on")
    dk_episode.refresh_from_db()
    assert dk_episode.state == EpisodeState.INQUIRY


def test_an_ended_episode_gets_no_assessment(dk_episode, counsellor):
    episode_withdraw(episode=dk_episode, actor=counsellor, reason="Moved away")
    error = refused(Conflict, services.assessment_start, episode=dk_episode, actor=counsellor)
    assert error.code == "episode_closed"


def test_an_organisation_without_a_question_set_cannot_start_one(dk_episode, counsellor):
    services.question_sets_retire(organisation=dk_episode.organisation, keep=[])
    error = refused(Conflict, services.assessment_start, episode=dk_episode, actor=counsellor)
    assert error.code == "no_question_set"


def test_an_unknown_question_set_is_refused_with_the_available_ones(dk_episode, counsellor):
    error = refused(
        ValidationFailed,
        services.assessment_start,
        episode=dk_episode,
        actor=counsellor,
        question_set_key="assessment-no",
    )
    assert (error.code, error.field) == ("unknown_question_set", "question_set")
    assert error.details["available"] == ["assessment-dk"]


# --- Answers --------------------------------------------------------------------------------


def test_answers_of_every_type_are_stored_as_given(started, counsellor):
    """ASM-2: text, choice, yes/no, number and date answers."""
    answers = {
        "substances_used": "  Heroin daily, alcohol at weekends ",
        "earlier_treatment": "group",
        "children_at_home": False,
        "alcohol_units_week": 14,
        "doctor_conversation_on": "2026-11-30",
        "network": "",
        "mental_health": None,
    }
    saved = services.assessment_save_answers(assessment=started, actor=counsellor, answers=answers)
    saved.refresh_from_db()
    # Blank and missing answers are "not answered yet", text is trimmed.
    assert saved.answers == {
        "substances_used": "Heroin daily, alcohol at weekends",
        "earlier_treatment": "group",
        "children_at_home": False,
        "alcohol_units_week": 14,
        "doctor_conversation_on": "2026-11-30",
    }
    event = EpisodeEvent.objects.filter(kind="assessment_saved").get()
    assert event.data == {"assessment": str(saved.uuid), "answered": 5}
    assert "Heroin" not in str(event.data) + event.summary  # the timeline holds no answers


BAD_ANSWERS = [
    ({"no_such_question": "x"}, "unknown_question", "no_such_question"),
    ({"substances_used": 12}, "wrong_type", "substances_used"),
    ({"children_at_home": "yes"}, "wrong_type", "children_at_home"),
    ({"alcohol_units_week": "14"}, "wrong_type", "alcohol_units_week"),
    ({"alcohol_units_week": True}, "wrong_type", "alcohol_units_week"),
    ({"doctor_conversation_on": "30/11/2026"}, "wrong_type", "doctor_conversation_on"),
    ({"earlier_treatment": "hypnosis"}, "invalid_choice", "earlier_treatment"),
    ({"housing": ["own_home"]}, "invalid_choice", "housing"),
    ({"network": "x" * 5001}, "answer_too_long", "network"),
]


@pytest.mark.parametrize(("answers", "code", "field"), BAD_ANSWERS)
def test_a_bad_answer_is_refused_with_its_code_and_question_and_writes_nothing(
    started, counsellor, answers, code, field
):
    """ASM-2: answers are checked against the assessment's version of the question set."""
    # Given an assessment with an earlier answer
    services.assessment_save_answers(
        assessment=started, actor=counsellor, answers={"network": "Sister"}
    )
    # When a bad answer is saved
    error = refused(
        ValidationFailed,
        services.assessment_save_answers,
        assessment=started,
        actor=counsellor,
        answers=answers,
    )
    # Then it is refused, naming the question, and the earlier answers are untouched
    assert (error.code, error.field) == (code, field)
    started.refresh_from_db()
    assert started.answers == {"network": "Sister"}


def test_every_bad_answer_is_reported_at_once(started, counsellor):
    error = refused(
        ValidationFailed,
        services.assessment_save_answers,
        assessment=started,
        actor=counsellor,
        answers={"housing": "castle", "children_at_home": 1, "network": "fine"},
    )
    assert set(error.details["errors"]) == {"housing", "children_at_home"}
    assert error.details["errors"]["housing"]["code"] == "invalid_choice"


# --- Offers ---------------------------------------------------------------------------------


def test_the_offers_of_the_kortlaegning_are_recorded(started, counsellor, doctor):
    """ASM-2: veteran, doctor's conversation, consents, action plan (SEL § 141)."""
    services.assessment_record_offers(
        assessment=started,
        actor=counsellor,
        veteran=True,
        doctor_conversation_offered=True,
        action_plan_offered=True,
        consents_discussed=True,
        doctor=doctor,
        summary=" Motivated. ",
    )
    started.refresh_from_db()
    assert started.veteran is True
    assert started.doctor_conversation_offered
    assert started.action_plan_offered
    assert started.consents_discussed
    assert started.doctor == doctor
    assert started.summary == "Motivated."


def test_veteran_not_asked_is_not_the_same_as_no(started, counsellor):
    services.assessment_record_offers(
        assessment=started,
        actor=counsellor,
        veteran=None,
        doctor_conversation_offered=False,
        action_plan_offered=False,
        consents_discussed=False,
    )
    started.refresh_from_db()
    assert started.veteran is None


def test_only_a_doctor_of_the_organisation_can_be_the_doctor(
    started, counsellor, make_staff, org_no
):
    """ASM-1: the doctor in the intake is a doctor here."""
    for not_a_doctor in (
        make_staff(started.episode.organisation, Role.NURSE),
        make_staff(org_no, Role.DOCTOR),
    ):
        error = refused(
            ValidationFailed,
            services.assessment_record_offers,
            assessment=started,
            actor=counsellor,
            veteran=None,
            doctor_conversation_offered=False,
            action_plan_offered=False,
            consents_discussed=False,
            doctor=not_a_doctor,
        )
        assert (error.code, error.field) == ("not_a_doctor", "doctor")


def test_saving_answers_and_offers_together_is_all_or_nothing(started, counsellor, make_staff):
    nurse = make_staff(started.episode.organisation, Role.NURSE)
    error = refused(
        ValidationFailed,
        services.assessment_save,
        assessment=started,
        actor=counsellor,
        answers={"network": "Sister"},
        veteran=True,
        doctor_conversation_offered=True,
        action_plan_offered=False,
        consents_discussed=False,
        doctor=nurse,
    )
    assert error.code == "not_a_doctor"
    started.refresh_from_db()
    assert (started.answers, started.veteran) == ({}, None)


# --- Completion -----------------------------------------------------------------------------


def test_completing_needs_every_required_answer(started, counsellor):
    """ASM-2: the assessment is complete when the required questions are answered."""
    # Given an assessment with only some answers
    services.assessment_save_answers(
        assessment=started, actor=counsellor, answers={"substances_used": "Cannabis"}
    )
    # When it is completed
    error = refused(
        ValidationFailed, services.assessment_complete, assessment=started, actor=counsellor
    )
    # Then it is refused, listing what is missing in the set's order
    required = [q["key"] for q in started.question_set.questions if q.get("required")]
    assert error.code == "answers_missing"
    assert error.details["missing"] == [k for k in required if k != "substances_used"]
    assert error.field == error.details["missing"][0]
    started.refresh_from_db()
    assert started.completed_at is None


def test_a_complete_assessment_is_completed_and_then_closed_for_changes(started, counsellor):
    """ASM-2: completed with who and when; further changes are refused (409)."""
    services.assessment_save_answers(
        assessment=started, actor=counsellor, answers=answer_everything(started.question_set)
    )
    services.assessment_complete(assessment=started, actor=counsellor)
    started.refresh_from_db()
    assert started.completed_at is not None
    assert started.completed_by == counsellor
    assert EpisodeEvent.objects.filter(kind="assessment_completed").count() == 1
    # When anything is changed afterwards
    for call, kwargs in (
        (services.assessment_save_answers, {"answers": {}}),
        (services.assessment_complete, {}),
        (
            services.assessment_record_offers,
            {
                "veteran": None,
                "doctor_conversation_offered": False,
                "action_plan_offered": False,
                "consents_discussed": False,
            },
        ),
    ):
        error = refused(Conflict, call, assessment=started, actor=counsellor, **kwargs)
        assert error.code == "assessment_completed"


def test_completing_the_norwegian_mapping_closes_the_mapping_deadline(
    no_episode, org_no, make_staff
):
    """ASM-4: the mapping period (3 months from the inquiry) is met by the completed mapping."""
    counsellor = make_staff(org_no, Role.COUNSELLOR)
    deadline = Deadline.objects.get(episode=no_episode, kind="assessment")
    assert deadline.due_on == NO_INQUIRY + relativedelta(months=3)
    assessment = services.assessment_start(episode=no_episode, actor=counsellor)
    assert assessment.question_set.key == "assessment-no"
    services.assessment_save_answers(
        assessment=assessment,
        actor=counsellor,
        answers=answer_everything(assessment.question_set),
    )
    services.assessment_complete(assessment=assessment, actor=counsellor)
    deadline.refresh_from_db()
    assert (deadline.status, deadline.closed_on) == (DeadlineStatus.MET, assessment.conducted_on)


def test_the_belgian_intake_cannot_be_completed_without_a_doctor(be_episode, org_be, make_staff):
    """ASM-1: the MSOC intake is a conversation with a counsellor and with a doctor."""
    # Given a fully answered intake at MSOC, without a doctor recorded
    counsellor = make_staff(org_be, Role.COUNSELLOR)
    assessment = services.assessment_start(episode=be_episode, actor=counsellor)
    assert assessment.question_set.key == "intake-be"
    services.assessment_save_answers(
        assessment=assessment,
        actor=counsellor,
        answers=answer_everything(assessment.question_set),
    )
    # When it is completed, it is refused
    error = refused(
        ValidationFailed, services.assessment_complete, assessment=assessment, actor=counsellor
    )
    assert (error.code, error.field) == ("doctor_required", "doctor")
    # When the doctor is recorded, it completes
    services.assessment_record_offers(
        assessment=assessment,
        actor=counsellor,
        veteran=None,
        doctor_conversation_offered=True,
        action_plan_offered=False,
        consents_discussed=True,
        doctor=make_staff(org_be, Role.DOCTOR),
    )
    services.assessment_complete(assessment=assessment, actor=counsellor)
    assessment.refresh_from_db()
    assert assessment.completed_at is not None


def test_a_danish_assessment_needs_no_doctor(started, counsellor):
    """ASM-1 is Belgian: the Danish rule pack does not require a doctor at the assessment."""
    services.assessment_save_answers(
        assessment=started, actor=counsellor, answers=answer_everything(started.question_set)
    )
    services.assessment_complete(assessment=started, actor=counsellor)
    started.refresh_from_db()
    assert started.doctor is None
    assert started.completed_at is not None


def test_an_organisation_override_can_require_a_doctor(started, counsellor):
    """ASM-1 as data: any organisation may require the doctor through its rule overrides."""
    organisation = started.episode.organisation
    organisation.rule_overrides = {"intake_requires_doctor": True}
    organisation.save()
    services.assessment_save_answers(
        assessment=started, actor=counsellor, answers=answer_everything(started.question_set)
    )
    error = refused(
        ValidationFailed, services.assessment_complete, assessment=started, actor=counsellor
    )
    assert error.code == "doctor_required"


def test_answers_are_checked_against_the_assessments_own_version(
    started: Assessment, counsellor: User, dk_client: Client
):
    """ASM-2: a question of a newer version is unknown to an assessment made on the old one."""
    organisation = started.episode.organisation
    current = started.question_set
    services.question_set_load(
        organisation=organisation,
        key=current.key,
        title=current.title,
        questions=[
            *current.questions,
            {"key": "new_q", "domain": "other", "type": "text", "label": {"en": "New"}},
        ],
    )
    error = refused(
        ValidationFailed,
        services.assessment_save_answers,
        assessment=started,
        actor=counsellor,
        answers={"new_q": "x"},
    )
    assert error.code == "unknown_question"
