"""The one form pattern as a keyboard and screen-reader user meets it, in real headless
Chromium at 390 px (issue 13): a refused registration puts focus on the error summary, whose
link leads to the field inside its group; the skip link lands on the form; a focused button
shows its focus ring; the style guide fits a phone."""

from __future__ import annotations

import pytest

from bedring.clients.models import Client
from bedring.core.roles import Role
from tests.browser.test_courses_in_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def counsellor(org_dk, make_staff):
    user = make_staff(org_dk, Role.COUNSELLOR)
    user.language = "en"
    user.save()
    return user


def active(page, expression: str = "document.activeElement.id"):
    return page.evaluate(expression)


def test_a_refused_registration_leads_from_the_focused_summary_to_the_field(
    page, live_server, counsellor
):
    url = live_server.url
    log_in(page, url, counsellor)
    # Given a counsellor registering a client with a national ID of the wrong length
    page.goto(f"{url}/clients/new/")
    page.fill("#id_national_id", "12345")
    page.fill("#id_first_name", "Maja")
    page.fill("#id_last_name", "Testesen")
    page.click("[data-testid=client-form] button[type=submit]")
    # Then the page comes back with the error summary, and focus is on it
    page.wait_for_selector(".error-summary")
    page.wait_for_load_state("load")
    assert active(page, "document.activeElement.classList.contains('error-summary')")
    assert "There is a problem" in page.inner_text(".error-summary")
    link = page.locator(".error-summary a[href='#id_national_id']")
    assert link.count() == 1
    assert link.inner_text().startswith("National identifier: ")
    # and the field says what is wrong, tied to its input
    assert "id_national_id_error" in (
        page.get_attribute("#id_national_id", "aria-describedby") or ""
    )
    # When she follows the summary's link, the field has focus
    link.click()
    assert active(page) == "id_national_id"
    # and the field sits in a group with a legend
    legend = page.evaluate(
        "document.getElementById('id_national_id').closest('fieldset').querySelector('legend')"
        ".textContent"
    )
    assert legend == "Identity"
    assert not Client.objects.filter(last_name="Testesen").exists()
    # and the page does not scroll sideways on a phone
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_skip_link_is_the_first_stop_and_lands_on_the_form(page, live_server, counsellor):
    url = live_server.url
    log_in(page, url, counsellor)
    page.goto(f"{url}/clients/new/")
    page.wait_for_load_state("load")
    # Tab from the page's start: the skip link, visible when focused
    page.keyboard.press("Tab")
    assert active(page, "document.activeElement.className") == "skip"
    assert active(page, "document.activeElement.getAttribute('href')") == "#main-form"
    assert page.evaluate("document.activeElement.getBoundingClientRect().left >= 0")
    # Activating it, then Tab: the form's first field
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert active(page) == "id_national_id"


def test_a_button_focused_from_the_keyboard_shows_a_focus_ring(page, live_server, counsellor):
    url = live_server.url
    log_in(page, url, counsellor)
    page.goto(f"{url}/clients/new/")
    page.wait_for_load_state("load")
    # The form's last field, then Tab to its primary button
    page.focus("#id_language")
    page.keyboard.press("Tab")
    assert active(page, "document.activeElement.tagName") == "BUTTON"
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert style[0] != "none" and style[1] >= 2


def test_the_style_guide_fits_a_phone_and_focuses_its_failed_forms_summary(
    page, live_server, counsellor
):
    url = live_server.url
    log_in(page, url, counsellor)
    page.goto(f"{url}/styleguide/")
    page.wait_for_load_state("load")
    assert page.locator("[data-testid=sg-form-failed] .error-summary").count() == 1
    assert active(page, "document.activeElement.classList.contains('error-summary')")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # the radio buttons' link leads to their first option
    page.click(".error-summary a[href='#id_failed-reminder_channel_0']")
    assert active(page) == "id_failed-reminder_channel_0"
