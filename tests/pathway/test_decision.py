"""Decisions: the authority grants or refuses with a written justification, a doctor decides
on medical treatment, day or residential treatment needs the centre's recommendation, and
the letter is due (DEC-1, DEC-3, DEC-6, ASM-2)."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bedring.core import clock
from bedring.core.calendar import add_working_days
from bedring.core.errors import Conflict, Forbidden, ValidationFailed
from bedring.core.roles import Role
from bedring.pathway.models import Deadline, Decision, Episode, EpisodeEvent
from bedring.pathway.services.decision import (
    child_concern_record,
    complaint_register,
    decision_letter_sent,
    decision_make,
)
from bedring.pathway.services.episode import episode_begin_assessment
from tests.conftest import api_headers, login

JUSTIFICATION = "Daily use of cannabis and amphetamine; motivated to stop; outpatient is enough."


def snapshot(episode: Episode) -> dict[str, Any]:
    """Everything a decision request may write, to show that a refusal writes nothing."""
    episode.refresh_from_db()
    return {
        "state": episode.state,
        "decisions": Decision.objects.filter(episode=episode).count(),
        "events": EpisodeEvent.objects.filter(episode=episode).count(),
        "deadlines": list(
            Deadline.objects.filter(episode=episode).values_list("kind", "status", "due_on")
        ),
    }


@pytest.fixture
def assessed(dk_episode, counsellor):
    return episode_begin_assessment(episode=dk_episode, actor=counsellor)


def post_json(user, url: str, body: dict[str, Any]):
    return HttpClient().post(
        url, data=json.dumps(body), content_type="application/json", **api_headers(user)
    )


def decide_body(**overrides: Any) -> dict[str, Any]:
    return {"kind": "treatment", "outcome": "granted", "justification": JUSTIFICATION, **overrides}


def test_the_authority_grants_treatment_and_the_letter_becomes_due(assessed, authority, org_dk):
    """DEC-1, DEC-6: a granted decision with its justification moves the episode to decided,
    is on the timeline, and the letter is due within five working days."""
    # Given an episode in assessment
    today = clock.today(org_dk)
    # When the authority grants outpatient treatment
    decision = decision_make(
        episode=assessed,
        actor=authority,
        kind="treatment",
        outcome="granted",
        offer="individual-plus",
        justification=JUSTIFICATION,
    )
    # Then the episode is decided and the decision is kept with who decided and when
    assessed.refresh_from_db()
    assert assessed.state == "decided"
    assert (decision.kind, decision.outcome, decision.intensity) == (
        "treatment",
        "granted",
        "outpatient",
    )
    assert (decision.decided_by, decision.decided_on) == (authority, today)
    assert decision.supersedes is None
    # And the letter deadline is open for this decision
    letter = Deadline.objects.get(episode=assessed, kind="decision_letter")
    assert letter.subject_id == decision.pk
    assert letter.status == "open"
    assert letter.due_on == add_working_days(today, 5, "DK", ())
    assert letter.basis["req"] == "DEC-1"
    kinds = list(EpisodeEvent.objects.filter(episode=assessed).values_list("kind", flat=True))
    assert kinds[-2:] == ["state", "decision"]


def test_a_counsellor_may_not_decide_and_nothing_is_written(assessed, counsellor):
    """DEC-1: only the authority unit decides; the refusal names the role."""
    before = snapshot(assessed)
    url = f"/api/v1/episodes/{assessed.uuid}/decisions"
    response = post_json(counsellor, url, decide_body())
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "decision_role"
    assert "Authority caseworker" in body["message"]
    assert snapshot(assessed) == before


def test_a_doctor_decides_on_medical_treatment_only(assessed, doctor, authority):
    """DEC-1: the need for medical treatment is a doctor's decision, and only that."""
    url = f"/api/v1/episodes/{assessed.uuid}/decisions"
    # The doctor may not decide on social treatment ...
    before = snapshot(assessed)
    refused = post_json(doctor, url, decide_body())
    assert refused.status_code == 403 and refused.json()["code"] == "decision_role"
    assert "Doctor" not in refused.json()["message"]
    assert snapshot(assessed) == before
    # ... nor the authority on medical treatment ...
    refused = post_json(authority, url, decide_body(kind="medical"))
    assert refused.status_code == 403 and refused.json()["code"] == "decision_role"
    assert "Doctor" in refused.json()["message"]
    assert snapshot(assessed) == before
    # ... but the doctor decides on medical treatment
    response = post_json(doctor, url, decide_body(kind="medical"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["outcome"], body["intensity"]) == (
        "medical",
        "granted",
        "outpatient",
    )
    assert body["decided_by"] == doctor.get_full_name()


def test_a_decision_without_justification_is_refused_and_writes_nothing(assessed, authority):
    """DEC-1: always a written justification."""
    before = snapshot(assessed)
    url = f"/api/v1/episodes/{assessed.uuid}/decisions"
    response = post_json(authority, url, decide_body(justification="   "))
    assert response.status_code == 422
    assert response.json()["code"] == "justification_required"
    assert response.json()["field"] == "justification"
    assert snapshot(assessed) == before


def test_deciding_on_an_episode_still_in_inquiry_is_a_bad_transition(dk_episode, authority):
    """DEC-1: the decision follows the assessment; the state table refuses it before."""
    before = snapshot(dk_episode)
    url = f"/api/v1/episodes/{dk_episode.uuid}/decisions"
    response = post_json(authority, url, decide_body())
    assert response.status_code == 409
    assert response.json()["code"] == "bad_transition"
    assert snapshot(dk_episode) == before


def test_day_or_residential_treatment_needs_the_centres_recommendation(assessed, authority):
    """DEC-3: the centre writes a preliminary assessment and recommendation; the authority
    decides, on day or residential intensity."""
    before = snapshot(assessed)
    with pytest.raises(ValidationFailed) as missing:
        decision_make(
            episode=assessed,
            actor=authority,
            kind="day_residential",
            outcome="granted",
            intensity="residential",
            justification=JUSTIFICATION,
        )
    assert (missing.value.code, missing.value.field) == (
        "recommendation_required",
        "recommendation",
    )
    with pytest.raises(ValidationFailed) as no_intensity:
        decision_make(
            episode=assessed,
            actor=authority,
            kind="day_residential",
            outcome="granted",
            justification=JUSTIFICATION,
            recommendation="Outpatient tried twice; needs to get away.",
        )
    assert no_intensity.value.code == "intensity_required"
    with pytest.raises(ValidationFailed) as mismatch:
        decision_make(
            episode=assessed,
            actor=authority,
            kind="treatment",
            outcome="granted",
            intensity="residential",
            justification=JUSTIFICATION,
        )
    assert mismatch.value.code == "intensity_mismatch"
    assert snapshot(assessed) == before
    decision = decision_make(
        episode=assessed,
        actor=authority,
        kind="day_residential",
        outcome="granted",
        intensity="residential",
        justification=JUSTIFICATION,
        recommendation="Outpatient tried twice; needs to get away.",
    )
    assert decision.intensity == "residential"
    assert decision.recommendation.startswith("Outpatient tried")


def test_an_immediate_decision_at_the_assessment_is_marked(assessed, authority):
    """ASM-2: the decision may be made at the assessment itself (straksvisitering)."""
    decision = decision_make(
        episode=assessed,
        actor=authority,
        kind="treatment",
        outcome="granted",
        justification=JUSTIFICATION,
        immediate=True,
    )
    assert decision.immediate


def test_a_new_decision_replaces_the_one_in_force_of_the_same_kind(assessed, authority, doctor):
    """DEC-1: in decided, a new decision of the same kind supersedes the old one; its unsent
    letter is no longer due. A decision of another kind stands beside it."""
    first = decision_make(
        episode=assessed,
        actor=authority,
        kind="treatment",
        outcome="refused",
        justification=JUSTIFICATION,
    )
    medical = decision_make(
        episode=assessed, actor=doctor, kind="medical", outcome="granted", justification="OST."
    )
    second = decision_make(
        episode=assessed,
        actor=authority,
        kind="treatment",
        outcome="granted",
        justification="New information from the GP.",
    )
    assert second.supersedes == first
    assert medical.supersedes is None
    letters = dict(
        Deadline.objects.filter(episode=assessed, kind="decision_letter").values_list(
            "subject_id", "status"
        )
    )
    assert letters == {first.pk: "cancelled", medical.pk: "open", second.pk: "open"}
    # The replaced decision cannot be replaced again
    with pytest.raises(Conflict) as twice:
        decision_make(
            episode=assessed,
            actor=authority,
            kind="treatment",
            outcome="granted",
            justification=JUSTIFICATION,
            supersedes=first,
        )
    assert twice.value.code == "already_superseded"


def test_a_decision_cannot_be_dated_in_the_future_or_before_the_inquiry(assessed, authority):
    """DEC-1: the decision date is a real date of this episode."""
    today = clock.today(assessed.organisation)
    for day in (today + datetime.timedelta(days=1), assessed.opened_on - datetime.timedelta(1)):
        with pytest.raises(ValidationFailed) as bad:
            decision_make(
                episode=assessed,
                actor=authority,
                kind="treatment",
                outcome="granted",
                justification=JUSTIFICATION,
                decided_on=day,
            )
        assert bad.value.field == "decided_on"


def test_the_letter_sent_closes_its_deadline_once(assessed, authority):
    """DEC-2, DEC-6: the day the letter goes out is kept and closes the letter deadline."""
    decision = decision_make(
        episode=assessed,
        actor=authority,
        kind="treatment",
        outcome="granted",
        justification=JUSTIFICATION,
    )
    url = f"/api/v1/decisions/{decision.uuid}/letter-sent"
    response = post_json(authority, url, {})
    assert response.status_code == 200, response.content
    assert response.json()["letter_sent_on"] == decision.decided_on.isoformat()
    deadline = Deadline.objects.get(kind="decision_letter", subject_id=decision.pk)
    assert (deadline.status, deadline.closed_on) == ("met", decision.decided_on)
    assert EpisodeEvent.objects.filter(episode=assessed, kind="letter_sent").count() == 1
    again = post_json(authority, url, {})
    assert again.status_code == 409 and again.json()["code"] == "letter_already_sent"
    with pytest.raises(Conflict):
        decision_letter_sent(decision=decision, actor=authority)


def test_the_api_shows_a_decision_and_hides_it_from_an_outsider(assessed, authority, outsider):
    """DEC-1, PRV-1: GET /decisions/{id}; another organisation's records are 404."""
    decision = decision_make(
        episode=assessed,
        actor=authority,
        kind="treatment",
        outcome="granted",
        justification=JUSTIFICATION,
    )
    response = HttpClient().get(f"/api/v1/decisions/{decision.uuid}", **api_headers(authority))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(decision.uuid)
    assert body["episode"] == str(assessed.uuid)
    assert body["justification"] == JUSTIFICATION
    assert body["complaints"] == []
    headers = api_headers(outsider)
    assert HttpClient().get(f"/api/v1/decisions/{decision.uuid}", **headers).status_code == 404
    before = snapshot(assessed)
    response = post_json(outsider, f"/api/v1/episodes/{assessed.uuid}/decisions", decide_body())
    assert response.status_code == 404
    assert post_json(
        outsider, f"/api/v1/decisions/{decision.uuid}/letter-sent", {}
    ).status_code == (404)
    assert snapshot(assessed) == before


def test_the_decision_form_offers_each_role_its_kinds(assessed, authority, doctor, counsellor):
    """DEC-1: the authority's form decides treatment or day/residential, the doctor's medical
    treatment; a counsellor has neither."""
    kwargs = {"episode_uuid": assessed.uuid}
    page = login(HttpClient(), authority).get(reverse("pathway:decision_new", kwargs=kwargs))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="treatment"' in html and 'value="day_residential"' in html
    assert 'value="medical"' not in html
    medical_url = reverse("pathway:decision_medical_new", kwargs=kwargs)
    assert login(HttpClient(), authority).get(medical_url).status_code == 403
    doctor_http = login(HttpClient(), doctor)
    assert doctor_http.get(reverse("pathway:decision_new", kwargs=kwargs)).status_code == 403
    page = doctor_http.get(medical_url)
    assert page.status_code == 200 and 'value="medical"' in page.content.decode()
    counsellor_http = login(HttpClient(), counsellor)
    for name in ("pathway:decision_new", "pathway:decision_medical_new"):
        assert counsellor_http.get(reverse(name, kwargs=kwargs)).status_code == 403


def test_the_decision_form_shows_a_refusal_next_to_the_field_and_writes_nothing(
    assessed, authority
):
    """DEC-1: no justification: 422, the message next to the field, nothing saved."""
    before = snapshot(assessed)
    http = login(HttpClient(), authority)
    url = reverse("pathway:decision_new", kwargs={"episode_uuid": assessed.uuid})
    response = http.post(url, {"kind": "treatment", "outcome": "granted", "justification": ""})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Write the justification: every decision is justified in writing." in html
    assert 'class="errorlist"' in html
    assert snapshot(assessed) == before
    # With the justification it is recorded and the user goes back to the episode
    refusal = {"kind": "treatment", "outcome": "refused", "justification": JUSTIFICATION}
    response = http.post(url, refusal)
    assert response.status_code == 200  # the confirmation, nothing written yet
    assert snapshot(assessed) == before
    response = http.post(url, {**refusal, "confirm": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "pathway:episode", kwargs={"episode_uuid": assessed.uuid}
    )
    assert Decision.objects.get(episode=assessed).outcome == "refused"


def test_the_html_decision_form_is_404_for_an_outsider(assessed, outsider):
    """PRV-1: another organisation's episode does not exist for the outsider."""
    http = login(HttpClient(), outsider)
    for name in ("pathway:decision_new", "pathway:decision_medical_new"):
        url = reverse(name, kwargs={"episode_uuid": assessed.uuid})
        assert http.get(url).status_code == 404
        assert http.post(url, {"kind": "treatment", "outcome": "granted"}).status_code == 404
    assert not Decision.objects.exists()


def test_the_episode_page_lists_decisions_with_the_actions_each_role_may_take(
    assessed, authority, counsellor, make_staff, org_dk
):
    """DEC-1, DEC-2: the authority sees how to decide and re-evaluate; a counsellor may
    download the letter, mark it sent and register a complaint, but not decide."""
    decision = decision_make(
        episode=assessed,
        actor=authority,
        kind="treatment",
        outcome="refused",
        justification=JUSTIFICATION,
    )
    url = reverse("pathway:episode", kwargs={"episode_uuid": assessed.uuid})
    html = login(HttpClient(), authority).get(url).content.decode()
    assert 'data-testid="decision-new"' in html
    assert f'data-testid="decision-{decision.uuid}"' in html
    assert 'data-testid="letter-download"' in html
    html = login(HttpClient(), counsellor).get(url).content.decode()
    assert 'data-testid="decision-new"' not in html
    assert 'data-testid="letter-sent"' in html and 'data-testid="complaint-new"' in html
    doctor = make_staff(org_dk, Role.DOCTOR)
    html = login(HttpClient(), doctor).get(url).content.decode()
    assert 'data-testid="decision-medical-new"' in html
    assert 'data-testid="decision-new"' not in html


def test_the_service_refuses_a_staff_member_of_another_organisation(assessed, outsider):
    """DEC-1: the role must be held in the episode's organisation."""
    with pytest.raises(Forbidden):
        decision_make(
            episode=assessed,
            actor=outsider,
            kind="treatment",
            outcome="granted",
            justification=JUSTIFICATION,
        )


def test_the_decisions_on_the_episode_page_cost_no_query_per_decision(
    assessed, authority, counsellor
):
    """DEC-1, DEC-2, DEC-7: decisions, complaints and notifications are read in a fixed
    number of queries, however many there are."""
    http = login(HttpClient(), authority)
    url = reverse("pathway:episode", kwargs={"episode_uuid": assessed.uuid})

    def add_round() -> None:
        decision = decision_make(
            episode=assessed,
            actor=authority,
            kind="treatment",
            outcome="refused",
            justification=JUSTIFICATION,
        )
        complaint_register(decision=decision, actor=counsellor, kind="service", text="Rude.")
        child_concern_record(episode=assessed, actor=counsellor, concern="School absence.")

    add_round()
    with CaptureQueriesContext(connection) as one:
        assert http.get(url).status_code == 200
    add_round()
    add_round()
    with CaptureQueriesContext(connection) as three:
        assert http.get(url).status_code == 200
    assert len(three) == len(one)
