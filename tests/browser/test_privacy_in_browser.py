"""What staff see of a client's privacy, in real headless Chromium at 390 px (PRV-1, REF-2):
the client list opens on the search and "Your recent clients" with identifiers masked to the
birth date, the opened record shows the whole identifier and the episode's state, and the
manager's access log says in words (in Danish for a Danish manager) who did what, when and
how."""

from __future__ import annotations

import re

import pytest

from bedring.core.roles import Role
from bedring.pathway.services.episode import episode_begin_assessment, inquiry_register
from tests.browser.test_courses_in_browser import log_in
from tests.pathway.conftest import days_ago

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_horizontal_scroll(page) -> None:
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_client_list_opens_on_my_recent_clients_with_masked_identifiers(
    page, live_server, org_dk, make_staff, make_client
):
    """PRV-1, REF-2"""
    url = live_server.url
    counsellor = make_staff(org_dk, Role.COUNSELLOR)
    counsellor.language = "en"
    counsellor.save()
    opened = make_client(org_dk, last_name="Opened")
    never = make_client(org_dk, last_name="Neveropened")
    inquiry = inquiry_register(
        organisation=org_dk,
        site=org_dk.sites.filter(kind="main").first(),
        actor=counsellor,
        channel="phone",
        referrer="self",
        received_at=days_ago(org_dk, 2),
        client=opened,
        assign_to=counsellor,
    )
    assert inquiry.episode is not None
    episode_begin_assessment(episode=inquiry.episode, actor=counsellor)
    log_in(page, url, counsellor)

    # Given she has opened one client: the record shows the identifier whole and the state
    page.goto(f"{url}/clients/{opened.uuid}/")
    assert opened.identifier_display in page.inner_text("main")
    assert page.inner_text("[data-testid=client-episode-state]") == "Episode: Assessment"
    assert counsellor.get_full_name() in page.inner_text("[data-testid=client-case-with]")
    no_horizontal_scroll(page)

    # When she opens the client list
    page.goto(f"{url}/clients/")
    main = page.inner_text("main")
    # Then nobody is listed but her recent client, with the identifier masked
    assert "Your recent clients" in main
    recent = page.inner_text("[data-testid=recent-clients]")
    assert "Opened" in recent and "Neveropened" not in main
    assert f"{opened.national_id[:6]}-****" in recent
    assert opened.national_id not in main and opened.identifier_display not in main
    no_horizontal_scroll(page)

    # When she searches, the results mask the identifier too
    page.fill("#q", "Neveropened")
    page.press("#q", "Enter")
    page.wait_for_selector("[data-testid=search-results]")
    results = page.inner_text("[data-testid=search-results]")
    assert "Neveropened" in results
    assert f"{never.national_id[:6]}-****" in results
    assert never.identifier_display not in results


def test_the_access_log_is_in_words_and_in_danish_for_a_danish_manager(
    page, live_server, org_dk, make_staff, make_client
):
    """PRV-1"""
    url = live_server.url
    counsellor = make_staff(org_dk, Role.COUNSELLOR)
    counsellor.language = "en"
    counsellor.save()
    manager = make_staff(org_dk, Role.MANAGER)
    manager.language = "da"
    manager.save()
    person = make_client(org_dk, last_name="Logged")

    # Given a counsellor opened the client and changed the phone number
    log_in(page, url, counsellor)
    page.goto(f"{url}/clients/{person.uuid}/edit/")
    page.fill("#id_phone", "+45 20 00 09 99")
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(rf".*/clients/{person.uuid}/$"))
    page.context.clear_cookies()

    # When a Danish manager opens the client's access log
    log_in(page, url, manager)
    page.goto(f"{url}/audit/clients/{person.uuid}/")
    text = page.inner_text("main")

    # Then it is in Danish, in words, to the minute, with no storage detail
    assert "Hvem har åbnet journalen" in text
    assert "Misbrugsbehandler" in text  # the counsellor's role
    assert re.search(r"\d+\. \w+ \d{4} \d{2}:\d{2}", text)
    assert "+45 20 00 09 99" in text
    for raw in ("client_detail", "client_edit", "{'", "pk"):
        assert raw not in text
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d+", text)
    no_horizontal_scroll(page)
