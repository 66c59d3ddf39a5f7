"""The attendance page is never a dead end (SCH-1, issue 13): after a save it says what was
recorded, and it always leads back to the course (or to the enrolment of an individual
session), on to the next session and to the session's day in the calendar."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from bedring.catalogue.models import SessionStatus

from .test_attendance_world import (
    FIRST_SESSION,
    course_with_sessions,
    enrol,
    individual_sessions,
    weekly,
)


def grid_url(session) -> str:
    return reverse("catalogue:attendance", kwargs={"session_uuid": session.uuid})


@pytest.fixture
def course(org_dk, counsellor, make_client):
    course, sessions = course_with_sessions(org_dk, dates=weekly(FIRST_SESSION, 3))
    enrolments = [enrol(make_client(org_dk), actor=counsellor, course=course) for _ in range(3)]
    return course, sessions, enrolments


def test_a_save_says_what_was_recorded(as_user, counsellor, course):
    _course, sessions, (e1, e2, e3) = course
    http = as_user(counsellor)
    response = http.post(
        grid_url(sessions[0]),
        {f"status-{e1.uuid}": "attended", f"status-{e2.uuid}": "absent", f"status-{e3.uuid}": ""},
        follow=True,
    )
    page = response.content.decode()
    day = date_format(FIRST_SESSION, "DATE_FORMAT")
    assert f"Saved for session 1 on {day}: Attended 1, Absent 1." in page

    nothing = http.post(grid_url(sessions[1]), {}, follow=True).content.decode()
    assert "Nothing was recorded for session 2" in nothing


def test_the_page_leads_back_to_the_course_on_to_the_next_session_and_to_the_calendar(
    as_user, counsellor, course
):
    the_course, sessions, _enrolments = course
    page = as_user(counsellor).get(grid_url(sessions[0])).content.decode()
    course_url = reverse("catalogue:course_detail", kwargs={"course_uuid": the_course.uuid})
    assert f'<a href="{course_url}" data-testid="way-back">Back to the course</a>' in page
    assert f'href="{grid_url(sessions[1])}" data-testid="way-next"' in page
    week = "{}-W{:02d}".format(*FIRST_SESSION.isocalendar()[:2])
    calendar = f"/catalogue/calendar/?week={week}#day-{FIRST_SESSION.isoformat()}"
    assert f'href="{calendar}" data-testid="way-calendar"' in page


def test_the_next_session_skips_a_cancelled_one_and_the_last_says_so(as_user, counsellor, course):
    _course, sessions, _enrolments = course
    sessions[1].status = SessionStatus.CANCELLED
    sessions[1].save()
    http = as_user(counsellor)
    page = http.get(grid_url(sessions[0])).content.decode()
    assert f'href="{grid_url(sessions[2])}" data-testid="way-next"' in page
    last = http.get(grid_url(sessions[2])).content.decode()
    assert "This is the last session." in last


def test_the_calendar_has_the_day_the_link_lands_on(as_user, counsellor):
    page = as_user(counsellor).get("/catalogue/calendar/?week=2026-W36").content.decode()
    assert f'id="day-{FIRST_SESSION.isoformat()}"' in page


def test_an_individual_session_leads_back_to_its_enrolment(
    as_user, counsellor, org_dk, make_client
):
    enrolment = enrol(make_client(org_dk), actor=counsellor, offer_key="individual")
    sessions = individual_sessions(enrolment, weekly(FIRST_SESSION, 2))
    page = as_user(counsellor).get(grid_url(sessions[0])).content.decode()
    back = reverse("catalogue:enrolment_detail", kwargs={"enrolment_uuid": enrolment.uuid})
    assert f'<a href="{back}" data-testid="way-back">Back to the enrolment</a>' in page
    assert f'href="{grid_url(sessions[1])}" data-testid="way-next"' in page
