"""The assessment pages (ASM-1..5, TDI): the question set in the reader's language, refusals
next to their fields with 422, outsiders 404, roles without the right 403, and a query count
that does not grow with the episode."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bedring.core.roles import Role
from bedring.pathway import selectors
from bedring.pathway.models import Assessment, Episode, EpisodeEvent, TdiIntake
from bedring.pathway.services import assessment as services
from tests.conftest import TODAY, login

A_DATE_ANSWER = (TODAY - datetime.timedelta(days=3)).isoformat()
TODAY_FORM = {"conducted_on": TODAY.isoformat()}


def url(name: str, assessment: Assessment) -> str:
    return reverse(
        f"pathway:{name}",
        kwargs={"episode_uuid": assessment.episode.uuid, "assessment_uuid": assessment.uuid},
    )


def new_url(episode: Episode) -> str:
    return reverse("pathway:assessment_new", kwargs={"episode_uuid": episode.uuid})


def answer_everything(assessment: Assessment) -> dict[str, Any]:
    sample = {"text": "x", "bool": True, "number": 1, "date": A_DATE_ANSWER}
    return {
        q["key"]: q["choices"][0]["value"] if q["type"] == "choice" else sample[q["type"]]
        for q in assessment.question_set.questions
    }


def as_form(assessment: Assessment, **changes: Any) -> dict[str, Any]:
    """The edit form as the browser posts it, every question answered."""
    data: dict[str, Any] = {}
    for key, value in answer_everything(assessment).items():
        if isinstance(value, bool):
            value = "yes" if value else "no"
        data[f"q_{key}"] = value
    data.update(changes)
    return data


def writes() -> dict[str, int]:
    return {
        "assessments": Assessment.objects.count(),
        "tdi": TdiIntake.objects.count(),
        "events": EpisodeEvent.objects.count(),
    }


@pytest.fixture
def http(counsellor) -> HttpClient:
    return login(HttpClient(), counsellor)


@pytest.fixture
def assessment(dk_episode, counsellor) -> Assessment:
    return services.assessment_start(episode=dk_episode, actor=counsellor)


# --- Starting -------------------------------------------------------------------------------


def test_a_counsellor_starts_the_assessment_from_the_episode_page(http, dk_episode):
    """ASM-2: the episode page links to a new assessment, which opens its form."""
    # Given the episode page
    page = http.get(reverse("pathway:episode", kwargs={"episode_uuid": dk_episode.uuid}))
    assert new_url(dk_episode) in page.content.decode()
    # When the counsellor starts an assessment today
    response = http.post(new_url(dk_episode), {"conducted_on": TODAY.isoformat()})
    # Then it exists and its form opens
    assessment = Assessment.objects.get(episode=dk_episode)
    assert response.status_code == 302
    assert response["Location"] == url("assessment_edit", assessment)
    assert assessment.conducted_on == TODAY


def test_a_start_in_the_future_is_shown_next_to_the_date_with_422(http, dk_episode):
    before = writes()
    response = http.post(new_url(dk_episode), {"conducted_on": "2030-01-01"})
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors["conducted_on"] == ["The assessment cannot take place in the future."]
    assert writes() == before


# --- The form -------------------------------------------------------------------------------


def test_the_form_shows_the_question_set_in_the_readers_language(http, assessment):
    """The questions are labelled in the staff member's language, grouped by domain."""
    http.cookies["django_language"] = "da"
    html = http.get(url("assessment_edit", assessment)).content.decode()
    assert "Socialt netværk, relationer og familie" in html
    assert "Tidligere rusmiddelbehandling" in html
    http.cookies["django_language"] = "en"
    html = http.get(url("assessment_edit", assessment)).content.decode()
    assert "Social network, relations and family" in html
    assert "Earlier treatment for substance use" in html


def test_a_question_without_the_readers_language_falls_back_to_english(
    http, dk_episode, counsellor
):
    organisation = dk_episode.organisation
    services.question_set_load(
        organisation=organisation,
        key="assessment-dk",
        title="Kortlægning",
        questions=[
            {
                "key": "only_english",
                "domain": "other",
                "type": "text",
                "required": False,
                "label": {"en": "Asked in English only"},
            }
        ],
    )
    assessment = services.assessment_start(episode=dk_episode, actor=counsellor)
    http.cookies["django_language"] = "nb"
    html = http.get(url("assessment_edit", assessment)).content.decode()
    assert "Asked in English only" in html


