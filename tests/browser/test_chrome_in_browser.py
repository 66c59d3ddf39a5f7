"""The header and menu, and the outcome page, as staff see them in headless Chromium (issue 13):
on a phone the header is one line with a Menu button (the menu stays open without the
script), the current page is marked in the menu, the outcome charts and tables fit a phone,
and the year links work in Danish."""

from __future__ import annotations

import datetime

import pytest

from bedring.catalogue.models import Enrolment
from bedring.core.roles import Role
from tests.browser.chrome import open_menu, open_more
from tests.browser.test_pathway_in_browser import log_in
from tests.outcomes.conftest import attend, deadline, discharge, episode, offer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = datetime.date
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def manager_with_figures(org_dk, make_staff, make_client):
    """A Sønderborg manager (who reads clients too) and a year of figures: discharges, a
    treatment-start deadline, and a group with a long name and a no-show."""
    manager = make_staff(org_dk, Role.MANAGER)
    manager.language = "en"
    manager.save()
    group = offer(org_dk, "Motivationsgruppe for unge voksne med behandlingskrav")
    for i in range(3):
        client = make_client(org_dk)
        e = episode(client, opened_on=D(2025, 1 + i, 2), started_on=D(2025, 1 + i, 10))
        discharge(e, manager, on=D(2025, 3 + i, 1), result="drug_free" if i else "not_reached")
        deadline(e, "treatment_start", D(2025, 1 + i, 16), "met", D(2025, 1 + i, 10))
        enrolment = Enrolment.objects.create(
            client=client,
            episode=e,
            offer=group,
            organisation=org_dk,
            starts_on=D(2025, 1 + i, 10),
            enrolled_by=manager,
        )
        attend(enrolment, D(2025, 2 + i, 1), "absent" if i else "attended", manager)
    return manager


def header_height(page) -> float:
    return page.eval_on_selector("header.topbar", "h => h.getBoundingClientRect().height")


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_on_a_phone_the_header_is_one_line_and_the_menu_opens_from_a_button(
    page, live_server, manager_with_figures
):
    """Issue 13: on a phone the header took 255-290 of 844 px on every page."""
    url = live_server.url
    log_in(page, url, manager_with_figures)
    for path in ("/", "/clients/", "/outcomes/?year=2025", "/accounts/tokens/"):
        page.goto(f"{url}{path}")
        page.wait_for_load_state("load")
        # The header is one line: the brand and the Menu button.
        assert header_height(page) <= 64, path
        toggle = page.locator("[data-menu-toggle]")
        assert toggle.is_visible()
        assert toggle.get_attribute("aria-expanded") == "false"
        assert toggle.get_attribute("aria-controls") == "site-menu"
        assert not page.is_visible("nav.mainnav")
        assert scroll_width(page) <= 390, path

    # The menu opens from the button, marks the current page, and closes with Escape.
    page.goto(f"{url}/outcomes/?year=2025")
    page.wait_for_load_state("load")
    page.click("[data-menu-toggle]")
    assert page.get_attribute("[data-menu-toggle]", "aria-expanded") == "true"
    current = page.locator("nav.mainnav a[aria-current=page]")
    assert current.inner_text() == "Outcomes"
    assert current.is_visible()
    assert scroll_width(page) <= 390
    current.focus()
    page.keyboard.press("Escape")
    assert page.get_attribute("[data-menu-toggle]", "aria-expanded") == "false"
    assert page.evaluate("document.activeElement.hasAttribute('data-menu-toggle')")
    assert not page.is_visible("nav.mainnav")
    # The rarely used items are one step further, under "More".
    open_more(page)
    assert page.is_visible("nav.mainnav a[data-menu=tokens]")
    assert page.is_visible("#lang-switch")


def test_without_the_script_the_menu_stays_open_on_a_phone(
    browser, live_server, manager_with_figures
):
    context = browser.new_context(locale="en-GB", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server.url, manager_with_figures)
        assert not page.is_visible("[data-menu-toggle]")
        assert page.is_visible("nav.mainnav a[data-menu=clients]")
        assert page.is_visible(".who button.link")
        assert scroll_width(page) <= 390
    finally:
        context.close()


def test_on_a_desktop_the_menu_is_one_bar_with_the_current_page_marked(
    page, live_server, manager_with_figures
):
    """Issue 13: 12 menu stops before the first field, and no mark of the current page."""
    url = live_server.url
    page.set_viewport_size(DESKTOP)
    log_in(page, url, manager_with_figures)
    page.goto(f"{url}/pathway/deadlines/")
    page.wait_for_load_state("load")
    assert not page.is_visible("[data-menu-toggle]")
    assert header_height(page) <= 64
    current = page.locator("nav.mainnav a[aria-current=page]")
    assert current.inner_text() == "Deadlines"
    other = page.locator("nav.mainnav a[data-menu=clients]")

    def look(locator) -> tuple[str, str]:
        return locator.evaluate(
            "a => [getComputedStyle(a).borderBottomColor, getComputedStyle(a).fontWeight]"
        )

    assert look(current) != look(other)  # the current page is marked for the eye too
    # The keyboard meets the skip link first, then few stops before the page's own content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    stops = 0
    while not page.evaluate("!!document.activeElement.closest('main')"):
        page.keyboard.press("Tab")
        stops += 1
        assert stops <= 11, "too many stops in the header"
    # "More" opens over the page and closes when the pointer goes elsewhere.
    assert not page.is_visible("nav.mainnav a[data-menu=tallies]")
    page.click("details[data-menu-more] > summary")
    assert page.is_visible("nav.mainnav a[data-menu=tallies]")
    page.click("main h1")
    assert not page.is_visible("nav.mainnav a[data-menu=tallies]")


def test_the_outcome_page_fits_a_phone_and_its_year_links_work_in_danish(
    page, live_server, manager_with_figures
):
    """Issue 13: years printed as '2.025' with links that answered 'Give a year from 2000
    to 2100'; charts a fixed 614 px wide; a Danish organisation shown the Norwegian
    first-contact figure."""
    url = live_server.url
    manager_with_figures.language = "da"
    manager_with_figures.save()
    log_in(page, url, manager_with_figures)
    page.goto(f"{url}/outcomes/")
    page.wait_for_load_state("load")
    years = page.locator("[data-testid=outcome-years] a")
    labels = [years.nth(i).inner_text() for i in range(years.count())]
    assert "2025" in labels and all(len(label) == 4 for label in labels)
    page.click("[data-testid=outcome-years] a:text-is('2025')")
    page.wait_for_selector("[data-testid=outcome-years] a[aria-current=page]:text-is('2025')")
    assert not page.is_visible("[data-testid=outcome-error]")
    page.wait_for_load_state("load")
    # The charts fill their card, whatever the width, and the page does not scroll sideways.
    assert page.locator("img.chart").count() >= 5
    for chart in page.locator("img.chart").all():
        width, card = chart.evaluate(
            "i => [i.getBoundingClientRect().width, i.parentElement.clientWidth]"
        )
        assert 0 < width <= card
    assert scroll_width(page) <= 390
    for wrap in page.locator("[data-testid^=figure-] .table-wrap").all():
        assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth")
    # Sønderborg is Danish: the start guarantee is shown, the Norwegian first contact is not.
    assert page.is_visible("[data-testid=figure-treatment_guarantee]")
    assert page.locator("[data-testid=figure-first_contact]").count() == 0
    page.set_viewport_size(DESKTOP)
    chart = page.locator("img.chart").first
    assert chart.evaluate("i => i.getBoundingClientRect().width") > 390
    open_menu(page)
