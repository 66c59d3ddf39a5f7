"""Assens (seed 002 §12): complaints about the municipality's decision go to Myndighed Social,
Assens Kommune, which re-evaluates and forwards to Ankestyrelsen; a complaint that treatment
did not start within 14 days ("manglende iværksættelse af tilbud inden for 14 dage") is
recorded without a decision and still opens the re-evaluation deadline (DEC-2)."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from bedring.accounts.models import Organisation
from bedring.core import clock
from bedring.core.errors import ValidationFailed
from bedring.core.roles import Role
from bedring.pathway.letters import decision_letter
from bedring.pathway.models import Complaint, Deadline, EpisodeEvent
from bedring.pathway.services.decision import (
    complaint_reevaluate,
    complaint_register,
    decision_make,
)
from bedring.pathway.services.episode import episode_begin_assessment
from bedring.rules.loader import load_pack
from tests.conftest import api_headers, login


@pytest.fixture
def org_assens(db: Any) -> Organisation:
    return load_pack("assens")


def post_json(user, url: str, body: dict[str, Any]):
    return HttpClient().post(
        url, data=json.dumps(body), content_type="application/json", **api_headers(user)
    )


def test_the_assens_letter_names_myndighed_social_with_its_address(
    org_assens, make_client, make_staff, open_episode
):
    """Seed 002 §12 lines 178-182: complaints go to "Myndighed Social, Assens Kommune",
    "Rådhus Allé 5, 5610 Assens", not to the centre (Assens Misbrugscenter)."""
    authority = make_staff(org_assens, Role.AUTHORITY)
    client = make_client(org_assens, language="en")
    episode = open_episode(client)
    episode_begin_assessment(episode=episode, actor=authority)
    decision = decision_make(
        episode=episode,
        actor=authority,
        kind="treatment",
        outcome="refused",
        justification="No present use.",
    )
    html = decision_letter(decision).html
    assert (
        "complain orally or in writing to Myndighed Social, Assens Kommune, the unit that made"
        in html
    )
    assert "Rådhus Allé 5, 5610 Assens" in html and "6474 7521" in html
    assert "send your complaint on to Ankestyrelsen" in html


def test_a_missed_start_is_a_complaint_without_a_decision(
    org_assens, make_client, make_staff, open_episode
):
    """Seed 002 §12: "manglende iværksættelse af tilbud inden for 14 dage": registered on the
    episode, no decision; the 4-week re-evaluation deadline opens; Myndighed Social upholds
    and it goes on to Ankestyrelsen. There is no decision to change."""
    counsellor = make_staff(org_assens, Role.COUNSELLOR)
    authority = make_staff(org_assens, Role.AUTHORITY)
    episode = open_episode(make_client(org_assens))
    today = clock.today(org_assens)
    complaint = complaint_register(
        episode=episode, actor=counsellor, kind="late_start", text="Still no start after 3 weeks."
    )
    assert complaint.decision is None and complaint.episode == episode
    assert (complaint.status, complaint.late) == ("received", False)
    deadline = Deadline.objects.get(kind="complaint_reevaluation", subject_id=complaint.pk)
    assert (deadline.status, deadline.due_on) == ("open", today + datetime.timedelta(weeks=4))
    assert EpisodeEvent.objects.filter(episode=episode, kind="complaint").exists()
    with pytest.raises(ValidationFailed) as exc:
        complaint_reevaluate(
            complaint=complaint, actor=authority, result="changed", justification="x"
        )
    assert exc.value.code == "no_decision_to_change"
    complaint.refresh_from_db()
    assert complaint.status == "received"
    complaint = complaint_reevaluate(
        complaint=complaint, actor=authority, result="upheld", justification="Start booked."
    )
    assert (complaint.status, complaint.forwarded_to) == ("forwarded", "Ankestyrelsen")
    deadline.refresh_from_db()
    assert deadline.status != "open"


def test_a_complaint_about_the_decision_needs_a_decision(
    org_assens, make_client, make_staff, open_episode
):
    """DEC-2: "decision" without a decision is refused; nothing is written."""
    counsellor = make_staff(org_assens, Role.COUNSELLOR)
    episode = open_episode(make_client(org_assens))
    with pytest.raises(ValidationFailed) as exc:
        complaint_register(episode=episode, actor=counsellor, kind="decision", text="Why?")
    assert exc.value.code == "decision_required"
    assert not Complaint.objects.exists()


def test_no_missed_start_complaint_without_a_start_guarantee(
    org_no, make_client, make_staff, open_episode
):
    """The start guarantee is Danish (DK pack, 14 days); Norway has none to complain about."""
    counsellor = make_staff(org_no, Role.COUNSELLOR)
    episode = open_episode(make_client(org_no))
    with pytest.raises(ValidationFailed) as exc:
        complaint_register(episode=episode, actor=counsellor, kind="late_start", text="Late.")
    assert exc.value.code == "no_start_guarantee"
    assert not Complaint.objects.exists()


def test_missed_start_complaint_by_form_and_api(
    org_assens, make_client, make_staff, open_episode, outsider
):
    """The episode page links to the form; the API takes POST /episodes/{id}/complaints;
    another organisation's staff get 404 and nothing is written."""
    counsellor = make_staff(org_assens, Role.COUNSELLOR)
    episode = open_episode(make_client(org_assens))
    http = login(HttpClient(), counsellor)
    page = http.get(reverse("pathway:episode", kwargs={"episode_uuid": episode.uuid}))
    assert 'data-testid="episode-complaint-new"' in page.content.decode()
    url = reverse("pathway:episode_complaint_new", kwargs={"episode_uuid": episode.uuid})
    assert http.get(url).status_code == 200
    response = http.post(url, {"kind": "decision", "text": "No decision yet."})
    assert response.status_code == 422
    assert "Choose the decision the complaint is about." in response.content.decode()
    assert not Complaint.objects.exists()
    response = http.post(url, {"kind": "late_start", "text": "No start within 14 days."})
    assert response.status_code == 302
    assert Complaint.objects.get().kind == "late_start"
    api = f"/api/v1/episodes/{episode.uuid}/complaints"
    assert post_json(outsider, api, {"kind": "late_start", "text": "x"}).status_code == 404
    response = post_json(counsellor, api, {"kind": "late_start", "text": "Still waiting."})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["decision"], body["episode"], body["kind"]) == (
        None,
        str(episode.uuid),
        "late_start",
    )
    assert Complaint.objects.count() == 2
