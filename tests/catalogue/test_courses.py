"""Courses of group offers: planned from the offer's cadence around public holidays and the
site's closed days, with a page of sessions and participants, and the same rules in the API
(SCH-1, SCH-3, SCH-4, CAT-1)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bedring.accounts.models import ClosedDay
from bedring.catalogue.models import Enrolment, Session
from bedring.catalogue.services.courses import course_cancel, course_create
from bedring.catalogue.services.enrolments import enrol
from bedring.core.errors import Conflict, ValidationFailed
from bedring.core.roles import Role
from tests.catalogue.test_courses_world import (
    course,
    current,
    get_json,
    person,
    post_json,
    writes,
)

# The 2026-27 calendar of the course scenarios (tests/catalogue/conftest.py).
pytestmark = pytest.mark.usefixtures("on_the_scenario_day")

D = datetime.date


def dates(course_) -> list[datetime.date]:
    return list(Session.objects.filter(course=course_).order_by("on").values_list("on", flat=True))


# --- the schedule ---------------------------------------------------------------------


def test_a_course_across_easter_skips_the_holidays_and_keeps_all_its_sessions(org_dk, counsellor):
    """SCH-1: a weekly 4-session intro group starting Monday 15 March 2027 meets neither on
    Easter Monday (DK public holiday): it gets a session more at the end instead."""
    planned = course(org_dk, "intro-group", D(2027, 3, 15), actor=counsellor)
    assert dates(planned) == [D(2027, 3, 15), D(2027, 3, 22), D(2027, 4, 5), D(2027, 4, 12)]
    sessions = list(Session.objects.filter(course=planned).order_by("on"))
    assert [s.index for s in sessions] == [1, 2, 3, 4]
    assert {s.minutes for s in sessions} == {90}
    assert planned.capacity == 12  # the offer's, by default


def test_a_moved_session_is_on_the_next_open_day_and_says_where_it_came_from(
    org_dk, counsellor, as_user
):
    """SCH-1: with the "move" rule Easter Monday's session is on the Tuesday, and the course
    page says it was moved from the closed day."""
    planned = course(org_dk, "intro-group", D(2027, 3, 15), actor=counsellor, on_closed_day="move")
    assert dates(planned) == [D(2027, 3, 15), D(2027, 3, 22), D(2027, 3, 30), D(2027, 4, 5)]
    moved = Session.objects.get(course=planned, on=D(2027, 3, 30))
    assert moved.moved_from == D(2027, 3, 29)
    page = as_user(counsellor).get(f"/catalogue/courses/{planned.uuid}/")
    assert page.status_code == 200
    assert "Moved from" in page.content.decode()


def test_the_relatives_course_meets_on_thursdays_of_even_weeks_at_three(org_dk, counsellor):
    """SCH-3: Thursdays in even ISO weeks, 15:00, 4 times; Maundy Thursday (week 12) and
    Ascension Day (week 18) are public holidays, so the course runs on to week 22."""
    planned = course(org_dk, "relatives-course", D(2027, 3, 18), actor=counsellor)
    assert dates(planned) == [D(2027, 4, 8), D(2027, 4, 22), D(2027, 5, 20), D(2027, 6, 3)]
    assert all(d.isocalendar().week % 2 == 0 for d in dates(planned))
    assert set(Session.objects.filter(course=planned).values_list("start_time", flat=True)) == {
        datetime.time(15, 0)
    }
    assert planned.start_time == datetime.time(15, 0)


def test_a_closed_day_of_the_site_is_skipped_like_a_holiday(org_dk, counsellor):
    site = org_dk.sites.get(kind="main")
    ClosedDay.objects.create(
        organisation=org_dk, site=site, date=D(2027, 1, 18), reason="Staff day"
    )
    planned = course(org_dk, "intro-group", D(2027, 1, 4), actor=counsellor)
    assert dates(planned) == [D(2027, 1, 4), D(2027, 1, 11), D(2027, 1, 25), D(2027, 2, 1)]


def test_the_course_staff_staff_every_session(org_dk, counsellor, make_staff):
    """SCH-4: the staff of a course are on each of its sessions (a substitute per session
    can then be set)."""
    nurse = make_staff(org_dk, Role.NURSE)
    planned = course(org_dk, "intro-group", actor=counsellor, staff=[counsellor, nurse])
    assert set(planned.staff.all()) == {counsellor, nurse}
    for session in Session.objects.filter(course=planned):
        assert set(session.staff.all()) == {counsellor, nurse}


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("individual", "not_a_group_offer"),  # 1-2 times a month, individual
        ("youth", "no_schedule"),  # individual or group, but booked per month
        ("nada", "no_schedule"),  # an open cadence: no schedule
        ("shacks", "tally_only"),  # counted anonymously
    ],
)
def test_only_group_offers_with_a_cadence_have_courses_and_a_refusal_writes_nothing(
    org_dk, counsellor, key, code
):
    before = writes()
    with pytest.raises(ValidationFailed) as refused:
        course(org_dk, key, actor=counsellor)
    assert refused.value.code == code
    assert writes() == before


def test_staff_of_another_organisation_cannot_run_a_course(org_dk, counsellor, outsider):
    with pytest.raises(ValidationFailed) as refused:
        course(org_dk, "intro-group", actor=counsellor, staff=[outsider])
    assert refused.value.code == "staff_not_member"


def test_a_course_is_planned_on_the_current_version_only(org_dk, counsellor):
    from bedring.catalogue.services.offers import offer_edit

    old = current(org_dk, "intro-group")
    offer_edit(offer=old, actor=counsellor, changes={"capacity": 14})
    old.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        course_create(
            offer=old,
            site=org_dk.sites.get(kind="main"),
            actor=counsellor,
            starts_on=D(2027, 1, 4),
        )
    assert refused.value.code == "offer_not_current"


def test_cancelling_a_course_cancels_the_sessions_to_come_and_ends_the_enrolments(
    org_dk, counsellor
):
    planned = course(org_dk, "relatives-course", D(2027, 3, 18), actor=counsellor)
    enrolment = enrol(client=person(org_dk), actor=counsellor, course=planned)
    course_cancel(course=planned, actor=counsellor, reason="Too few participants")
    enrolment.refresh_from_db()
    assert enrolment.status == "ended"
    assert enrolment.end_reason == "Too few participants"
    assert set(Session.objects.filter(course=planned).values_list("status", flat=True)) == {
        "cancelled"
    }
    with pytest.raises(Conflict) as again:
        course_cancel(course=planned, actor=counsellor, reason="Twice")
    assert again.value.code == "course_cancelled"


# --- pages ----------------------------------------------------------------------------


def test_a_counsellor_plans_a_course_from_the_offer_page(org_dk, counsellor, as_user):
    http = as_user(counsellor)
    offer = current(org_dk, "intro-group")
    page = http.get(f"/catalogue/offers/{offer.uuid}/").content.decode()
    assert f"/catalogue/offers/{offer.uuid}/courses/new/" in page
    site = org_dk.sites.get(kind="main")
    response = http.post(
        f"/catalogue/offers/{offer.uuid}/courses/new/",
        {
            "site": str(site.uuid),
            "starts_on": "2027-03-15",
            "start_time": "10:00",
            "room": "Lokale 2",
            "on_closed_day": "extend",
            "staff": [counsellor.username],
        },
    )
    assert response.status_code == 302
    planned = offer.courses.get()
    assert response["Location"] == f"/catalogue/courses/{planned.uuid}/"
    assert planned.room == "Lokale 2"
    assert planned.capacity == 12
    detail = http.get(response["Location"]).content.decode()
    assert detail.count('data-testid="session-') == 4
    assert "10:00" in detail


def test_a_refused_course_is_shown_again_with_the_reason_and_422(org_dk, counsellor, as_user):
    offer = current(org_dk, "intro-group")
    before = writes()
    response = as_user(counsellor).post(
        f"/catalogue/offers/{offer.uuid}/courses/new/",
        {"site": str(org_dk.sites.get(kind="main").uuid), "starts_on": "", "on_closed_day": "x"},
    )
    assert response.status_code == 422
    assert writes() == before


def test_the_offer_page_lists_courses_and_is_open_to_every_staff_member(
    org_dk, counsellor, make_staff, as_user
):
    planned = course(org_dk, "intro-group", actor=counsellor)
    offer = current(org_dk, "intro-group")
    peer = as_user(make_staff(org_dk, Role.PEER_WORKER))
    page = peer.get(f"/catalogue/offers/{offer.uuid}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"/catalogue/courses/{planned.uuid}/" in text
    assert "/courses/new/" not in text  # a peer worker does not plan courses
    assert "/edit/" not in text  # nor edit the catalogue
    catalogue = peer.get("/catalogue/").content.decode()
    assert f"/catalogue/offers/{offer.uuid}/" in catalogue


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        (Role.PEER_WORKER, "courses/{course}/", 403),  # lists clients: CLIENT_READ
        (Role.DROPIN_WORKER, "courses/{course}/enrol/", 403),
        (Role.ADMINISTRATOR, "courses/{course}/", 403),  # no client data for the admin
        (Role.PEER_WORKER, "offers/{offer}/courses/new/", 403),
        (Role.COUNSELLOR, "courses/{course}/cancel/", 200),
        (Role.NURSE, "courses/{course}/", 200),
    ],
)
def test_course_pages_by_role(org_dk, counsellor, make_staff, as_user, role, path, status):
    planned = course(org_dk, "intro-group", actor=counsellor)
    url = "/catalogue/" + path.format(course=planned.uuid, offer=planned.offer.uuid)
    assert as_user(make_staff(org_dk, role)).get(url).status_code == status


def test_an_outsider_finds_no_course_and_no_offer_of_another_organisation(
    org_dk, counsellor, outsider, as_user
):
    planned = course(org_dk, "intro-group", actor=counsellor)
    http = as_user(outsider)
    for path in (
        f"/catalogue/courses/{planned.uuid}/",
        f"/catalogue/courses/{planned.uuid}/enrol/",
        f"/catalogue/courses/{planned.uuid}/cancel/",
        f"/catalogue/offers/{planned.offer.uuid}/",
        f"/catalogue/offers/{planned.offer.uuid}/edit/",
        f"/catalogue/offers/{planned.offer.uuid}/courses/new/",
    ):
        assert http.get(path).status_code == 404, path
    assert get_json(outsider, f"/api/v1/courses/{planned.uuid}").status_code == 404
    assert get_json(outsider, "/api/v1/courses").json()["count"] == 0


def test_the_course_page_needs_the_same_queries_for_many_participants_and_sessions(
    org_dk, counsellor, as_user
):
    """The course page's query count does not grow with sessions or participants; every
    participant shown is logged as seen (PRV-1)."""
    from bedring.audit.models import AccessEvent

    small = course(org_dk, "relatives-course", D(2027, 3, 18), actor=counsellor, capacity=2)
    big = course(org_dk, "day-treatment-main", D(2027, 1, 4), actor=counsellor, capacity=30)
    enrol(client=person(org_dk), actor=counsellor, course=small)
    for _ in range(12):
        client = person(org_dk)
        # Straight into the table: the day-treatment rules are tested elsewhere.
        Enrolment.objects.create(
            client=client,
            offer=big.offer,
            course=big,
            organisation=org_dk,
            starts_on=big.starts_on,
            enrolled_by=counsellor,
        )
    assert Session.objects.filter(course=big).count() == 40
    http = as_user(counsellor)
    http.get(f"/catalogue/courses/{small.uuid}/")  # warm the session and the caches

    def queries(course_) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert http.get(f"/catalogue/courses/{course_.uuid}/").status_code == 200
        return len(captured)

    assert queries(big) == queries(small)
    assert AccessEvent.objects.filter(view="course_detail", actor=counsellor).count() >= 12


# --- the API --------------------------------------------------------------------------


def test_the_api_plans_a_course_and_answers_with_its_sessions(org_dk, counsellor):
    offer = current(org_dk, "intro-group")
    response = post_json(
        counsellor,
        "/api/v1/courses",
        {
            "offer": str(offer.uuid),
            "site": str(org_dk.sites.get(kind="main").uuid),
            "starts_on": "2027-03-15",
            "on_closed_day": "move",
            "staff": [counsellor.username],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [s["on"] for s in body["sessions"]] == [
        "2027-03-15",
        "2027-03-22",
        "2027-03-30",
        "2027-04-05",
    ]
    assert body["sessions"][2]["moved_from"] == "2027-03-29"
    assert body["staff"] == [counsellor.username]
    assert body["capacity"] == 12
    listed = get_json(counsellor, "/api/v1/courses?offer=intro-group").json()
    assert [c["id"] for c in listed["results"]] == [body["id"]]
    detail = get_json(counsellor, f"/api/v1/courses/{body['id']}")
    assert detail.status_code == 200
    assert detail.json()["enrolments"] == []


def test_the_api_refuses_a_course_of_an_individual_offer_and_writes_nothing(org_dk, counsellor):
    before = writes()
    response = post_json(
        counsellor,
        "/api/v1/courses",
        {
            "offer": str(current(org_dk, "individual").uuid),
            "site": str(org_dk.sites.get(kind="main").uuid),
            "starts_on": "2027-03-15",
        },
    )
    assert response.status_code == 422
    assert response.json()["code"] == "not_a_group_offer"
    assert writes() == before


def test_api_course_permissions(org_dk, org_no, counsellor, make_staff, outsider):
    planned = course(org_dk, "intro-group", actor=counsellor)
    peer = make_staff(org_dk, Role.PEER_WORKER)
    # The list has no client data: every staff member; the detail lists participants.
    assert get_json(peer, "/api/v1/courses").status_code == 200
    assert get_json(peer, f"/api/v1/courses/{planned.uuid}").status_code == 403
    body = {
        "offer": str(planned.offer.uuid),
        "site": str(planned.site.uuid),
        "starts_on": "2027-02-01",
    }
    assert post_json(peer, "/api/v1/courses", body).status_code == 403
    # The outsider's own site, our offer: still not found.
    body["site"] = str(org_no.sites.first().uuid)
    assert post_json(outsider, "/api/v1/courses", body).status_code == 404
