"""The attendance grid, the gift-card page and their API (SCH-1, SCH-2, CAT-3): who may use
them, what one POST saves, and that a refused request writes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bedring.audit.models import AccessEvent
from bedring.catalogue.models import Attendance, GiftCard, SessionStatus
from bedring.catalogue.services.attendance import attendance_record, gift_cards_due_for
from bedring.core.roles import Role
from bedring.rules.loader import load_pack
from tests.conftest import api_headers

from .test_attendance_world import (
    FIRST_SESSION,
    course_with_sessions,
    days_ahead,
    enrol,
    individual_sessions,
    weekly,
)

A, X, C = "attended", "absent", "cancelled"


@pytest.fixture
def course(org_dk, counsellor, make_client):
    course, sessions = course_with_sessions(org_dk, dates=weekly(FIRST_SESSION, 4))
    enrolments = [enrol(make_client(org_dk), actor=counsellor, course=course) for _ in range(3)]
    return {"course": course, "sessions": sessions, "enrolments": enrolments}


def grid_url(session):
    return reverse("catalogue:attendance", kwargs={"session_uuid": session.uuid})


def grid_post(enrolments, statuses):
    return {f"status-{e.uuid}": s for e, s in zip(enrolments, statuses, strict=True)}


# --- the grid ------------------------------------------------------------------------------


def test_the_grid_lists_every_enrolled_client_and_logs_the_read(as_user, counsellor, course):
    session = course["sessions"][0]
    page = as_user(counsellor).get(grid_url(session))
    assert page.status_code == 200
    for enrolment in course["enrolments"]:
        assert enrolment.client.display_name.encode() in page.content
        assert f'name="status-{enrolment.uuid}"'.encode() in page.content
    logged = set(
        AccessEvent.objects.filter(view="attendance_grid").values_list("client_id", flat=True)
    )
    assert logged == {e.client_id for e in course["enrolments"]}


def test_one_post_saves_the_whole_grid_and_marks_the_session_held(as_user, counsellor, course):
    """SCH-1: one POST saves the whole grid; an empty choice leaves a row unrecorded."""
    session = course["sessions"][0]
    e1, e2, e3 = course["enrolments"]
    data = {**grid_post([e1, e2], [A, C]), f"status-{e3.uuid}": ""}
    response = as_user(counsellor).post(grid_url(session), data)
    assert response.status_code == 302
    recorded = dict(Attendance.objects.filter(session=session).values_list("enrolment", "status"))
    assert recorded == {e1.pk: A, e2.pk: C}
    session.refresh_from_db()
    assert session.status == SessionStatus.HELD


def test_the_grid_shows_the_no_show_flag(as_user, counsellor, course):
    """SCH-2: the badge appears after three absences in a row."""
    http = as_user(counsellor)
    flagged = course["enrolments"][0]
    for session in course["sessions"][:3]:
        http.post(grid_url(session), grid_post([flagged], [X]))
    page = http.get(grid_url(course["sessions"][3]))
    assert page.content.count(b'data-testid="no-show"') == 1
    flagged.refresh_from_db()
    assert flagged.no_show_flag


def test_a_refused_grid_writes_nothing(as_user, counsellor, course, org_dk):
    http = as_user(counsellor)
    e1, e2, _e3 = course["enrolments"]
    session = course["sessions"][0]
    response = http.post(grid_url(session), {f"status-{e1.uuid}": A, f"status-{e2.uuid}": "late"})
    assert response.status_code == 422
    assert not Attendance.objects.exists()

    future = course["sessions"][3]
    future.on = days_ahead(org_dk, 2)
    future.save()
    response = http.post(grid_url(future), grid_post([e1], [A]))
    assert response.status_code == 422
    assert b"grid-error" in response.content
    assert not Attendance.objects.exists()
    future.refresh_from_db()
    assert future.status == SessionStatus.PLANNED


def test_an_outsider_gets_404_and_roles_without_client_write_403(
    as_user, outsider, course, org_dk, make_staff, client
):
    url = grid_url(course["sessions"][0])
    assert as_user(outsider).get(url).status_code == 404
    assert as_user(outsider).post(url, grid_post(course["enrolments"][:1], [A])).status_code == 404
    for role in (Role.DROPIN_WORKER, Role.PEER_WORKER, Role.ADMINISTRATOR):
        http = as_user(make_staff(org_dk, role))
        assert http.get(url).status_code == 403, role
        assert http.post(url, grid_post(course["enrolments"][:1], [A])).status_code == 403
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]
    assert not Attendance.objects.exists()


def test_an_unknown_session_is_404(as_user, counsellor):
    url = reverse(
        "catalogue:attendance", kwargs={"session_uuid": "00000000-0000-0000-0000-000000000000"}
    )
    assert as_user(counsellor).get(url).status_code == 404


def test_the_grid_issues_a_bounded_number_of_queries(as_user, counsellor, org_dk, make_client):
    """The grid's queries do not grow with the number of clients or their history."""
    http = as_user(counsellor)

    def grid_queries(clients):
        course, sessions = course_with_sessions(org_dk, dates=weekly(FIRST_SESSION, 3))
        enrolments = [
            enrol(make_client(org_dk), actor=counsellor, course=course) for _ in range(clients)
        ]
        for session in sessions[:2]:
            for enrolment in enrolments:
                attendance_record(session=session, enrolment=enrolment, status=X, actor=counsellor)
        http.get(grid_url(sessions[2]))
        with CaptureQueriesContext(connection) as queries:
            assert http.get(grid_url(sessions[2])).status_code == 200
        return len(queries)

    assert grid_queries(8) == grid_queries(2)


