"""REF-2: an irreversible step asks first, without JavaScript: a post without ``confirm=1``
changes nothing and answers a confirmation page that posts the same fields again; with it,
the step is taken and the message says what happens next and who now has the case."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils.formats import date_format

from bedring.core.roles import Role
from bedring.pathway.models import Deadline, Decision, Discharge, EpisodeEvent
from bedring.pathway.services import assessment as assessments
from bedring.pathway.services.decision import complaint_register, decision_make
from bedring.pathway.services.episode import episode_begin_assessment
from bedring.rules.loader import load_pack
from tests.conftest import TODAY, login
from tests.pathway.conftest import days_ago
from tests.pathway.test_discharge import current_goals, make_active
from tests.walk_world import valid_answers


def writes(episode: Any) -> tuple[Any, ...]:
    episode.refresh_from_db()
    return (
        episode.state,
        EpisodeEvent.objects.filter(episode=episode).count(),
        Decision.objects.filter(episode=episode).count(),
        list(Deadline.objects.filter(episode=episode).values_list("kind", "status")),
    )


def message(response: Any) -> str:
    """The message the last request added (earlier ones wait until a page shows them)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def asks_first(http: HttpClient, url: str, data: dict[str, Any], episode: Any) -> Any:
    """The first post is a confirmation page that re-posts every field and writes nothing;
    the second, with confirm=1, takes the step."""
    before = writes(episode)
    asked = http.post(url, data)
    assert asked.status_code == 200, asked.content[:500]
    html = asked.content.decode()
    assert 'data-testid="confirm-page"' in html
    assert 'name="confirm" value="1"' in html
    for name, value in data.items():
        assert f'name="{name}" value="{value}"' in html, name
    assert writes(episode) == before
    done = http.post(url, {**data, "confirm": "1"})
    assert done.status_code == 302, done.content[:500]
    assert writes(episode) != before
    return done


def completed_assessment_ready(episode: Any, counsellor: Any) -> Any:
    assessment = assessments.assessment_start(episode=episode, actor=counsellor)
    return assessments.assessment_save_answers(
        assessment=assessment, actor=counsellor, answers=valid_answers(assessment.question_set)
    )


@pytest.fixture
def org_assens(db: Any) -> Any:
    return load_pack("assens")


def test_completing_an_assessment_asks_then_hands_the_case_to_myndighed_social(
    org_assens, make_client, make_staff, open_episode
):
    """Seed 002 §6: the authority (Myndighed Social) decides, within the 14-day guarantee."""
    counsellor = make_staff(org_assens, Role.COUNSELLOR)
    http = login(HttpClient(), counsellor)
    http.cookies["django_language"] = "en"
    episode = open_episode(
        make_client(org_assens), received_at=days_ago(org_assens, 3), assign_to=counsellor
    )
    assessment = completed_assessment_ready(episode, counsellor)
    url = reverse(
        "pathway:assessment_complete",
        kwargs={"episode_uuid": episode.uuid, "assessment_uuid": assessment.uuid},
    )
    due = date_format(TODAY + datetime.timedelta(days=11), "DATE_FORMAT")
    page = http.post(url).content.decode()
    assert "Myndighed Social, Assens Kommune" in page and due in page
    done = asks_first(http, url, {}, episode)
    assessment.refresh_from_db()
    assert assessment.completed_at is not None
    assert message(done) == (
        "Assessment completed. The case is now with Myndighed Social, Assens Kommune for a "
        f"decision, due {due}."
    )


def test_deciding_asks_with_what_will_be_recorded_then_hands_the_case_back(
    dk_episode, counsellor, authority
):
    episode_begin_assessment(episode=dk_episode, actor=counsellor)
    http = login(HttpClient(), authority)
    url = reverse("pathway:decision_new", kwargs={"episode_uuid": dk_episode.uuid})
    data = {
        "kind": "treatment",
        "outcome": "granted",
        "offer": "individual",
        "justification": "Outpatient treatment fits.",
        "decided_on": TODAY.isoformat(),
    }
    page = http.post(url, data).content.decode()
    assert "Individuel" in page and "cannot be changed" in page
    assert "The letter to the client is due by" in page
    done = asks_first(http, url, data, dk_episode)
    assert Decision.objects.get(episode=dk_episode).offer_key == "individual"
    # The next step is the letter (DEC-6), the counsellor's
    letter = Deadline.objects.get(episode=dk_episode, kind="decision_letter")
    assert message(done).startswith("Decision recorded. Next step: Send the decision letter, by")
    assert date_format(letter.due_on, "DATE_FORMAT") in message(done)


