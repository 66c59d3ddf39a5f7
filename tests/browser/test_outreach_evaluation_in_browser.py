"""HRM-10 in real headless Chromium at 390 px: the outreach model's manager opens the
evaluation from the menu, reads the figures and an unticked checklist, ticks the quarter's
checklist on the phone and finds it on the report; both pages have no serious or critical
axe-core violation and do not scroll sideways."""

from __future__ import annotations

import pytest

from bedring.core.roles import Role
from bedring.outreach.models import FidelityCheck
from tests.browser.chrome import open_more
from tests.browser.test_axe import AXE, RUN_AXE, TAGS
from tests.browser.test_courses_in_browser import log_in
from tests.conftest import shipped_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def serious(page) -> list[dict[str, object]]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, TAGS)


def fits(page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= 390"))


def test_a_manager_ticks_the_quarters_checklist_on_a_phone(browser, live_server, make_staff):
    organisation = shipped_organisation("outreach-dk")
    manager = make_staff(organisation, Role.MANAGER)
    manager.language = "en"
    manager.save()
    context = browser.new_context(
        locale="en-GB", viewport={"width": 390, "height": 844}, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        url = live_server.url
        log_in(page, url, manager)
        open_more(page)
        page.click("text=Outreach evaluation")
        page.wait_for_selector("[data-testid=evaluation-figures]")
        page.wait_for_load_state("load")
        assert fits(page)
        assert serious(page) == []
        assert "Held: 0 · not held: 0 · not ticked: 6" in page.inner_text(
            "[data-testid=evaluation-fidelity]"
        )
        page.click("[data-testid^=fidelity-open-odense]")
        page.wait_for_selector("[data-testid=fidelity-form]")
        page.wait_for_load_state("load")
        assert fits(page)
        assert serious(page) == []
        for radio in page.locator("input[type=radio][value=held]").all():
            radio.check()
        page.locator("input[name=held-flexible-frame][value=not_held]").check()
        page.fill("#id_note-flexible-frame", "Appointments still end after three no-shows.")
        page.click("[data-testid=fidelity-save]")
        page.wait_for_selector("[data-testid=evaluation-fidelity]")
        summary = page.inner_text("[data-testid=evaluation-fidelity]")
        assert "Held: 5 · not held: 1 · not ticked: 0" in summary
        assert "Appointments still end after three no-shows." in summary
        assert FidelityCheck.objects.filter(site__slug="odense", met=True).count() == 5
    finally:
        context.close()
