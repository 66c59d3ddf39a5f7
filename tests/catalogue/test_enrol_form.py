"""The enrolment form of a client's page (SCH-1, issue 13): the offer is chosen first, the
course list holds only that offer's courses, a course of another offer is refused with a
message naming the offer, and an offer without a planned course says so with the way on
instead of an empty list. Choosing the offer writes nothing, with or without htmx."""

from __future__ import annotations

import datetime
import re

import pytest

from bedring.catalogue.models import Enrolment
from bedring.core.roles import Role
from tests.conftest import shipped_organisation

from .test_courses_world import course, current, granted, person, writes

# The 2026-27 calendar of the course scenarios (tests/catalogue/conftest.py).
pytestmark = pytest.mark.usefixtures("on_the_scenario_day")

D = datetime.date


def url(client) -> str:
    return f"/catalogue/clients/{client.uuid}/enrol/"


def options(html: str, field: str) -> set[str]:
    """The values offered by the select ``field`` of the page (empty choice left out)."""
    match = re.search(rf'<select name="{field}"[^>]*>(.*?)</select>', html, re.S)
    if match is None:
        return set()
    return set(re.findall(r'<option value="([^"]+)"', match.group(1)))


@pytest.fixture
def two_courses(org_dk, counsellor):
    """A relatives course and an intro group, both with sessions to come."""
    relatives = course(org_dk, "relatives-course", D(2027, 3, 18), actor=counsellor)
    intro = course(org_dk, "intro-group", D(2027, 1, 7), actor=counsellor)
    return relatives, intro


def test_before_an_offer_is_chosen_the_form_asks_for_the_offer_only(org_dk, counsellor, as_user):
    client = person(org_dk)
    page = as_user(counsellor).get(url(client)).content.decode()
    assert 'name="offer"' in page
    assert 'name="course"' not in page
    assert 'name="residential_criteria"' not in page
    assert 'data-testid="show-offer"' in page
    assert 'data-testid="confirm-enrol"' not in page


def test_the_course_list_holds_only_the_courses_of_the_chosen_offer(
    org_dk, counsellor, as_user, two_courses
):
    """Issue 13: the course list is filtered by the chosen offer, on the server."""
    relatives, intro = two_courses
    client = person(org_dk)
    offer = current(org_dk, "relatives-course")
    page = as_user(counsellor).get(f"{url(client)}?offer={offer.uuid}").content.decode()
    assert options(page, "course") == {str(relatives.uuid)}
    assert str(intro.uuid) not in page


def test_a_course_of_another_offer_is_refused_with_a_message_naming_the_offer(
    org_dk, counsellor, as_user, two_courses
):
    _relatives, intro = two_courses
    client = person(org_dk)
    offer = current(org_dk, "relatives-course")
    before = writes()
    response = as_user(counsellor).post(
        url(client), {"offer": str(offer.uuid), "course": str(intro.uuid)}
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "That course is not a course of Pårørendeforløb; choose one of its courses." in text
    assert 'href="#id_course"' in text  # the error summary leads to the course field
    assert writes() == before


def test_a_course_left_over_from_another_offer_is_refused_not_dropped(
    org_dk, counsellor, as_user, two_courses
):
    """Without JavaScript the course chosen for one offer is still posted after the offer was
    changed to one without courses: refused, never silently enrolled without it."""
    _relatives, intro = two_courses
    client = person(org_dk)
    alcohol = current(org_dk, "alcohol-treatment")  # individual: no course field
    before = writes()
    response = as_user(counsellor).post(
        url(client), {"offer": str(alcohol.uuid), "course": str(intro.uuid)}
    )
    assert response.status_code == 422
    assert "not a course of Ambulant alkoholbehandling" in response.content.decode()
    assert writes() == before


def test_a_group_offer_without_a_planned_course_says_so_and_leads_to_planning_one(
    org_dk, counsellor, as_user
):
    """Issue 13: no empty list without a reason; the way on is to plan a course."""
    client = person(org_dk)
    offer = current(org_dk, "motivation-group")
    page = as_user(counsellor).get(f"{url(client)}?offer={offer.uuid}").content.decode()
    assert "No course of Motivationsgruppe is planned yet." in page
    assert f'href="/catalogue/offers/{offer.uuid}/courses/new/"' in page
    assert 'name="course"' not in page
    assert 'data-testid="confirm-enrol"' not in page  # nothing to enrol in yet


def test_a_mixed_offer_without_a_course_can_still_be_given_individually(make_staff, as_user):
    """Assens' motivation theme is individual or in a group: with no group planned the
    form says so, offers to plan one, and enrols the client individually."""
    assens = shipped_organisation("assens")
    staff = make_staff(assens, Role.COUNSELLOR)
    client = person(assens)
    granted(client)
    offer = current(assens, "motivation")
    http = as_user(staff)
    page = http.get(f"{url(client)}?offer={offer.uuid}").content.decode()
    assert "No course of Motivation is planned yet." in page
    assert f"/catalogue/offers/{offer.uuid}/courses/new/" in page
    assert 'data-testid="confirm-enrol"' in page
    response = http.post(url(client), {"offer": str(offer.uuid)})
    assert response.status_code == 302, response.content.decode()
    enrolment = Enrolment.objects.get(client=client)
    assert (enrolment.offer.key, enrolment.course) == ("motivation", None)


def test_choosing_the_offer_writes_nothing_and_keeps_what_was_filled_in(
    org_dk, counsellor, as_user, two_courses
):
    relatives, _intro = two_courses
    client = person(org_dk)
    offer = current(org_dk, "relatives-course")
    http = as_user(counsellor)
    before = writes()
    response = http.post(
        url(client), {"offer": str(offer.uuid), "starts_on": "2027-03-18", "show": "offer"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="2027-03-18"' in page
    assert options(page, "course") == {str(relatives.uuid)}
    assert "There is a problem" not in page  # a choice, not a failed submission
    assert writes() == before

    # htmx swaps only the form, which it asks for when the offer changes
    partial = http.post(
        url(client), {"offer": str(offer.uuid), "show": "offer"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert partial.startswith('<form method="post" id="main-form"')
    assert "<html" not in partial
    assert options(partial, "course") == {str(relatives.uuid)}
    assert writes() == before


def test_the_client_is_enrolled_in_the_chosen_course(org_dk, counsellor, as_user, two_courses):
    relatives, _intro = two_courses
    client = person(org_dk)
    offer = current(org_dk, "relatives-course")
    response = as_user(counsellor).post(
        url(client), {"offer": str(offer.uuid), "course": str(relatives.uuid)}
    )
    assert response.status_code == 302
    assert Enrolment.objects.get(client=client).course == relatives


def test_an_outsider_cannot_open_the_form(org_dk, outsider, as_user):
    client = person(org_dk)
    offer = current(org_dk, "relatives-course")
    stranger = as_user(outsider)
    assert stranger.get(f"{url(client)}?offer={offer.uuid}").status_code == 404
    assert stranger.post(url(client), {"offer": str(offer.uuid), "show": "1"}).status_code == 404
