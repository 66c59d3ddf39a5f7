"""Sessions of individual enrolments: per month, weekly up to the offer's number, or on the
dates given; never beyond the cap and never on a closed day (SCH-1, CAT-2, CAT-3)."""

from __future__ import annotations

import datetime

import pytest

from bedring.catalogue.models import Session
from bedring.catalogue.services.enrolments import book_individual_sessions, enrol, enrolment_end
from bedring.core.errors import ValidationFailed
from bedring.core.roles import Role
from tests.catalogue.test_courses_world import (
    course,
    current,
    granted,
    person,
    post_json,
    writes,
)
from tests.conftest import shipped_organisation

# The 2026-27 calendar of the course scenarios (tests/catalogue/conftest.py).
pytestmark = pytest.mark.usefixtures("on_the_scenario_day")

D = datetime.date


@pytest.fixture
def org_assens(db):
    return shipped_organisation("assens")


@pytest.fixture
def motivation(org_assens, make_staff):
    """CAT-3: Assens' motivation theme, weekly, up to 5 sessions, as an individual course."""
    counsellor = make_staff(org_assens, Role.COUNSELLOR)
    client = person(org_assens)
    granted(client)
    enrolment = enrol(
        client=client,
        actor=counsellor,
        offer=current(org_assens, "motivation"),
        starts_on=D(2027, 3, 15),
    )
    return enrolment, counsellor


def booked(enrolment) -> list[datetime.date]:
    return list(
        Session.objects.filter(enrolment=enrolment)
        .exclude(status="cancelled")
        .order_by("on")
        .values_list("on", flat=True)
    )


def test_an_up_to_5_offer_books_5_weekly_sessions_around_easter_and_not_a_6th(motivation):
    """CAT-3: "motivation up to 5 sessions": the booking fills the 5, skipping Easter
    Monday, and a sixth is refused."""
    enrolment, counsellor = motivation
    sessions = book_individual_sessions(enrolment=enrolment, actor=counsellor)
    assert [s.on for s in sessions] == [
        D(2027, 3, 15),
        D(2027, 3, 22),
        D(2027, 4, 5),
        D(2027, 4, 12),
        D(2027, 4, 19),
    ]
    assert [s.index for s in sessions] == [1, 2, 3, 4, 5]
    assert {s.minutes for s in sessions} == {60}
    assert set(sessions[0].staff.all()) == {counsellor}
    before = writes()
    with pytest.raises(ValidationFailed) as refused:
        book_individual_sessions(enrolment=enrolment, actor=counsellor, sessions=1)
    assert refused.value.code == "session_cap"
    assert writes() == before
    with pytest.raises(ValidationFailed) as refused:
        book_individual_sessions(enrolment=enrolment, actor=counsellor)
    assert refused.value.code == "session_cap"


def test_a_booking_beyond_the_cap_is_refused_whole(motivation):
    enrolment, counsellor = motivation
    book_individual_sessions(enrolment=enrolment, actor=counsellor, sessions=3)
    before = writes()
    with pytest.raises(ValidationFailed) as refused:
        book_individual_sessions(
            enrolment=enrolment, actor=counsellor, sessions=3, start=D(2027, 5, 3)
        )
    assert refused.value.code == "session_cap"
    assert refused.value.details == {"cap": 5, "booked": 3, "asked": 3}
    assert "Motivation is at most 5 sessions" in str(refused.value.message)
    assert writes() == before
    assert len(booked(enrolment)) == 3


def test_cancelled_sessions_do_not_count_against_the_cap(motivation):
    enrolment, counsellor = motivation
    book_individual_sessions(enrolment=enrolment, actor=counsellor)
    Session.objects.filter(enrolment=enrolment, on=D(2027, 4, 19)).update(status="cancelled")
    again = book_individual_sessions(enrolment=enrolment, actor=counsellor, start=D(2027, 4, 26))
    assert [s.on for s in again] == [D(2027, 4, 26)]
    assert again[0].index == 6


