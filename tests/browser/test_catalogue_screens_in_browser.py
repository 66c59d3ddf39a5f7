"""The catalogue's screens as staff meet them (issue 13), in real headless Chromium at phone
width: the enrolment form offers only the chosen offer's courses and says in words when
none is planned, with htmx and without JavaScript; the attendance page says what was saved
and leads on; a Danish offer page shows no English developer note and no requirement code.
"""

from __future__ import annotations

import datetime
import re

import pytest

from bedring.catalogue.models import Enrolment, Offer
from bedring.catalogue.services.courses import course_create
from bedring.catalogue.services.enrolments import enrol
from bedring.core import clock
from bedring.core.roles import Role
from tests.browser.test_courses_in_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = re.compile(r"\b(INT|ASM|DEC|PLN|CAT|SCH|MED|HLT|HRM|REL|DIS|PRV)-\d+\b")


def offer(organisation, key: str) -> Offer:
    return Offer.objects.get(organisation=organisation, key=key, is_current=True)


def plan(organisation, key: str, starts_on: datetime.date, actor):
    return course_create(
        offer=offer(organisation, key),
        site=organisation.sites.get(slug="kongevej"),
        actor=actor,
        starts_on=starts_on,
    )


def fits_the_phone(page) -> bool:
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def course_options(page) -> list[str]:
    return page.eval_on_selector_all(
        "#id_course option", "options => options.map(o => o.value).filter(Boolean)"
    )


def test_the_enrolment_form_lists_the_chosen_offers_courses_or_says_none_is_planned(
    page, live_server, org_dk, make_staff, make_client
):
    url = live_server.url
    counsellor = make_staff(org_dk, Role.COUNSELLOR)
    counsellor.language = "en"
    counsellor.save()
    today = clock.today(org_dk)
    relatives = plan(org_dk, "relatives-course", today + datetime.timedelta(days=21), counsellor)
    plan(org_dk, "intro-group", today + datetime.timedelta(days=14), counsellor)
    client = make_client(org_dk, last_name="Enrolled")

    # Given the counsellor on the client's page, when she opens the enrolment form
    log_in(page, url, counsellor)
    page.goto(f"{url}/clients/{client.uuid}/")
    page.click("[data-testid=client-enrol]")
    page.wait_for_selector("#id_offer")
    assert page.locator("#id_course").count() == 0  # the offer comes first

    # When she chooses a group offer with no course planned, the form says so in words
    page.focus("#id_offer")
    page.select_option("#id_offer", label="Motivationsgruppe")
    page.wait_for_selector("[data-testid=no-course]")
    assert "No course of Motivationsgruppe is planned yet." in page.inner_text(
        "[data-testid=no-course]"
    )
    assert page.locator("[data-testid=plan-course-link]").is_visible()
    assert page.locator("[data-testid=confirm-enrol]").count() == 0
    assert page.evaluate("document.activeElement.id") == "id_offer"  # focus stays put
    assert fits_the_phone(page)

    # When she chooses the relatives course, only its course is offered
    page.select_option("#id_offer", label="Pårørendeforløb")
    page.wait_for_selector("#id_course")
    assert course_options(page) == [str(relatives.uuid)]
    assert page.locator("[data-testid=no-course]").count() == 0
    page.select_option("#id_course", str(relatives.uuid))
    page.click("[data-testid=confirm-enrol]")
    page.wait_for_selector("text=Enrolled in Pårørendeforløb.")
    assert Enrolment.objects.get(client=client).course == relatives
    assert not CODE.search(page.inner_text("main"))


def test_the_enrolment_form_works_without_javascript(
    browser, live_server, org_dk, make_staff, make_client
):
    url = live_server.url
    counsellor = make_staff(org_dk, Role.COUNSELLOR)
    counsellor.language = "en"
    counsellor.save()
    today = clock.today(org_dk)
    relatives = plan(org_dk, "relatives-course", today + datetime.timedelta(days=21), counsellor)
    plan(org_dk, "intro-group", today + datetime.timedelta(days=14), counsellor)
    client = make_client(org_dk, last_name="Plain")
    context = browser.new_context(
        locale="en-GB", viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, url, counsellor)
        page.goto(f"{url}/catalogue/clients/{client.uuid}/enrol/")
        page.select_option("#id_offer", label="Pårørendeforløb")
        page.click("[data-testid=show-offer]")
        page.wait_for_selector("#id_course")
        assert course_options(page) == [str(relatives.uuid)]
        page.select_option("#id_course", str(relatives.uuid))
        page.click("[data-testid=confirm-enrol]")
        page.wait_for_selector("text=Enrolled in Pårørendeforløb.")
        assert Enrolment.objects.get(client=client).course == relatives
    finally:
        context.close()


def test_the_attendance_page_says_what_was_saved_and_leads_back_to_the_course(
    page, live_server, org_dk, make_staff, make_client
):
    url = live_server.url
    counsellor = make_staff(org_dk, Role.COUNSELLOR)
    counsellor.language = "en"
    counsellor.save()
    today = clock.today(org_dk)
    start = today - datetime.timedelta(days=today.weekday() + 21)  # a Monday three weeks ago
    course = plan(org_dk, "relatives-course", start, counsellor)
    client = make_client(org_dk, last_name="Attending")
    enrolment = enrol(client=client, actor=counsellor, course=course, starts_on=course.starts_on)
    first, second = course.sessions.order_by("on")[:2]

    # Given the counsellor on the attendance page of the first session
    log_in(page, url, counsellor)
    page.goto(f"{url}/catalogue/sessions/{first.uuid}/attendance/")
    # When she records the client as attended and saves
    page.check(f"input[name='status-{enrolment.uuid}'][value=attended]")
    page.click("button[type=submit]:has-text('Save attendance')")
    # Then the page confirms what was recorded
    page.wait_for_selector(".messages")
    assert "Saved for session 1" in page.inner_text(".messages")
    assert "Attended 1" in page.inner_text(".messages")
    assert fits_the_phone(page)
    # And leads on: to the next session, and back to the course
    assert page.get_attribute("[data-testid=way-next]", "href") == (
        f"/catalogue/sessions/{second.uuid}/attendance/"
    )
    page.click("[data-testid=way-back]")
    page.wait_for_selector("[data-testid=places]")
    assert page.url == f"{url}/catalogue/courses/{course.uuid}/"


def test_a_danish_offer_page_shows_no_english_developer_note(page, live_server, org_dk, make_staff):
    url = live_server.url
    manager = make_staff(org_dk, Role.MANAGER)
    manager.language = "da"
    manager.save()
    youth = offer(org_dk, "youth-counselling")
    note = youth.parsed.notes  # "INT-3, SEL §11. Open and anonymous: no case is opened ..."
    assert "Open and anonymous" in note

    log_in(page, url, manager)
    page.goto(f"{url}/catalogue/offers/{youth.uuid}/")
    text = page.inner_text("main")
    assert "Tidlig forebyggende indsats" in text  # the offer's purpose, in Danish
    assert "Open and anonymous" not in text
    assert "assumption" not in text.lower()
    assert not CODE.search(text)
    assert fits_the_phone(page)
