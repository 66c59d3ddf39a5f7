"""REF-2: the episode page shows the one next step for its state as the primary action, the
others as secondary ones, only to whom may take them, and never a step that no longer
applies."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client as HttpClient
from django.urls import reverse

from bedring.core.roles import Role
from bedring.pathway.services import assessment as assessments
from tests.conftest import login
from tests.pathway.conftest import days_ago
from tests.pathway.test_discharge import make_active
from tests.walk_world import valid_answers


def page_of(user: Any, episode: Any) -> str:
    http = login(HttpClient(), user)
    http.cookies["django_language"] = "en"
    return http.get(reverse("pathway:episode", args=[episode.uuid])).content.decode()


def primary(html: str) -> str | None:
    found = re.search(r'data-testid="step-([a-z_]+)" data-primary="1"', html)
    return found.group(1) if found else None


def steps(html: str) -> set[str]:
    return set(re.findall(r'data-testid="step-([a-z_]+)"', html))


def test_a_norwegian_inquiry_starts_with_the_first_contact(
    org_no, make_client, make_staff, open_episode
):
    """INT-6: the first contact within three working days comes first."""
    counsellor = make_staff(org_no, Role.COUNSELLOR)
    episode = open_episode(make_client(org_no), received_at=days_ago(org_no, 1))
    html = page_of(counsellor, episode)
    assert primary(html) == "record_first_contact"
    assert {"start_assessment", "begin_assessment", "free_choice", "withdraw"} <= steps(html)
    assert "discharge" not in steps(html) and "start_treatment" not in steps(html)


def test_in_treatment_the_plan_is_evaluated_and_first_contact_is_gone(
    org_dk, make_client, make_staff
):
    counsellor = make_staff(org_dk, Role.COUNSELLOR)
    authority = make_staff(org_dk, Role.AUTHORITY)
    episode = make_active(make_client(org_dk), counsellor, authority, goals=1)
    html = page_of(counsellor, episode)
    assert primary(html) == "evaluate_plan"
    assert "discharge" in steps(html)
    assert not steps(html) & {"record_first_contact", "begin_assessment", "withdraw", "decide"}
    assert "Record first contact" not in html


def test_after_the_assessment_the_authority_decides_and_the_counsellor_waits(
    dk_episode, counsellor, authority
):
    """REF-2: the counsellor's recommendation reaches the authority; the counsellor sees who
    has the case, and no button she cannot use."""
    assessment = assessments.assessment_start(episode=dk_episode, actor=counsellor)
    assessments.assessment_save_answers(
        assessment=assessment, actor=counsellor, answers=valid_answers(assessment.question_set)
    )
    assert primary(page_of(counsellor, dk_episode)) == "complete_assessment"
    assessments.assessment_complete(assessment=assessment, actor=counsellor)
    theirs = page_of(authority, dk_episode)
    assert primary(theirs) == "decide"
    mine = page_of(counsellor, dk_episode)
    assert primary(mine) is None
    assert "decide" not in steps(mine)
    assert "The case is now with the authority caseworkers for a decision, due" in mine
