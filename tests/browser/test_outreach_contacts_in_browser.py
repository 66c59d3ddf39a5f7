"""HRM-8 in real headless Chromium at 390 px: a street nurse records the common case (a known
person, two items, a short note) from her home page in at most three screens and under 30
seconds, one thumb's taps, and finds the contact on the outreach page. Without JavaScript
the same form is one long page that saves the same way."""

from __future__ import annotations

import datetime
import time

import pytest

from bedring.core import clock
from bedring.core.roles import Role
from bedring.outreach.models import OutreachContact
from tests.browser.chrome import open_menu
from tests.browser.test_pathway_in_browser import log_in
from tests.conftest import shipped_organisation
from tests.outreach.conftest import record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_street_nurse_records_the_common_case_in_under_30_seconds(
    page, live_server, make_staff, make_client
):
    org = shipped_organisation("outreach-dk")
    odense = org.sites.get(slug="odense")
    nurse = make_staff(org, Role.STREET_NURSE)
    nurse.language = "en"
    nurse.save(update_fields=["language"])
    client = make_client(org, first_name="Karen", last_name="Gade")
    # She met Karen yesterday: Karen is among the people she met recently.
    record(org, odense, nurse, client=client, at=clock.now() - datetime.timedelta(days=1))
    log_in(page, live_server.url, nurse)

    started = time.monotonic()
    # Home: "Record a contact" is the street nurse's primary button.
    page.click("[data-testid=home-record-contact]")
    # Screen 1: who (Karen, one tap) and where (the team and the street are already chosen).
    page.click(f"[data-testid=person-{client.code}]")
    assert page.is_checked("input[name=who][value=client]")
    page.click("[data-testid=next-1]")
    # Screen 2: what was done and two items, by the -/+ counters.
    page.click("text=Supplies handed out")
    plus = "[data-step-by='1'][data-target='id_items_out-{}']"
    for _ in range(3):
        page.click(plus.format("syringe-1ml"))
    page.click(plus.format("swab"))
    page.click(plus.format("swab"))
    page.click("[data-testid=next-2]")
    # Screen 3: ten minutes, a short note, save.
    page.click("[data-testid=minutes-10]")
    page.fill("#id_note", "Sleeping at the shelter again.")
    page.click("[data-testid=save-contact]")
    summary = page.wait_for_selector("[data-testid=contact-summary]")
    elapsed = time.monotonic() - started

    assert elapsed < 30, f"{elapsed:.1f} s"
    text = summary.inner_text()
    assert "Karen Gade" in text and "3 × Syringe 1 ml" in text and "2 × Alcohol swab" in text
    assert "Contact recorded: Karen Gade" in page.inner_text(".messages")
    contact = OutreachContact.objects.exclude(at__lt=clock.now() - datetime.timedelta(hours=1)).get(
        organisation=org
    )
    assert contact.client == client and contact.minutes == 10
    assert contact.items_out == {"syringe-1ml": 3, "swab": 2}
    assert contact.activities == ["supplies"]
    assert page.locator("[data-testid=record-another]").is_visible()
    # Nothing sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Then she finds it on the outreach page, through the menu.
    open_menu(page)
    page.click("[data-menu=outreach]")
    today = page.wait_for_selector("[data-testid=my-contacts-today]")
    assert "Karen Gade" in today.inner_text()
    assert "Sleeping at the shelter again." in today.inner_text()


def test_without_javascript_the_form_is_one_long_page_that_saves(browser, live_server, make_staff):
    org = shipped_organisation("outreach-dk")
    nurse = make_staff(org, Role.STREET_NURSE)
    nurse.language = "en"
    nurse.save(update_fields=["language"])
    context = browser.new_context(
        locale="en-GB", viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, live_server.url, nurse)
        page.goto(f"{live_server.url}/outreach/contacts/new/")
        # every screen is shown at once, and the steps' buttons are not
        for step in (1, 2, 3):
            assert page.locator(f"fieldset[data-step='{step}']").is_visible()
        assert not page.locator("[data-testid=next-1]").is_visible()
        page.check("input[name=who][value=pseudonym]")
        page.fill("#id_pseudonym", "nj-1")
        page.check("#id_pseudonym_consent")
        page.check("input[name=activities][value=naloxone]")
        page.fill("#id_items_out-naloxone-kit", "1")
        page.fill("#id_minutes", "15")
        page.click("[data-testid=save-contact]")
        page.wait_for_selector("[data-testid=contact-summary]")
        assert "Code NJ-1" in page.inner_text("[data-testid=contact-who]")
    finally:
        context.close()
    assert OutreachContact.objects.get(organisation=org).pseudonym.code == "NJ-1"
