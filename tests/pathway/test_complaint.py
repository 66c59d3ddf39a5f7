"""Complaints: registered with the day received and flagged when late; the unit that decided
re-evaluates, upholds and forwards to the appeals body, or changes its decision; health
complaints go to the patient complaints body (DEC-2)."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from bedring.core import clock
from bedring.core.errors import Conflict, ValidationFailed
from bedring.core.roles import Role
from bedring.pathway.models import Complaint, Deadline, Decision, Episode, EpisodeEvent
from bedring.pathway.services.decision import (
    complaint_reevaluate,
    complaint_register,
    decision_letter_sent,
    decision_make,
)
from bedring.pathway.services.episode import episode_begin_assessment
from tests.conftest import api_headers, login
from tests.pathway.conftest import at

DAY = datetime.timedelta(days=1)
JUSTIFICATION = "No present use; the need is for help with housing, not treatment."


def refused_with_letter(open_episode, client, authority, *, days_ago: int = 60) -> Decision:
    """A refusal decided ``days_ago`` - 1 days ago whose letter went out the same day."""
    org = client.organisation
    opened = clock.today(org) - datetime.timedelta(days=days_ago)
    episode = open_episode(client, received_at=at(org, opened.year, opened.month, opened.day, 10))
    episode_begin_assessment(episode=episode, actor=authority)
    decision = decision_make(
        episode=episode,
        actor=authority,
        kind="treatment",
        outcome="refused",
        justification=JUSTIFICATION,
        decided_on=opened + DAY,
    )
    return decision_letter_sent(decision=decision, actor=authority, sent_on=opened + DAY)


def snapshot(episode: Episode) -> dict[str, Any]:
    episode.refresh_from_db()
    return {
        "state": episode.state,
        "decisions": list(Decision.objects.filter(episode=episode).values_list("pk", "outcome")),
        "complaints": list(
            Complaint.objects.filter(decision__episode=episode).values_list("pk", "status")
        ),
        "events": EpisodeEvent.objects.filter(episode=episode).count(),
        "deadlines": list(
            Deadline.objects.filter(episode=episode).values_list("kind", "status", "subject_id")
        ),
    }


def post_json(user, url: str, body: dict[str, Any]):
    return HttpClient().post(
        url, data=json.dumps(body), content_type="application/json", **api_headers(user)
    )


@pytest.fixture
def refusal(open_episode, dk_client, authority) -> Decision:
    return refused_with_letter(open_episode, dk_client, authority)


@pytest.mark.parametrize(("day", "late"), [(28, False), (29, True)])
def test_a_danish_complaint_is_on_time_until_four_weeks_after_the_letter(
    refusal, counsellor, day, late
):
    """DEC-2 (DK): within 4 weeks of receipt; day 28 is on time, day 29 is late. A late
    complaint is still registered, flagged, and re-evaluated."""
    received = refusal.letter_sent_on + datetime.timedelta(days=day)
    complaint = complaint_register(
        decision=refusal,
        actor=counsellor,
        kind="decision",
        text="I need help now.",
        received_on=received,
    )
    assert complaint.late is late
    assert complaint.status == "received"
    deadline = Deadline.objects.get(kind="complaint_reevaluation", subject_id=complaint.pk)
    assert deadline.status == "open"
    assert deadline.due_on == received + datetime.timedelta(weeks=4)
    assert EpisodeEvent.objects.filter(episode=refusal.episode, kind="complaint").exists()


@pytest.mark.parametrize(("day", "late"), [(21, False), (28, False), (29, True)])
def test_a_norwegian_complaint_is_on_time_until_four_weeks_after_the_letter(
    open_episode, org_no, make_client, make_staff, day, late
):
    """DEC-2 (NO): a complaint about a decision on health and care services is one under
    pasient- og brukerrettighetsloven § 7-2; its window is 4 weeks (§ 7-5), not the 3 weeks
    of forvaltningsloven § 29: day 22, late under § 29, is on time."""
    authority = make_staff(org_no, Role.AUTHORITY)
    decision = refused_with_letter(open_episode, make_client(org_no), authority)
    assert decision.letter_sent_on is not None
    complaint = complaint_register(
        decision=decision,
        actor=authority,
        kind="decision",
        text="Jeg trenger hjelp.",
        received_on=decision.letter_sent_on + datetime.timedelta(days=day),
    )
    assert complaint.late is late


def test_a_complaint_before_the_letter_is_sent_is_never_late(dk_episode, counsellor, authority):
    """DEC-2: the window starts with the letter."""
    episode_begin_assessment(episode=dk_episode, actor=counsellor)
    decision = decision_make(
        episode=dk_episode,
        actor=authority,
        kind="treatment",
        outcome="refused",
        justification=JUSTIFICATION,
    )
    complaint = complaint_register(
        decision=decision, actor=counsellor, kind="decision", text="Told by phone; I disagree."
    )
    assert not complaint.late


def test_a_health_complaint_is_sent_to_the_patient_complaints_body(refusal, counsellor):
    """DEC-2 (DK): complaints about health treatment go to Styrelsen for Patientklager; the
    municipality does not re-evaluate them."""
    complaint = complaint_register(
        decision=refusal, actor=counsellor, kind="health", text="The nurse was rough."
    )
    assert complaint.status == "redirected"
    assert complaint.forwarded_to == "Styrelsen for Patientklager"
    assert complaint.forwarded_on == clock.today(refusal.episode.organisation)
    assert not Deadline.objects.filter(kind="complaint_reevaluation").exists()
    with pytest.raises(Conflict) as not_ours:
        complaint_reevaluate(
            complaint=complaint,
            actor=refusal.decided_by,
            result="upheld",
            justification="-",
        )
    assert not_ours.value.code == "not_a_decision_complaint"


def test_a_complaint_about_a_medical_decision_is_a_health_complaint(dk_episode, doctor, counsellor):
    """DEC-1, DEC-2: a doctor's decision on medical treatment is health treatment."""
    episode_begin_assessment(episode=dk_episode, actor=counsellor)
    decision = decision_make(
        episode=dk_episode, actor=doctor, kind="medical", outcome="refused", justification="No."
    )
    with pytest.raises(ValidationFailed) as wrong_kind:
        complaint_register(decision=decision, actor=counsellor, kind="decision", text="Why?")
    assert wrong_kind.value.code == "medical_complaint_is_health"
    complaint = complaint_register(decision=decision, actor=counsellor, kind="health", text="Why?")
    assert complaint.status == "redirected"