# --- gift cards ----------------------------------------------------------------------------


@pytest.fixture
def move(db, make_staff, make_client):
    assens = load_pack("assens")
    counsellor = make_staff(assens, Role.COUNSELLOR)
    start = datetime.date(2026, 3, 3)
    client = make_client(
        assens,
        national_id="",
        first_name="Young",
        last_name="Person",
        birth_date=datetime.date(2009, 6, 1),
    )
    enrolment = enrol(client, actor=counsellor, offer_key="move", starts_on=start)
    sessions = individual_sessions(enrolment, weekly(start, 4))
    return {"org": assens, "actor": counsellor, "enrolment": enrolment, "sessions": sessions}


def test_the_grid_offers_the_due_gift_card_and_hands_it_out(as_user, move):
    """CAT-3: after the second attended conversation the grid shows a hand-out button."""
    http = as_user(move["actor"])
    enrolment, sessions = move["enrolment"], move["sessions"]
    for session in sessions[:2]:
        http.post(grid_url(session), grid_post([enrolment], [A]))
    page = http.get(grid_url(sessions[1])).content.decode()
    assert f'data-testid="hand-out-{sessions[1].uuid}"' in page
    # Its form follows the grid's: forms cannot nest.
    grid_end = page.index("</form>", page.index('data-testid="attendance-grid"'))
    assert page.index(f'<form id="hand-out-{sessions[1].uuid}"') > grid_end

    cards_url = reverse("catalogue:gift_cards", kwargs={"enrolment_uuid": enrolment.uuid})
    response = http.post(
        cards_url, {"session": str(sessions[1].uuid), "next": grid_url(sessions[1])}
    )
    assert response.status_code == 302
    assert response["Location"] == grid_url(sessions[1])
    card = GiftCard.objects.get()
    assert (card.session, card.amount, card.currency) == (sessions[1], 200, "DKK")

    again = http.post(cards_url, {"session": str(sessions[1].uuid)})
    assert again.status_code == 422
    assert b"gift-card-error" in again.content
    assert GiftCard.objects.count() == 1
    page = http.get(cards_url)
    assert page.status_code == 200
    assert b"200 DKK" in page.content


def test_a_gift_card_that_is_not_due_is_refused_on_the_page(as_user, move):
    http = as_user(move["actor"])
    enrolment, sessions = move["enrolment"], move["sessions"]
    http.post(grid_url(sessions[0]), grid_post([enrolment], [A]))
    cards_url = reverse("catalogue:gift_cards", kwargs={"enrolment_uuid": enrolment.uuid})
    response = http.post(cards_url, {"session": str(sessions[0].uuid)})
    assert response.status_code == 422
    assert not GiftCard.objects.exists()


def test_the_gift_card_page_is_404_for_an_outsider_and_403_for_a_peer_worker(
    as_user, move, outsider, make_staff
):
    url = reverse("catalogue:gift_cards", kwargs={"enrolment_uuid": move["enrolment"].uuid})
    assert as_user(outsider).get(url).status_code == 404
    assert as_user(make_staff(move["org"], Role.PEER_WORKER)).get(url).status_code == 403


def test_gift_cards_due_for_many_enrolments_is_two_queries(move, make_client):
    enrolments = [move["enrolment"]]
    org, actor = move["org"], move["actor"]
    for _ in range(5):
        client = make_client(
            org, national_id="", first_name="Y", last_name="P", birth_date=datetime.date(2009, 1, 1)
        )
        enrolment = enrol(
            client, actor=actor, offer_key="move", starts_on=datetime.date(2026, 3, 3)
        )
        for session in individual_sessions(enrolment, weekly(datetime.date(2026, 3, 3), 2)):
            attendance_record(session=session, enrolment=enrolment, status=A, actor=actor)
        enrolments.append(enrolment)
    loaded = [type(e).objects.select_related("offer", "client").get(pk=e.pk) for e in enrolments]
    with CaptureQueriesContext(connection) as queries:
        due = gift_cards_due_for(loaded)
    assert len(queries) == 2
    assert sum(len(sessions) for sessions in due.values()) == 5


