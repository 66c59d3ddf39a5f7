"""axe-core on every main page, at 1366 and at 390 px wide: no serious or critical violation of
WCAG 2.2 A/AA, and at 390 px no page that scrolls sideways (issue 13).

axe-core is the npm package's ``axe.min.js``, vendored in ``tests/browser/vendor/`` (see its
README for the version) and injected into each page from that file: nothing is fetched at run
time. The page's CSP forbids inline scripts, so the browser contexts bypass it for the
injection (the pages are the same; only axe's own script is let in).

Fast by design: one world (the authorisation walk's, tests/walk_world.py) built once for the
module and committed, one live server, one browser context per role logged in once, and one
test per page that looks at both widths. The module's data is flushed when it ends, as a
transactional test's is.
"""

from __future__ import annotations

import datetime
import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from bedring.core.roles import Role
from tests.browser.chrome import open_more
from tests.browser.test_pathway_in_browser import log_in
from tests.conftest import client_maker, shipped_organisation, staff_maker
from tests.test_authorisation_walk import build_world

# django_db: each test is a transaction rolled back at its end (what a page writes, such as the
# access log, is undone); the world itself is committed once by the module's fixture.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = ({"width": 1366, "height": 900}, {"width": 390, "height": 844})
# The walk's world is written for this day (tests/walk_world.py); the pages are read on it.
WALK_NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
ANONYMOUS = "anonymous"
ROLES = (
    Role.COUNSELLOR,
    Role.NURSE,
    Role.DOCTOR,
    Role.AUTHORITY,
    Role.MANAGER,
    Role.STREET_NURSE,
)

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ")),
    }));
}"""


@dataclass(frozen=True)
class MainPage:
    id: str
    role: str
    url: Callable[[dict[str, Any]], str]
    # What a person does on the page before it is checked (submit a form with errors).
    action: Callable[[Any], None] | None = None


def client_url(name: str) -> Callable[[dict[str, Any]], str]:
    return lambda w: reverse(name, args=[w["client"].uuid])


def url(name: str, *keys: str, query: str = "") -> Callable[[dict[str, Any]], str]:
    return lambda w: reverse(name, args=[w[k].uuid for k in keys]) + query


def submit_empty(page) -> None:
    """Send the page's form as it is: the page comes back with its errors."""
    page.click("main form button[type=submit]")
    page.wait_for_selector(".errorlist, .error-summary, .msg.error")
    page.wait_for_load_state("load")


def contact_steps_to_the_end(page) -> None:
    """The contact form's screens one after the other (contact-steps.js), to the last."""
    for step in (1, 2):
        page.click(f"[data-testid=next-{step}]")
    page.wait_for_selector("[data-testid=save-contact]", state="visible")


def save_empty_contact(page) -> None:
    """The contact form saved as it opens: the page comes back with its errors."""
    contact_steps_to_the_end(page)
    page.click("[data-testid=save-contact]")
    # The phone's script sends the form to the API and shows the refusal on the form; without
    # the script the page comes back with the form pattern's error summary.
    page.wait_for_selector("#offline-form-error.msg, .error-summary")
    page.wait_for_load_state("load")


def open_the_menu(page) -> None:
    """The folded menu and "More" open, so that their content is checked at 390 px too."""
    if page.viewport_size["width"] < 600:
        open_more(page)


