"""Staff calendars (SCH-4): my sessions by week, and an iCalendar feed at a secret address
that shows no personal data; a wrong or replaced secret is 404."""

from __future__ import annotations

import datetime
import hashlib
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from bedring.accounts.models import Membership
from bedring.catalogue.calendar_feed import calendar_secret_rotate, week_label, week_start
from bedring.catalogue.models import CalendarFeed, SessionStatus
from bedring.core.errors import ValidationFailed
from bedring.core.roles import Role
from tests.conftest import api_headers

from .test_attendance_world import course_with_sessions, days_ahead, enrol, individual_sessions


def feed_url(secret):
    return reverse("catalogue:calendar_feed", kwargs={"secret": secret})


def week_of(day):
    return week_label(day - datetime.timedelta(days=day.weekday()))


@pytest.fixture
def calendar_world(org_dk, counsellor, make_staff, make_client):
    """In one week: a course the counsellor runs, a session they were added to, an
    individual conversation with a client, and a course someone else runs."""
    monday = days_ahead(org_dk, 7)
    monday -= datetime.timedelta(days=monday.weekday())
    colleague = make_staff(org_dk, Role.NURSE)
    course, [mine] = course_with_sessions(
        org_dk,
        dates=[monday + datetime.timedelta(days=1)],
        staff=[counsellor],
        title="Tirsdagsgruppe",
    )
    _c2, [helping] = course_with_sessions(
        org_dk,
        offer_key="intro-group",
        dates=[monday + datetime.timedelta(days=3)],
        staff=[colleague],
    )
    helping.staff.add(counsellor)
    _c3, [theirs] = course_with_sessions(
        org_dk,
        offer_key="treatment-group",
        dates=[monday + datetime.timedelta(days=2)],
        staff=[colleague],
    )
    client = make_client(org_dk)
    enrolment = enrol(client, actor=counsellor, offer_key="individual", starts_on=monday)
    [talk] = individual_sessions(
        enrolment,
        [monday + datetime.timedelta(days=4)],
        start_time=datetime.time(9, 30),
        staff=[counsellor],
    )
    return {
        "monday": monday,
        "mine": mine,
        "helping": helping,
        "theirs": theirs,
        "talk": talk,
        "client": client,
        "course": course,
    }


# --- weeks ---------------------------------------------------------------------------------


def test_weeks_are_iso_weeks():
    assert week_start("2026-W48", today=datetime.date(2020, 1, 1)) == datetime.date(2026, 11, 23)
    assert week_start("2026-W53", today=datetime.date(2020, 1, 1)) == datetime.date(2026, 12, 28)
    assert week_start(None, today=datetime.date(2026, 11, 26)) == datetime.date(2026, 11, 23)
    assert week_label(datetime.date(2027, 1, 4)) == "2027-W01"
    for bad in ("2025-W53", "2026-48", "2026-W00", "W48", "2026-W4"):
        with pytest.raises(ValidationFailed):
            week_start(bad, today=datetime.date(2026, 1, 1))


# --- the week page -------------------------------------------------------------------------


def test_the_week_shows_the_sessions_i_run_and_no_client_names(as_user, counsellor, calendar_world):
    """SCH-4: sessions of my courses and sessions I was added to; not my colleague's."""
    w = calendar_world
    page = as_user(counsellor).get(reverse("catalogue:calendar") + f"?week={week_of(w['monday'])}")
    assert page.status_code == 200
    content = page.content.decode()
    for session in (w["mine"], w["helping"], w["talk"]):
        assert f'data-testid="entry-{session.uuid}"' in content
    assert f'data-testid="entry-{w["theirs"].uuid}"' not in content
    assert "Tirsdagsgruppe" in content
    assert "15:00–17:00" in content  # the session's time in the organisation's zone, 120 min
    assert "Sønderborg Misbrugscenter, Room 2" in content
    # The individual conversation shows the client's code, never the name.
    assert w["client"].code in content
    assert w["client"].last_name not in content


def test_the_week_links_to_the_previous_and_next_week(as_user, counsellor, calendar_world):
    monday = calendar_world["monday"]
    page = as_user(counsellor).get(reverse("catalogue:calendar") + f"?week={week_of(monday)}")
    content = page.content.decode()
    assert f"?week={week_of(monday - datetime.timedelta(days=7))}" in content
    assert f"?week={week_of(monday + datetime.timedelta(days=7))}" in content
    next_week = as_user(counsellor).get(
        reverse("catalogue:calendar") + f"?week={week_of(monday + datetime.timedelta(days=7))}"
    )
    assert f"entry-{calendar_world['mine'].uuid}" not in next_week.content.decode()