def test_upheld_after_re_evaluation_goes_to_ankestyrelsen_and_the_client_is_told(
    refusal, counsellor, authority
):
    """DEC-2 (DK): the deciding unit re-evaluates; if upheld, the complaint is forwarded to
    Ankestyrelsen and the citizen is informed."""
    complaint = complaint_register(
        decision=refusal, actor=counsellor, kind="decision", text="I disagree."
    )
    response = post_json(
        authority,
        f"/api/v1/complaints/{complaint.uuid}/reevaluation",
        {"result": "upheld", "justification": "Nothing new has come to light."},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    today = clock.today(refusal.episode.organisation).isoformat()
    assert body["new_decision"] is None
    assert body["complaint"]["status"] == "forwarded"
    assert body["complaint"]["forwarded_to"] == "Ankestyrelsen"
    assert body["complaint"]["forwarded_on"] == today
    assert body["complaint"]["client_informed_on"] == today
    assert body["complaint"]["reevaluation_note"] == "Nothing new has come to light."
    deadline = Deadline.objects.get(kind="complaint_reevaluation", subject_id=complaint.pk)
    assert deadline.status == "met"
    # The decision stands: nothing replaces it
    assert not Decision.objects.filter(supersedes=refusal).exists()
    # A complaint is re-evaluated once
    again = post_json(
        authority,
        f"/api/v1/complaints/{complaint.uuid}/reevaluation",
        {"result": "upheld", "justification": "Again."},
    )
    assert again.status_code == 409 and again.json()["code"] == "complaint_handled"


def test_changed_after_re_evaluation_is_a_new_decision_that_supersedes(
    refusal, counsellor, authority
):
    """DEC-2: the unit changes its decision: a new, justified decision replaces the old one,
    and its own letter is due."""
    complaint = complaint_register(
        decision=refusal, actor=counsellor, kind="decision", text="My GP says I need it."
    )
    response = post_json(
        authority,
        f"/api/v1/complaints/{complaint.uuid}/reevaluation",
        {
            "result": "changed",
            "justification": "The GP's statement shows daily use.",
            "outcome": "granted",
            "offer": "individual",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["complaint"]["status"] == "changed"
    new = body["new_decision"]
    assert (new["outcome"], new["offer"], new["supersedes"]) == (
        "granted",
        "individual",
        str(refusal.uuid),
    )
    assert new["justification"] == "The GP's statement shows daily use."
    new_decision = Decision.objects.get(uuid=new["id"])
    assert new_decision.supersedes == refusal
    assert Deadline.objects.get(kind="decision_letter", subject_id=new_decision.pk).status == "open"
    assert Deadline.objects.get(kind="complaint_reevaluation").status == "met"
    old = HttpClient().get(f"/api/v1/decisions/{refusal.uuid}", **api_headers(authority)).json()
    assert old["superseded_by"] == new["id"]
    assert old["complaints"][0]["status"] == "changed"
    # A complaint on the replaced decision is registered on the new one instead
    with pytest.raises(Conflict) as superseded:
        complaint_register(decision=refusal, actor=counsellor, kind="decision", text="Again")
    assert superseded.value.code == "decision_superseded"


def test_a_change_that_changes_nothing_is_refused_and_writes_nothing(
    refusal, counsellor, authority
):
    """DEC-2: "changed" must change something; otherwise the decision is upheld."""
    complaint = complaint_register(
        decision=refusal, actor=counsellor, kind="decision", text="I disagree."
    )
    before = snapshot(refusal.episode)
    for body, code in [
        ({"result": "changed", "justification": "x", "outcome": "refused"}, "decision_unchanged"),
        ({"result": "changed", "justification": "x"}, "outcome_required"),
        ({"result": "upheld", "justification": ""}, "justification_required"),
    ]:
        response = post_json(authority, f"/api/v1/complaints/{complaint.uuid}/reevaluation", body)
        assert response.status_code == 422, body
        assert response.json()["code"] == code
    assert snapshot(refusal.episode) == before


def test_only_the_authority_re_evaluates(refusal, counsellor, doctor):
    """DEC-2: the unit that decided re-evaluates: a counsellor or doctor gets 403."""
    complaint = complaint_register(
        decision=refusal, actor=counsellor, kind="decision", text="I disagree."
    )
    before = snapshot(refusal.episode)
    url = f"/api/v1/complaints/{complaint.uuid}/reevaluation"
    for user in (counsellor, doctor):
        response = post_json(user, url, {"result": "upheld", "justification": "x"})
        assert response.status_code == 403
        assert response.json()["code"] == "decision_role"
    html_url = reverse(
        "pathway:complaint_reevaluate",
        kwargs={"episode_uuid": refusal.episode.uuid, "complaint_uuid": complaint.uuid},
    )
    assert login(HttpClient(), counsellor).get(html_url).status_code == 403
    assert snapshot(refusal.episode) == before


def test_in_belgium_an_upheld_decision_stands_without_an_appeals_body(
    open_episode, org_be, make_client, make_staff
):
    """DEC-2 (BE): no appeals body in the rule pack: upheld, and the client told."""
    authority = make_staff(org_be, Role.AUTHORITY)
    decision = refused_with_letter(open_episode, make_client(org_be), authority)
    complaint = complaint_register(
        decision=decision, actor=authority, kind="decision", text="Pas d'accord."
    )
    assert not complaint.late  # no statutory window in the BE pack
    complaint = complaint_reevaluate(
        complaint=complaint, actor=authority, result="upheld", justification="Still right."
    )
    assert (complaint.status, complaint.forwarded_to) == ("upheld", "")
    assert complaint.client_informed_on is not None


def test_complaints_through_the_api_and_an_outsider_gets_404(
    refusal, counsellor, authority, outsider
):
    """DEC-2, PRV-1: POST /decisions/{id}/complaints; another organisation's is 404."""
    url = f"/api/v1/decisions/{refusal.uuid}/complaints"
    before = snapshot(refusal.episode)
    missing = post_json(counsellor, url, {"kind": "decision", "text": " "})
    assert missing.status_code == 422 and missing.json()["code"] == "complaint_text_required"
    assert post_json(outsider, url, {"kind": "decision", "text": "x"}).status_code == 404
    assert snapshot(refusal.episode) == before
    received = (refusal.letter_sent_on + datetime.timedelta(days=29)).isoformat()
    response = post_json(
        counsellor, url, {"kind": "decision", "text": "I disagree.", "received_on": received}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["late"], body["status"]) == ("decision", True, "received")
    reevaluation = f"/api/v1/complaints/{body['id']}/reevaluation"
    before = snapshot(refusal.episode)
    outsider_try = post_json(outsider, reevaluation, {"result": "upheld", "justification": "x"})
    assert outsider_try.status_code == 404
    assert snapshot(refusal.episode) == before


def test_complaint_and_re_evaluation_forms(refusal, counsellor, authority):
    """DEC-2: a counsellor registers the complaint; the authority re-evaluates it on the page;
    a refusal is shown next to its field with 422."""
    episode = refusal.episode
    http = login(HttpClient(), counsellor)
    url = reverse(
        "pathway:complaint_new",
        kwargs={"episode_uuid": episode.uuid, "decision_uuid": refusal.uuid},
    )
    assert http.get(url).status_code == 200
    before = snapshot(episode)
    response = http.post(url, {"kind": "decision", "text": ""})
    assert response.status_code == 422
    assert "Write down what the complaint is about." in response.content.decode()
    assert snapshot(episode) == before
    response = http.post(url, {"kind": "decision", "text": "I disagree with the refusal."})
    assert response.status_code == 302
    complaint = Complaint.objects.get(decision=refusal)
    episode_page = login(HttpClient(), authority).get(response["Location"]).content.decode()
    assert 'data-testid="complaint-reevaluate"' in episode_page
    http = login(HttpClient(), authority)
    url = reverse(
        "pathway:complaint_reevaluate",
        kwargs={"episode_uuid": episode.uuid, "complaint_uuid": complaint.uuid},
    )
    page = http.get(url)
    assert page.status_code == 200 and "I disagree with the refusal." in page.content.decode()
    upheld = {"result": "upheld", "justification": "Still right."}
    assert 'data-testid="confirm-page"' in http.post(url, upheld).content.decode()
    response = http.post(url, {**upheld, "confirm": "1"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.status, complaint.forwarded_to) == ("forwarded", "Ankestyrelsen")