def test_saving_the_form_stores_answers_and_offers(http, assessment, doctor):
    """ASM-2: yes/no, numbers and dates arrive typed; the offers and the doctor are recorded."""
    data = as_form(
        assessment,
        q_alcohol_units_week="14",
        q_children_at_home="no",
        veteran="yes",
        doctor_conversation_offered="on",
        doctor=str(doctor.pk),
    )
    response = http.post(url("assessment_edit", assessment), data)
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.answers["alcohol_units_week"] == 14
    assert assessment.answers["children_at_home"] is False
    assert assessment.answers["doctor_conversation_on"] == A_DATE_ANSWER
    assert assessment.veteran is True
    assert assessment.doctor_conversation_offered
    assert not assessment.action_plan_offered
    assert assessment.doctor == doctor


def test_a_refused_answer_is_shown_next_to_its_question_with_422(http, assessment):
    before = writes()
    response = http.post(
        url("assessment_edit", assessment), as_form(assessment, q_network="x" * 5001)
    )
    assert response.status_code == 422
    assert response.context["form"].errors["q_network"] == ["At most 5000 characters."]
    assessment.refresh_from_db()
    assert assessment.answers == {}
    assert writes() == before


def test_only_doctors_are_offered_as_the_doctor(http, assessment, doctor, make_staff):
    nurse = make_staff(assessment.episode.organisation, Role.NURSE)
    html = http.get(url("assessment_edit", assessment)).content.decode()
    assert f'value="{doctor.pk}"' in html
    assert f'value="{nurse.pk}"' not in html
    response = http.post(url("assessment_edit", assessment), as_form(assessment, doctor=nurse.pk))
    assert response.status_code == 422
    assert "doctor" in response.context["form"].errors


# --- Detail and completion ------------------------------------------------------------------