def test_a_bad_week_shows_this_week(as_user, counsellor):
    page = as_user(counsellor).get(reverse("catalogue:calendar") + "?week=soon")
    assert page.status_code == 200


def test_a_peer_worker_sees_no_client_code(as_user, org_dk, make_staff, calendar_world):
    """Least privilege: without the right to read records, an individual session shows
    only the offer."""
    peer = make_staff(org_dk, Role.PEER_WORKER)
    calendar_world["talk"].staff.add(peer)
    page = as_user(peer).get(
        reverse("catalogue:calendar") + f"?week={week_of(calendar_world['monday'])}"
    )
    assert page.status_code == 200
    assert f"entry-{calendar_world['talk'].uuid}" in page.content.decode()
    assert calendar_world["client"].code not in page.content.decode()


def test_every_role_has_a_calendar_and_anonymous_visitors_log_in(
    as_user, org_dk, make_staff, client
):
    for role in Role.values:
        assert (
            as_user(make_staff(org_dk, role)).get(reverse("catalogue:calendar")).status_code == 200
        )
    response = client.get(reverse("catalogue:calendar"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_week_page_issues_a_bounded_number_of_queries(as_user, counsellor, org_dk):
    http = as_user(counsellor)
    monday = days_ahead(org_dk, 14)
    monday -= datetime.timedelta(days=monday.weekday())
    url = reverse("catalogue:calendar") + f"?week={week_of(monday)}"

    def queries():
        http.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert http.get(url).status_code == 200
        return len(captured)

    course_with_sessions(org_dk, dates=[monday], staff=[counsellor])
    few = queries()
    for day in range(1, 5):
        course_with_sessions(
            org_dk,
            offer_key="intro-group",
            dates=[monday + datetime.timedelta(days=day)],
            staff=[counsellor],
        )
    assert queries() == few


# --- the secret ----------------------------------------------------------------------------


def test_making_an_address_shows_it_once_and_stores_only_its_hash(as_user, counsellor):
    http = as_user(counsellor)
    response = http.post(reverse("catalogue:calendar"), {"action": "rotate"})
    assert response.status_code == 200
    content = response.content.decode()
    marker = 'data-testid="feed-url">'
    url = content[content.index(marker) + len(marker) :].split("<", 1)[0]
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get(user=counsellor)
    assert feed.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in feed.key_hash
    assert http.get(url).status_code == 200
    again = http.get(reverse("catalogue:calendar"))
    assert secret not in again.content.decode()


def test_a_new_secret_stops_the_old_address_and_turning_off_stops_the_new(
    client, counsellor, as_user
):
    old = calendar_secret_rotate(user=counsellor)
    assert client.get(feed_url(old)).status_code == 200
    new = calendar_secret_rotate(user=counsellor)
    assert client.get(feed_url(old)).status_code == 404
    assert client.get(feed_url(new)).status_code == 200
    assert CalendarFeed.objects.filter(user=counsellor).count() == 1

    as_user(counsellor).post(reverse("catalogue:calendar"), {"action": "stop"})
    assert client.get(feed_url(new)).status_code == 404


def test_a_wrong_secret_is_404(client, counsellor):
    calendar_secret_rotate(user=counsellor)
    assert client.get(feed_url("not-the-secret")).status_code == 404
    assert client.get(feed_url("x" * 500)).status_code == 404


def test_a_deactivated_staff_members_feed_is_404(client, counsellor):
    secret = calendar_secret_rotate(user=counsellor)
    counsellor.is_active = False
    counsellor.save()
    assert client.get(feed_url(secret)).status_code == 404


# --- the feed ------------------------------------------------------------------------------


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def test_the_feed_has_my_sessions_at_the_right_times_without_personal_data(
    client, counsellor, calendar_world, org_dk
):
    """SCH-4: one VEVENT per session, with its UID, in the organisation's time zone; no
    login (the secret is the credential) and no client name or code."""
    w = calendar_world
    w["helping"].status = SessionStatus.CANCELLED
    w["helping"].save()
    secret = calendar_secret_rotate(user=counsellor)

    calendar = parse(client.get(feed_url(secret)))

    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"{s.uuid}@bedring" for s in (w["mine"], w["helping"], w["talk"])}
    zone = ZoneInfo("Europe/Copenhagen")
    mine = events[f"{w['mine'].uuid}@bedring"]
    assert mine.decoded("dtstart") == datetime.datetime.combine(
        w["mine"].on, datetime.time(15, 0), tzinfo=zone
    )
    assert mine.decoded("dtend") == datetime.datetime.combine(
        w["mine"].on, datetime.time(17, 0), tzinfo=zone
    )
    assert str(mine.decoded("dtstart").tzinfo) == "Europe/Copenhagen"
    assert str(mine["summary"]) == "Tirsdagsgruppe"
    assert str(mine["location"]) == "Sønderborg Misbrugscenter, Room 2"
    assert str(events[f"{w['helping'].uuid}@bedring"]["status"]) == "CANCELLED"
    talk = events[f"{w['talk'].uuid}@bedring"]
    assert talk.decoded("dtstart").time() == datetime.time(9, 30)
    text = client.get(feed_url(secret)).content.decode()
    client_ = w["client"]
    for personal in (client_.code, client_.last_name, client_.first_name, client_.national_id):
        assert personal not in text
    assert "BEGIN:VTIMEZONE" in text


def test_a_session_without_a_time_is_an_all_day_event(client, counsellor, org_dk):
    _course, [session] = course_with_sessions(
        org_dk, dates=[days_ahead(org_dk, 3)], start_time=None, staff=[counsellor]
    )
    event = next(
        iter(parse(client.get(feed_url(calendar_secret_rotate(user=counsellor)))).walk("VEVENT"))
    )
    assert event.decoded("dtstart") == session.on


def test_the_feed_uses_the_organisations_time_zone(client, org_no, make_staff):
    counsellor = make_staff(org_no, Role.COUNSELLOR)
    course_with_sessions(
        org_no, offer_key=_group_offer(org_no), dates=[days_ahead(org_no, 2)], staff=[counsellor]
    )
    [event] = parse(client.get(feed_url(calendar_secret_rotate(user=counsellor)))).walk("VEVENT")
    assert str(event.decoded("dtstart").tzinfo) == "Europe/Oslo"
    assert event.decoded("dtstart").hour == 15


def _group_offer(organisation):
    from bedring.catalogue.models import Offer

    return next(
        o.key
        for o in Offer.objects.filter(organisation=organisation, is_current=True)
        if not o.parsed.tally_only
    )


def test_the_feed_leaves_out_organisations_i_have_left(client, counsellor, org_dk):
    course_with_sessions(org_dk, dates=[days_ahead(org_dk, 2)], staff=[counsellor])
    secret = calendar_secret_rotate(user=counsellor)
    assert len(parse(client.get(feed_url(secret))).walk("VEVENT")) == 1
    Membership.objects.filter(user=counsellor).update(is_active=False)
    assert parse(client.get(feed_url(secret))).walk("VEVENT") == []


def test_the_feed_issues_a_bounded_number_of_queries(client, counsellor, org_dk):
    secret = calendar_secret_rotate(user=counsellor)
    course_with_sessions(org_dk, dates=[days_ahead(org_dk, 1)], staff=[counsellor])
    with CaptureQueriesContext(connection) as few:
        client.get(feed_url(secret))
    for day in range(2, 8):
        course_with_sessions(
            org_dk, offer_key="intro-group", dates=[days_ahead(org_dk, day)], staff=[counsellor]
        )
    with CaptureQueriesContext(connection) as many:
        client.get(feed_url(secret))
    assert len(many) == len(few)


# --- the API -------------------------------------------------------------------------------


def test_the_api_gives_my_week(client, counsellor, calendar_world):
    w = calendar_world
    response = client.get(
        f"/api/v1/me/calendar?week={week_of(w['monday'])}", **api_headers(counsellor)
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["starts_on"] == w["monday"].isoformat()
    by_session = {e["session"]: e for e in data["entries"]}
    assert set(by_session) == {str(s.uuid) for s in (w["mine"], w["helping"], w["talk"])}
    assert by_session[str(w["talk"].uuid)]["client_code"] == w["client"].code
    assert by_session[str(w["mine"].uuid)]["starts_at"].startswith(f"{w['mine'].on}T15:00:00+")

    bad = client.get("/api/v1/me/calendar?week=next", **api_headers(counsellor))
    assert bad.status_code == 422
    assert bad.json()["code"] == "bad_week"
