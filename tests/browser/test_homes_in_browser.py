"""REF-2 in real headless Chromium at 390 px: the counsellor's completed assessment with her
recommendation lands on the authority's home page; the authority decides there, confirming
what will be recorded; the counsellor then finds the case back on her home page with its
next step, and the episode page shows it as the primary action."""

from __future__ import annotations

import pytest

from bedring.core.roles import Role
from bedring.pathway.models import Decision
from bedring.pathway.services import assessment as assessments
from tests.browser.test_pathway_in_browser import log_in, log_out
from tests.pathway.conftest import days_ago
from tests.walk_world import valid_answers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_authority_decides_from_its_home_page_and_the_counsellor_sees_what_is_next(
    page, live_server, org_dk, make_staff, make_client
):
    url = live_server.url
    counsellor = make_staff(org_dk, Role.COUNSELLOR)
    authority = make_staff(org_dk, Role.AUTHORITY)
    for user in (counsellor, authority):
        user.language = "en"
        user.save()
    from bedring.pathway.services.episode import inquiry_register

    episode = inquiry_register(
        organisation=org_dk,
        site=org_dk.sites.get(kind="main"),
        actor=counsellor,
        channel="phone",
        referrer="gp",
        received_at=days_ago(org_dk, 4),
        client=make_client(org_dk, first_name="Karen", last_name="Hjemmeside"),
        assign_to=counsellor,
    ).episode
    assert episode is not None
    # Given the counsellor's completed assessment, with her recommendation to the authority
    assessment = assessments.assessment_start(episode=episode, actor=counsellor)
    assessments.assessment_save(
        assessment=assessment,
        actor=counsellor,
        answers=valid_answers(assessment.question_set),
        veteran=False,
        doctor_conversation_offered=False,
        action_plan_offered=True,
        consents_discussed=True,
        recommendation="Individual sessions twice a month; she is motivated.",
        recommended_offer="individual-plus",
    )
    assessments.assessment_complete(assessment=assessment, actor=counsellor)

    # When the authority logs in, the decision is on its home page, with the recommendation
    log_in(page, url, authority)
    panel = page.wait_for_selector("[data-testid=panel-decisions]")
    assert "Hjemmeside" in panel.inner_text()
    assert "Individual sessions twice a month" in panel.inner_text()
    # and it decides from there: the recommended offer is already chosen
    page.click(f"[data-testid=decide-{episode.uuid}]")
    page.wait_for_selector("[data-testid=decision-recommendation]")
    assert page.input_value("#id_offer") == "individual-plus"
    page.select_option("#id_kind", "treatment")
    page.check("input[name=outcome][value=granted]")
    page.fill("#id_justification", "The assessment shows daily use; outpatient treatment fits.")
    page.click("[data-testid=decide]")
    # Then it is asked to confirm what will be recorded, and confirms
    confirm = page.wait_for_selector("[data-testid=confirm-page]")
    assert "Individuel+" in confirm.inner_text()
    page.click("[data-testid=confirm]")
    page.wait_for_selector("[data-testid=episode-state]:has-text('Decided')")
    message = page.inner_text(".messages")
    assert message.startswith("Decision recorded. Next step: Send the decision letter, by")
    assert counsellor.get_full_name() in message
    assert Decision.objects.get(episode=episode).offer_key == "individual-plus"
    # and the decision is no longer waiting on its home page
    page.goto(f"{url}/")
    assert "Hjemmeside" not in page.inner_text("[data-testid=panel-decisions]")
    log_out(page)

    # When the counsellor logs in, the case is on her home page with its next step
    log_in(page, url, counsellor)
    row = page.wait_for_selector(f"[data-testid=case-{episode.uuid}]")
    assert "Send the decision letter" in row.inner_text()
    # and on the episode page the next step is the primary action
    page.click(f"[data-testid=case-{episode.uuid}] a")
    primary = page.wait_for_selector("[data-primary='1']")
    assert primary.get_attribute("data-testid") == "step-send_letter"
    assert "Next step: Send the decision letter" in page.inner_text("[data-testid=what-next]")
    # the page fits a phone: nothing wider than the 390 px screen (measured once its style
    # sheet has loaded; the selector above can match before it has)
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