def test_the_assessment_page_shows_what_is_still_needed_and_completes(http, assessment, counsellor):
    """ASM-2: completion is refused on the page (422) until every required answer is there."""
    # Given an unanswered assessment: completing shows what is missing
    response = http.post(url("assessment_complete", assessment))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Answer every required question before completing the assessment." in html
    assert "Needed" in html
    # When everything is answered, completing goes back to the episode
    services.assessment_save_answers(
        assessment=assessment, actor=counsellor, answers=answer_everything(assessment)
    )
    # the first post asks for a confirmation and changes nothing (REF-2)
    response = http.post(url("assessment_complete", assessment))
    assert response.status_code == 200
    assert 'data-testid="confirm-page"' in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.completed_at is None
    response = http.post(url("assessment_complete", assessment), {"confirm": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "pathway:episode", kwargs={"episode_uuid": assessment.episode.uuid}
    )
    # and the page no longer offers to edit or complete
    html = http.get(url("assessment", assessment)).content.decode()
    assert url("assessment_edit", assessment) not in html
    assert url("assessment_complete", assessment) not in html


def test_the_belgian_intake_page_refuses_completion_without_a_doctor(
    org_be, make_client, open_episode, make_staff
):
    """ASM-1: shown on the page, 422."""
    counsellor = make_staff(org_be, Role.COUNSELLOR)
    episode = open_episode(make_client(org_be))
    assessment = services.assessment_start(episode=episode, actor=counsellor)
    services.assessment_save_answers(
        assessment=assessment, actor=counsellor, answers=answer_everything(assessment)
    )
    http = login(HttpClient(), counsellor)
    http.cookies["django_language"] = "en"
    response = http.post(url("assessment_complete", assessment))
    assert response.status_code == 422
    assert "record the doctor" in response.content.decode()


def test_completing_needs_post(http, assessment):
    assert http.get(url("assessment_complete", assessment)).status_code == 405


# --- TDI ------------------------------------------------------------------------------------


TDI_FORM = {
    "previously_treated": "2",
    "referral_source": "4",
    "primary_substance": "11",
    "primary_route": "2",
    "primary_frequency": "1",
    "primary_age_first_use": "17",
    "ever_injected": "1",
    "nationality": "dk",
    "sec1_substance": "42",
    "sec1_route": "3",
}


def test_the_tdi_form_stores_the_codes(http, assessment):
    response = http.post(url("assessment_tdi", assessment), TDI_FORM)
    assert response.status_code == 302
    intake = TdiIntake.objects.get(assessment=assessment)
    assert (intake.primary_substance, intake.primary_route, intake.nationality) == (11, 2, "DK")
    assert intake.secondary_substances == [
        {"substance": 42, "route": 3, "frequency": None, "age_first_use": None}
    ]
    assert intake.injected_last_30_days == 2
    html = http.get(url("assessment", assessment)).content.decode()
    assert "Heroin" in html
    assert "Benzodiazepines, misused" in html


def test_a_tdi_problem_is_shown_next_to_its_field_and_row_with_422(http, assessment):
    """The n-th filled row is the n-th secondary substance, whatever rows are left empty."""
    age = assessment.episode.client.age_on(assessment.conducted_on)
    data = {**TDI_FORM, "primary_age_first_use": str(age + 1), "sec1_substance": "11"}
    before = writes()
    response = http.post(url("assessment_tdi", assessment), data)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "primary_age_first_use" in errors
    assert errors["sec1_substance"] == ["This is already the primary substance."]
    assert writes() == before


def test_the_tdi_form_is_filled_with_what_is_stored(http, assessment, counsellor):
    services.assessment_save_tdi(
        assessment=assessment,
        actor=counsellor,
        data={"primary_substance": 71, "secondary_substances": [{"substance": 80}]},
    )
    form = http.get(url("assessment_tdi", assessment)).context["form"]
    assert form.initial["primary_substance"] == 71
    assert form.initial["sec0_substance"] == 80


# --- Who may see what -----------------------------------------------------------------------


PAGES = ["assessment", "assessment_edit", "assessment_tdi", "assessment_complete"]


@pytest.mark.parametrize("name", PAGES)
def test_an_outsider_gets_404_on_every_assessment_page(assessment, outsider, name):
    """PRV-1: another organisation's assessment does not exist for them, even with every role."""
    http = login(HttpClient(), outsider)
    before = writes()
    assert http.get(url(name, assessment)).status_code in (404, 405)
    assert http.post(url(name, assessment), {"conducted_on": TODAY.isoformat()}).status_code == 404
    assert http.post(new_url(assessment.episode), TODAY_FORM).status_code == (404)
    assert writes() == before


@pytest.mark.parametrize("name", PAGES)
def test_a_role_without_client_rights_gets_403(assessment, make_staff, name):
    """A drop-in worker of the same organisation opens no records (least privilege)."""
    worker = make_staff(assessment.episode.organisation, Role.DROPIN_WORKER)
    http = login(HttpClient(), worker)
    before = writes()
    assert http.post(url(name, assessment), {}).status_code == 403
    assert http.post(new_url(assessment.episode), TODAY_FORM).status_code == (403)
    assert writes() == before


def test_an_anonymous_visitor_is_sent_to_log_in(assessment):
    response = HttpClient().get(url("assessment", assessment))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


# --- The episode page and query counts ------------------------------------------------------


def test_the_episode_page_lists_assessments_with_and_without_tdi(http, assessment, counsellor):
    """An assessment without TDI items shows "Not recorded" (the missing row does not fail)."""
    second = services.assessment_start(episode=assessment.episode, actor=counsellor)
    services.assessment_save_tdi(assessment=second, actor=counsellor, data={"children": 1})
    html = http.get(
        reverse("pathway:episode", kwargs={"episode_uuid": assessment.episode.uuid})
    ).content.decode()
    assert url("assessment", assessment) in html
    assert url("assessment", second) in html
    assert html.count('data-testid="tdi-missing"') == 1


def test_the_assessments_section_issues_no_queries_of_its_own(assessment, counsellor, doctor):
    for _ in range(3):
        extra = services.assessment_start(episode=assessment.episode, actor=counsellor)
        services.assessment_save_tdi(assessment=extra, actor=counsellor, data={"children": 2})
    page = selectors.episode_page(assessment.episode)
    with CaptureQueriesContext(connection) as ctx:
        html = render_to_string(
            "pathway/partials/_assessments.html",
            {"page": page, "episode": assessment.episode, "can_write": True},
        )
    assert len(ctx.captured_queries) == 0
    assert html.count('data-testid="assessment-') >= 4


def queries(http: HttpClient, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_the_assessment_page_query_count_is_bounded(http, assessment, counsellor, doctor):
    """Answers, offers, TDI items and more assessments on the episode: the same queries."""
    small = queries(http, url("assessment", assessment))
    services.assessment_save_answers(
        assessment=assessment, actor=counsellor, answers=answer_everything(assessment)
    )
    services.assessment_record_offers(
        assessment=assessment,
        actor=counsellor,
        veteran=True,
        doctor_conversation_offered=True,
        action_plan_offered=True,
        consents_discussed=True,
        doctor=doctor,
    )
    services.assessment_save_tdi(
        assessment=assessment,
        actor=counsellor,
        data={
            "primary_substance": 11,
            "secondary_substances": [{"substance": c} for c in (21, 42, 71, 80)],
        },
    )
    for _ in range(3):
        services.assessment_start(episode=assessment.episode, actor=counsellor)
    large = queries(http, url("assessment", assessment))
    assert large == small, (small, large)
    assert large <= 20
    assert queries(http, url("assessment_edit", assessment)) <= 20
    assert queries(http, url("assessment_tdi", assessment)) <= 20