MAIN_PAGES = [
    *[MainPage(f"home-{role}", role, url("web:dashboard")) for role in ROLES],
    MainPage("home-menu-open", Role.COUNSELLOR, url("web:dashboard"), open_the_menu),
    MainPage("clients", Role.COUNSELLOR, url("clients:list")),
    MainPage("client", Role.COUNSELLOR, client_url("web:client_detail")),
    MainPage("client-journal", Role.COUNSELLOR, client_url("journal:client")),
    MainPage("client-appointments", Role.COUNSELLOR, client_url("appointments:client")),
    MainPage("client-medication", Role.DOCTOR, client_url("medication:client")),
    MainPage("client-health", Role.NURSE, client_url("health:client")),
    MainPage("client-documents", Role.COUNSELLOR, client_url("documents:client")),
    MainPage("client-referrals", Role.COUNSELLOR, client_url("referrals:client")),
    MainPage("client-pathway", Role.COUNSELLOR, client_url("pathway:client_episodes")),
    MainPage("client-register-errors", Role.COUNSELLOR, url("clients:create"), submit_empty),
    MainPage("episode", Role.COUNSELLOR, url("pathway:episode", "episode")),
    MainPage("worklist", Role.COUNSELLOR, url("pathway:worklist")),
    MainPage("desk", Role.NURSE, url("medication:desk", "desk_site")),
    MainPage("prescribe", Role.DOCTOR, client_url("medication:prescribe")),
    MainPage("outcomes", Role.MANAGER, url("outcomes:dashboard", query="?year=2026")),
    MainPage("offers", Role.COUNSELLOR, url("catalogue:offers")),
    MainPage("offer", Role.COUNSELLOR, url("catalogue:offer_detail", "offer")),
    MainPage("course", Role.COUNSELLOR, url("catalogue:course_detail", "course")),
    MainPage("enrolment-form", Role.COUNSELLOR, client_url("catalogue:client_enrol")),
    MainPage("attendance", Role.COUNSELLOR, url("catalogue:attendance", "session")),
    MainPage("appointments-day", Role.COUNSELLOR, url("appointments:day")),
    MainPage("outbox", Role.COUNSELLOR, url("messaging:outbox")),
    MainPage("access-log", Role.MANAGER, client_url("web:client_log")),
    MainPage("login", ANONYMOUS, url("accounts:login")),
    MainPage("organisation", Role.MANAGER, url("accounts:organisation")),
    # HRM-10: the outreach evaluation (Sønderborg: figures without the model's window).
    MainPage("outreach-evaluation", Role.MANAGER, url("outreach:evaluation")),
    # HRM-8, PRV-4: street work on a phone
    MainPage("outreach", Role.STREET_NURSE, url("outreach:index")),
    MainPage("outreach-contact-form", Role.STREET_NURSE, url("outreach:contact_new")),
    MainPage(
        "outreach-contact-form-last-step",
        Role.STREET_NURSE,
        url("outreach:contact_new"),
        contact_steps_to_the_end,
    ),
    MainPage(
        "outreach-contact-form-errors",
        Role.STREET_NURSE,
        url("outreach:contact_new"),
        save_empty_contact,
    ),
    MainPage("outreach-contact", Role.STREET_NURSE, url("outreach:contact", "outreach_contact")),
    MainPage("outreach-client", Role.STREET_NURSE, client_url("outreach:client")),
    MainPage("outreach-codes", Role.STREET_NURSE, url("outreach:pseudonyms")),
    MainPage("outreach-code", Role.STREET_NURSE, url("outreach:pseudonym", "pseudonym")),
    MainPage(
        "outreach-code-client", Role.STREET_NURSE, url("outreach:pseudonym_client", "pseudonym")
    ),
    # HRM-1, HRM-9: the needle exchange, as the street nurse works it and the manager reads it.
    MainPage("exchange-network", Role.STREET_NURSE, url("outreach:exchange")),
    MainPage("exchange-point", Role.STREET_NURSE, url("outreach:exchange_point", "exchange_point")),
    MainPage("exchange-form", Role.STREET_NURSE, url("outreach:exchange_new", "exchange_point")),
    MainPage(
        "exchange-form-errors",
        Role.STREET_NURSE,
        url("outreach:exchange_new", "exchange_point"),
        submit_empty,
    ),
    MainPage("exchange-stock", Role.STREET_NURSE, url("outreach:exchange_stock", "exchange_point")),
    MainPage("exchange-figures", Role.MANAGER, url("outreach:exchange_figures")),
]


@dataclass
class Site:
    url: str
    world: dict[str, Any]
    pages: dict[str, Any]  # a logged-in page per role (and one anonymous)


@pytest.fixture(scope="module")
def site(django_db_setup: None, django_db_blocker: Any, browser: Any) -> Iterator[Site]:
    """The walk's world, committed, served by a live server of this module, with a browser
    page per role, each logged in once. The database stays open to the server thread for the
    module; its data is flushed at the end."""
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        server = LiveServer("localhost")
        contexts = []
        try:
            with time_machine.travel(WALK_NOW - datetime.timedelta(minutes=10), tick=True):
                rng = random.Random(7)
                world = build_world(
                    shipped_organisation("sonderborg"),
                    shipped_organisation("sandnes"),
                    staff_maker(),
                    client_maker(rng),
                )
                pages = {}
                for role in (*ROLES, ANONYMOUS):
                    context = browser.new_context(
                        locale="en-GB", viewport=WIDTHS[0], bypass_csp=True
                    )
                    contexts.append(context)
                    page = context.new_page()
                    page.set_default_timeout(15_000)
                    if role != ANONYMOUS:
                        user = world["staff"][role]
                        user.language = "en"
                        user.save(update_fields=["language"])
                        log_in(page, server.url, user)
                    pages[role] = page
            yield Site(server.url, world, pages)
        finally:
            for context in contexts:
                context.close()
            # The server's request threads close their database connection as they end: let
            # them end while the connection is still shared with them.
            for thread in threading.enumerate():
                if thread.name.endswith("(process_request_thread)"):
                    thread.join(timeout=10)
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def on_the_walk_day(frozen_clock: time_machine.Traveller) -> None:
    frozen_clock.move_to(WALK_NOW)


def violations(page) -> list[dict[str, Any]]:
    return page.evaluate(RUN_AXE, TAGS)


@pytest.mark.parametrize("main_page", MAIN_PAGES, ids=[p.id for p in MAIN_PAGES])
def test_no_serious_accessibility_violation_at_desktop_and_phone_width(
    site: Site, main_page: MainPage
):
    page = site.pages[main_page.role]
    found: dict[int, list[dict[str, Any]]] = {}
    for size in WIDTHS:
        page.set_viewport_size(size)
        response = page.goto(site.url + main_page.url(site.world))
        assert response is not None and response.status == 200, main_page.url(site.world)
        page.wait_for_load_state("load")
        if main_page.action is not None:
            main_page.action(page)
        page.add_script_tag(path=str(AXE))
        found[size["width"]] = violations(page)
        if size["width"] == 390:
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= 390, f"{main_page.id} scrolls sideways at 390 px ({wide} px)"
    report = [
        f"{width} px: {v['id']} ({v['impact']}): {v['help']}: {', '.join(v['nodes'])}"
        for width, listed in found.items()
        for v in listed
    ]
    assert not report, f"{main_page.id}:\n" + "\n".join(report)