def test_a_per_month_offer_books_its_times_on_working_days(org_dk, counsellor):
    """CAT-3: alcohol treatment 2-4 times a month, spread over the month's working days,
    never on New Year's Day; the same days are not booked twice."""
    enrolment = enrol(
        client=person(org_dk),
        actor=counsellor,
        offer=current(org_dk, "alcohol-treatment"),
        starts_on=D(2027, 1, 1),
    )
    sessions = book_individual_sessions(
        enrolment=enrolment, actor=counsellor, start=D(2027, 1, 1), start_time=datetime.time(9)
    )
    assert len(sessions) == 4
    assert all(s.on.month == 1 and s.on.weekday() < 5 for s in sessions)
    assert D(2027, 1, 1) not in [s.on for s in sessions]
    assert {s.minutes for s in sessions} == {45}
    assert {s.start_time for s in sessions} == {datetime.time(9)}
    with pytest.raises(ValidationFailed) as twice:
        book_individual_sessions(enrolment=enrolment, actor=counsellor, start=D(2027, 1, 1))
    assert twice.value.code == "already_booked"
    with pytest.raises(ValidationFailed) as outside:
        book_individual_sessions(
            enrolment=enrolment, actor=counsellor, start=D(2027, 2, 1), times=5
        )
    assert outside.value.code == "invalid_booking"
    february = book_individual_sessions(
        enrolment=enrolment, actor=counsellor, start=D(2027, 2, 1), times=2
    )
    assert len(february) == 2


def test_an_offer_without_a_cadence_books_the_dates_given_but_not_a_holiday(org_dk, counsellor):
    client = person(org_dk)
    granted(client)
    enrolment = enrol(
        client=client,
        actor=counsellor,
        offer=current(org_dk, "pregnant"),
        starts_on=D(2027, 1, 4),
    )
    with pytest.raises(ValidationFailed) as refused:
        book_individual_sessions(enrolment=enrolment, actor=counsellor)
    assert refused.value.code == "dates_required"
    with pytest.raises(ValidationFailed) as closed:
        book_individual_sessions(
            enrolment=enrolment, actor=counsellor, dates=[D(2027, 3, 25), D(2027, 3, 31)]
        )
    assert closed.value.code == "closed_day"
    sessions = book_individual_sessions(
        enrolment=enrolment, actor=counsellor, dates=[D(2027, 1, 12), D(2027, 1, 5)]
    )
    assert [s.on for s in sessions] == [D(2027, 1, 5), D(2027, 1, 12)]


def test_a_course_enrolment_has_the_course_sessions(org_dk, counsellor):
    planned = course(org_dk, "relatives-course", D(2027, 3, 18), actor=counsellor)
    enrolment = enrol(client=person(org_dk), actor=counsellor, course=planned)
    with pytest.raises(ValidationFailed) as refused:
        book_individual_sessions(enrolment=enrolment, actor=counsellor, sessions=1)
    assert refused.value.code == "course_enrolment"


def test_ending_an_enrolment_cancels_its_sessions_to_come(org_dk, counsellor):
    enrolment = enrol(
        client=person(org_dk),
        actor=counsellor,
        offer=current(org_dk, "alcohol-treatment"),
        starts_on=D(2026, 11, 2),
    )
    book_individual_sessions(
        enrolment=enrolment, actor=counsellor, start=D(2026, 11, 2), until=D(2027, 1, 31)
    )
    enrolment_end(enrolment=enrolment, actor=counsellor, completed=False, reason="Moved away")
    today = D(2026, 11, 23)
    statuses = dict(Session.objects.filter(enrolment=enrolment).values_list("on", "status"))
    assert all(status == "cancelled" for on, status in statuses.items() if on > today)
    assert all(status == "planned" for on, status in statuses.items() if on <= today)


def test_the_api_books_up_to_the_cap_and_refuses_beyond_it(motivation, make_staff, outsider):
    enrolment, counsellor = motivation
    url = f"/api/v1/enrolments/{enrolment.uuid}/sessions"
    peer = make_staff(enrolment.organisation, Role.PEER_WORKER)
    assert post_json(peer, url, {"sessions": 1}).status_code == 403
    assert post_json(outsider, url, {"sessions": 1}).status_code == 404
    before = writes()
    response = post_json(counsellor, url, {"sessions": 6})
    assert response.status_code == 422
    assert response.json()["code"] == "session_cap"
    assert writes() == before
    response = post_json(counsellor, url, {})
    assert response.status_code == 201, response.content
    assert [s["on"] for s in response.json()][:3] == ["2027-03-15", "2027-03-22", "2027-04-05"]


def test_the_page_books_sessions_and_shows_the_cap_refusal(motivation, as_user):
    enrolment, counsellor = motivation
    http = as_user(counsellor)
    url = f"/catalogue/enrolments/{enrolment.uuid}/sessions/"
    refused = http.post(url, {"sessions": "6"})
    assert refused.status_code == 422
    assert "at most 5 sessions" in refused.content.decode()
    response = http.post(url, {"sessions": "2", "start_time": "13:00"})
    assert response.status_code == 302
    page = http.get(response["Location"]).content.decode()
    assert page.count('data-testid="session-') == 2
    assert "13:00" in page