# --- the API -------------------------------------------------------------------------------


def api_url(session):
    return f"/api/v1/sessions/{session.uuid}/attendance"


def test_the_api_saves_a_grid_and_answers_with_it(client, counsellor, course):
    session = course["sessions"][0]
    e1, e2, e3 = course["enrolments"]
    body = [{"enrolment": str(e1.uuid), "status": A}, {"enrolment": str(e2.uuid), "status": X}]
    response = client.post(
        api_url(session), body, content_type="application/json", **api_headers(counsellor)
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["session_status"] == "held"
    statuses = {m["enrolment"]: m["status"] for m in data["marks"]}
    assert statuses == {str(e1.uuid): A, str(e2.uuid): X, str(e3.uuid): ""}


def test_the_api_refuses_all_or_nothing(client, counsellor, course, org_dk):
    headers = api_headers(counsellor)
    session = course["sessions"][0]
    e1 = course["enrolments"][0]
    other_course, _sessions = course_with_sessions(org_dk, dates=[FIRST_SESSION])
    stranger = enrol(course["enrolments"][1].client, actor=counsellor, course=other_course)
    for body, status, code in (
        ([{"enrolment": str(e1.uuid), "status": "late"}], 422, "invalid_input"),
        (
            [
                {"enrolment": str(e1.uuid), "status": A},
                {"enrolment": str(stranger.uuid), "status": A},
            ],
            422,
            "not_in_session",
        ),
    ):
        response = client.post(api_url(session), body, content_type="application/json", **headers)
        assert response.status_code == status, response.content
        assert response.json()["code"] == code
    future = course["sessions"][3]
    future.on = days_ahead(org_dk, 1)
    future.save()
    response = client.post(
        api_url(future),
        [{"enrolment": str(e1.uuid), "status": A}],
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "session_in_future"
    assert not Attendance.objects.exists()


def test_the_api_is_404_for_an_outsider_and_403_for_a_dropin_worker(
    client, outsider, course, org_dk, make_staff
):
    session = course["sessions"][0]
    body = [{"enrolment": str(course["enrolments"][0].uuid), "status": A}]
    response = client.post(
        api_url(session), body, content_type="application/json", **api_headers(outsider)
    )
    assert response.status_code == 404
    dropin = make_staff(org_dk, Role.DROPIN_WORKER)
    response = client.post(
        api_url(session), body, content_type="application/json", **api_headers(dropin)
    )
    assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_the_gift_card_api_lists_due_and_given_and_hands_out_once(client, move, outsider):
    headers = api_headers(move["actor"])
    enrolment, sessions = move["enrolment"], move["sessions"]
    for session in sessions:
        attendance_record(session=session, enrolment=enrolment, status=A, actor=move["actor"])
    url = f"/api/v1/enrolments/{enrolment.uuid}/gift-cards"

    listed = client.get(url, **headers).json()
    assert [d["session"] for d in listed["due"]] == [str(sessions[1].uuid), str(sessions[3].uuid)]
    assert (listed["amount"], listed["currency"], listed["given"]) == (200, "DKK", [])

    body = {"session": str(sessions[1].uuid)}
    created = client.post(url, body, content_type="application/json", **headers)
    assert created.status_code == 201, created.content
    again = client.post(url, body, content_type="application/json", **headers)
    assert again.status_code == 409
    assert again.json()["code"] == "gift_card_already_given"
    not_due = client.post(
        url, {"session": str(sessions[0].uuid)}, content_type="application/json", **headers
    )
    assert not_due.status_code == 422
    assert not_due.json()["code"] == "gift_card_not_due"

    listed = client.get(url, **headers).json()
    assert [d["session"] for d in listed["due"]] == [str(sessions[3].uuid)]
    assert [g["session"] for g in listed["given"]] == [str(sessions[1].uuid)]

    assert client.get(url, **api_headers(outsider)).status_code == 404
    assert GiftCard.objects.count() == 1


def test_the_gift_card_page_of_an_offer_without_cards_says_so(as_user, counsellor, course):
    enrolment = course["enrolments"][0]
    url = reverse("catalogue:gift_cards", kwargs={"enrolment_uuid": enrolment.uuid})
    page = as_user(counsellor).get(url)
    assert page.status_code == 200
    assert b"This offer has no gift cards." in page.content
    assert as_user(counsellor).post(url, {}).status_code == 422
    assert not GiftCard.objects.exists()
