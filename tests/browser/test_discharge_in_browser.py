"""Discharge and follow-up as a counsellor does them, in real headless Chromium (DIS-1,
DIS-2, DIS-5): she discharges an active episode as completed with a result for each goal;
the one-month follow-up appears on her worklist; she records it from there."""

from __future__ import annotations

import pytest

from bedring.core import clock
from bedring.core.roles import Role
from bedring.pathway.models import Deadline, Discharge, FollowUp
from bedring.pathway.models.episode import DeadlineKind, DeadlineStatus
from tests.browser.test_courses_in_browser import log_in
from tests.pathway.test_discharge import make_active

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_counsellor_discharges_and_records_the_follow_up(
    page, live_server, org_dk, make_staff, make_client
):
    url = live_server.url
    counsellor = make_staff(org_dk, Role.COUNSELLOR)
    counsellor.language = "en"
    counsellor.save()
    authority = make_staff(org_dk, Role.AUTHORITY)
    client = make_client(org_dk, last_name="Discharged")
    episode = make_active(client, counsellor, authority, goals=2)
    today = clock.today(org_dk)

    # Given the counsellor on the active episode's page
    log_in(page, url, counsellor)
    page.goto(f"{url}/pathway/episodes/{episode.uuid}/")
    # when she discharges it as completed, drug-free, with a result for each goal
    page.click("[data-testid=step-discharge]")
    page.wait_for_selector("[data-testid=discharge-form]")
    page.check("#id_status_0")  # completed
    page.check("#id_overall_result_0")  # drug-free
    page.check("#id_goals-0-outcome_0")  # reached
    page.check("#id_goals-1-outcome_1")  # partly reached
    page.fill("#id_goals-1-note", "Half way there")
    page.click("[data-testid=save-discharge]")
    # a discharge cannot be undone: she confirms, seeing the follow-ups it opens
    page.wait_for_selector("[data-testid=confirm-page]")
    assert "Follow-up 1 month after the discharge" in page.inner_text("main")
    page.click("[data-testid=confirm]")
    # then the episode page shows the discharge, the goal results and two follow-ups due
    page.wait_for_selector("[data-testid=discharge-summary]")
    assert page.inner_text("[data-testid=discharge-status]") == "Completed"
    assert page.locator("[data-testid=goal-result]").count() == 2
    assert page.locator("[data-testid=record-follow-up-1]").count() == 1
    discharge = Discharge.objects.get(episode=episode)
    assert discharge.discharged_on == today

    # When she opens her worklist, the one-month follow-up is on it
    page.goto(f"{url}/pathway/deadlines/")
    assert "Follow-up after discharge" in page.inner_text("main")
    # and she records it from there
    page.locator("[data-testid=worklist-follow-up]").first.click()
    page.wait_for_selector("[data-testid=follow-up-form]")
    page.check("#id_contact_made_0")  # yes, we spoke
    page.select_option("#id_substance_use", "drug_free")
    page.select_option("#id_situation_housing", "better")
    page.select_option("#id_situation_work_education", "same")
    page.click("[data-testid=save-follow-up]")
    page.wait_for_selector("[data-testid=discharge-summary]")
    follow_up = FollowUp.objects.get(episode=episode, months=1)
    assert (follow_up.done_on, follow_up.substance_use) == (today, "drug_free")
    assert follow_up.situation == {"work_education": "same", "housing": "better"}
    deadline = Deadline.objects.get(kind=DeadlineKind.DISCHARGE_FOLLOW_UP, subject_id=follow_up.pk)
    assert deadline.status == DeadlineStatus.MET
    assert page.locator("[data-testid=record-follow-up-1]").count() == 0
    assert page.locator("[data-testid=record-follow-up-6]").count() == 1