def test_going_back_from_the_confirmation_shows_the_form_filled_in(
    dk_episode, counsellor, authority
):
    episode_begin_assessment(episode=dk_episode, actor=counsellor)
    http = login(HttpClient(), authority)
    url = reverse("pathway:decision_new", kwargs={"episode_uuid": dk_episode.uuid})
    data = {"kind": "treatment", "outcome": "refused", "justification": "Not now."}
    response = http.post(url, {**data, "edit": "1"})
    assert response.status_code == 200
    assert 'data-testid="confirm-page"' not in response.content.decode()
    assert response.context["form"]["justification"].value() == "Not now."
    assert not Decision.objects.filter(episode=dk_episode).exists()


def test_a_medical_decision_asks_first(dk_episode, counsellor, doctor):
    episode_begin_assessment(episode=dk_episode, actor=counsellor)
    http = login(HttpClient(), doctor)
    url = reverse("pathway:decision_medical_new", kwargs={"episode_uuid": dk_episode.uuid})
    asks_first(
        http,
        url,
        {"kind": "medical", "outcome": "granted", "justification": "Methadone is indicated."},
        dk_episode,
    )


def test_a_re_evaluation_asks_first(dk_episode, counsellor, authority):
    episode_begin_assessment(episode=dk_episode, actor=counsellor)
    refusal = decision_make(
        episode=dk_episode,
        actor=authority,
        kind="treatment",
        outcome="refused",
        justification="No use now.",
    )
    complaint = complaint_register(
        decision=refusal, actor=counsellor, kind="decision", text="I disagree."
    )
    http = login(HttpClient(), authority)
    url = reverse(
        "pathway:complaint_reevaluate",
        kwargs={"episode_uuid": dk_episode.uuid, "complaint_uuid": complaint.uuid},
    )
    done = asks_first(http, url, {"result": "upheld", "justification": "Still right."}, dk_episode)
    assert message(done).startswith("The re-evaluation is recorded.")


def test_ending_an_episode_asks_first_and_says_it_is_closed(dk_episode, counsellor):
    http = login(HttpClient(), counsellor)
    url = reverse("pathway:episode_withdraw", kwargs={"episode_uuid": dk_episode.uuid})
    page = http.post(url, {"reason": "Moved away"}).content.decode()
    assert "cannot be opened again" in page
    done = asks_first(http, url, {"reason": "Moved away"}, dk_episode)
    assert dk_episode.state == "withdrawn"
    assert message(done) == "The episode has ended. Nothing more is due on this episode."


def test_a_discharge_asks_first_and_names_the_follow_ups(org_dk, make_client, make_staff):
    counsellor = make_staff(org_dk, Role.COUNSELLOR)
    authority = make_staff(org_dk, Role.AUTHORITY)
    episode = make_active(
        make_client(org_dk),
        counsellor,
        authority,
        opened=TODAY - datetime.timedelta(days=30),
        goals=1,
    )
    goal = current_goals(episode)[0]
    data = {
        "status": "completed",
        "discharged_on": TODAY.isoformat(),
        "overall_result": "reduced",
        "destination": "",
        "note": "",
        "goals-TOTAL_FORMS": "1",
        "goals-INITIAL_FORMS": "1",
        "goals-0-goal": str(goal.uuid),
        "goals-0-outcome": "partly",
    }
    http = login(HttpClient(), counsellor)
    url = reverse("pathway:discharge_create", args=[episode.uuid])
    page = http.post(url, data).content.decode()
    assert "Follow-up 1 month after the discharge" in page
    assert "Follow-up 6 months after the discharge" in page
    done = asks_first(http, url, data, episode)
    assert Discharge.objects.filter(episode=episode).exists()
    assert message(done).startswith("The episode is discharged. Next step: Record follow-up, by")


def test_every_state_change_ends_with_what_happens_next(dk_episode, counsellor, authority):
    """Steps that are not irreversible say it too: begin the assessment, start treatment."""
    http = login(HttpClient(), counsellor)
    kwargs = {"episode_uuid": dk_episode.uuid}
    done = http.post(reverse("pathway:episode_begin_assessment", kwargs=kwargs))
    guarantee = Deadline.objects.get(episode=dk_episode, kind="treatment_start")
    # nobody is responsible yet: the message says so
    assert message(done) == (
        "The assessment has begun. Next step: Start an assessment, by nobody yet: assign a "
        f"responsible counsellor, due {date_format(guarantee.due_on, 'DATE_FORMAT')}."
    )
    done = http.post(
        reverse("pathway:episode_assign", kwargs=kwargs), {"responsible": str(counsellor.pk)}
    )
    assert f"by {counsellor.get_full_name()}, due" in message(done)
    decision_make(
        episode=dk_episode,
        actor=authority,
        kind="treatment",
        outcome="granted",
        justification="Fits.",
    )
    done = http.post(reverse("pathway:episode_start", kwargs=kwargs), {"on": TODAY.isoformat()})
    assert message(done).startswith("Treatment started. Next step: Make the plan with the client")
