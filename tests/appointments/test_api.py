"""APT-1, APT-2 in /api/v1/: list per client and per staff member, book, move, cancel,
attended, no-show, requests; stable codes, JSON 4xx never 500, outsiders 404."""

from __future__ import annotations

import datetime

import pytest

from bedring.appointments import services
from bedring.appointments.models import Appointment, AppointmentRequest, Room
from bedring.audit.models import AccessEvent
from bedring.core import clock
from bedring.core.roles import Role
from tests.conftest import api_headers

from .conftest import local, main_site, open_day


def post(http, url, user, body):
    return http.post(url, body, content_type="application/json", **api_headers(user))


def get(http, url, user):
    return http.get(url, **api_headers(user))


@pytest.fixture
def body(org_dk, counsellor, room) -> dict[str, object]:
    day = open_day(main_site(org_dk))
    return {
        "kind": "conversation",
        "staff": counsellor.username,
        "site": str(main_site(org_dk).uuid),
        "room": str(room.uuid),
        "starts_at": local(org_dk, day, 10).isoformat(),
        "minutes": 60,
    }


def clients_url(client, tail="appointments") -> str:
    return f"/api/v1/clients/{client.uuid}/{tail}"


def test_book_list_get_move_cancel(client, dk_client, counsellor, body, org_dk):
    response = post(client, clients_url(dk_client), counsellor, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["staff"] == counsellor.username
    assert data["status"] == "booked"
    assert data["minutes"] == 60
    assert data["warnings"] == []
    assert data["starts_at"] == body["starts_at"]  # in the organisation's zone
    listed = get(client, clients_url(dk_client), counsellor).json()
    assert listed["count"] == 1
    one = get(client, f"/api/v1/appointments/{data['id']}", counsellor)
    assert one.status_code == 200
    # Move: a new start with ends_at instead of minutes; the room is kept when left out.
    new_start = datetime.datetime.fromisoformat(body["starts_at"]) + datetime.timedelta(hours=2)
    moved = post(
        client,
        f"/api/v1/appointments/{data['id']}/move",
        counsellor,
        {
            "starts_at": new_start.isoformat(),
            "ends_at": (new_start + datetime.timedelta(minutes=45)).isoformat(),
        },
    )
    assert moved.status_code == 200, moved.content
    assert (moved.json()["minutes"], moved.json()["room"]) == (45, body["room"])
    cleared = post(
        client,
        f"/api/v1/appointments/{data['id']}/move",
        counsellor,
        {"starts_at": new_start.isoformat(), "room": None},
    )
    assert (cleared.json()["room"], cleared.json()["minutes"]) == (None, 45)
    cancelled = post(
        client,
        f"/api/v1/appointments/{data['id']}/cancel",
        counsellor,
        {"cancelled_by": "service", "with_notice": True, "reason": "Staff ill."},
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["cancelled_by"] == "service"
    again = post(
        client,
        f"/api/v1/appointments/{data['id']}/cancel",
        counsellor,
        {"cancelled_by": "service", "with_notice": True, "reason": "Staff ill."},
    )
    assert (again.status_code, again.json()["code"]) == (409, "appointment_not_booked")


def test_attended_and_no_show(client, book, dk_client, counsellor):
    start = clock.now() - datetime.timedelta(minutes=20)
    appointment = book(
        dk_client, start, confirm_outside_hours=True, at=start - datetime.timedelta(days=1)
    )
    url = f"/api/v1/appointments/{appointment.uuid}"
    assert post(client, f"{url}/no-show", counsellor, {}).json()["status"] == "no_show"
    assert post(client, f"{url}/attended", counsellor, {}).json()["status"] == "attended"
    future = book(dk_client, clock.now() + datetime.timedelta(days=1), confirm_outside_hours=True)
    early = post(client, f"/api/v1/appointments/{future.uuid}/attended", counsellor, {})
    assert (early.status_code, early.json()["code"]) == (409, "appointment_not_started")


def test_outside_the_opening_hours_needs_confirmation_and_carries_a_warning(
    client, dk_client, counsellor, body, org_dk
):
    evening = datetime.datetime.fromisoformat(body["starts_at"]).replace(hour=20)
    refused = post(
        client, clients_url(dk_client), counsellor, {**body, "starts_at": evening.isoformat()}
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "outside_opening_hours"
    assert refused.json()["field"] == "confirm_outside_hours"
    assert not Appointment.objects.exists()
    booked = post(
        client,
        clients_url(dk_client),
        counsellor,
        {**body, "starts_at": evening.isoformat(), "confirm_outside_hours": True},
    )
    assert booked.status_code == 201
    assert booked.json()["warnings"] == ["outside_opening_hours"]


@pytest.mark.parametrize(
    ("code", "status", "change"),
    [
        (
            "appointment_in_past",
            422,
            lambda b, w: {"starts_at": (clock.now() - datetime.timedelta(hours=2)).isoformat()},
        ),
        (
            "end_before_start",
            422,
            lambda b, w: {
                "minutes": None,
                "ends_at": (
                    datetime.datetime.fromisoformat(b["starts_at"]) - datetime.timedelta(minutes=5)
                ).isoformat(),
            },
        ),
        ("length_too_long", 422, lambda b, w: {"minutes": 1000}),
        ("length_too_short", 422, lambda b, w: {"minutes": 1}),
        ("length_required", 422, lambda b, w: {"minutes": None}),
        ("length_twice", 422, lambda b, w: {"ends_at": b["starts_at"]}),
        ("appointment_too_far", 422, lambda b, w: {"starts_at": "2999-01-01T10:00:00+01:00"}),
        ("time_without_zone", 422, lambda b, w: {"starts_at": b["starts_at"][:19]}),
        ("staff_other_organisation", 422, lambda b, w: {"staff": w["outsider"].username}),
        ("staff_other_organisation", 422, lambda b, w: {"staff": "nobody-at-all"}),
        ("staff_not_clinical", 422, lambda b, w: {"staff": w["manager"].username}),
        ("staff_role_for_kind", 422, lambda b, w: {"kind": "psychologist"}),
        ("site_other_organisation", 422, lambda b, w: {"site": str(main_site(w["org_no"]).uuid)}),
        ("room_not_at_site", 422, lambda b, w: {"room": str(w["no_room"].uuid)}),
        ("request_other_client", 422, lambda b, w: {"request": str(w["other_request"].uuid)}),
        ("invalid_input", 422, lambda b, w: {"kind": "massage"}),
        ("invalid_input", 422, lambda b, w: {"starts_at": "tomorrow"}),
        ("invalid_input", 422, lambda b, w: {"minutes": 10**12}),
        ("invalid_input", 422, lambda b, w: {"note": "x" * 501}),
    ],
)
def test_each_refusal_is_json_with_its_code_and_writes_nothing(
    client,
    dk_client,
    counsellor,
    manager,
    outsider,
    body,
    org_no,
    make_client,
    org_dk,
    code,
    status,
    change,
):
    world = {
        "outsider": outsider,
        "manager": manager,
        "org_no": org_no,
        "no_room": Room.objects.filter(site__organisation=org_no).first(),
        "other_request": services.appointment_request_record(
            client=make_client(org_dk), actor=counsellor, kind="conversation"
        ),
    }
    payload = {**body, **change(body, world)}
    payload = {k: v for k, v in payload.items() if v is not None or k == "room"}
    response = post(client, clients_url(dk_client), counsellor, payload)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert not Appointment.objects.exists()


def test_double_booking_in_the_api(
    client, make_client, make_staff, dk_client, counsellor, body, org_dk
):
    first = post(client, clients_url(make_client(org_dk)), counsellor, body)
    assert first.status_code == 201
    staff = post(client, clients_url(dk_client), counsellor, body)
    assert (staff.status_code, staff.json()["code"]) == (409, "staff_double_booked")
    assert staff.json()["details"]["starts_at"] == body["starts_at"]
    nurse = make_staff(org_dk, Role.NURSE)
    room = post(
        client,
        clients_url(dk_client),
        counsellor,
        {**body, "staff": nurse.username, "kind": "nurse"},
    )
    assert (room.status_code, room.json()["code"]) == (409, "room_double_booked")


def test_requests_in_the_api(client, sandnes, no_client, psychologist, no_counsellor, episode_for):
    episode_for(no_client)
    recorded = post(
        client,
        clients_url(no_client, "appointment-requests"),
        no_counsellor,
        {"kind": "psychologist"},
    )
    assert recorded.status_code == 201
    data = recorded.json()
    assert data["offer_due_on"] == (clock.today(sandnes) + datetime.timedelta(days=7)).isoformat()
    assert data["on_worklist"] is True
    day = open_day(main_site(sandnes))
    booked = post(
        client,
        clients_url(no_client),
        no_counsellor,
        {
            "kind": "psychologist",
            "staff": psychologist.username,
            "site": str(main_site(sandnes).uuid),
            "starts_at": local(sandnes, day, 10).isoformat(),
            "minutes": 45,
            "request": data["id"],
        },
    )
    assert booked.status_code == 201, booked.content
    assert booked.json()["request"] == data["id"]
    listed = get(client, clients_url(no_client, "appointment-requests"), no_counsellor).json()
    assert listed["results"][0]["status"] == "booked"
    withdraw = post(
        client,
        f"/api/v1/appointment-requests/{data['id']}/withdraw",
        no_counsellor,
        {"reason": "x"},
    )
    assert (withdraw.status_code, withdraw.json()["code"]) == (409, "request_not_open")


def test_a_staff_members_appointments_over_a_range(
    client, book, make_client, counsellor, manager, outsider, org_dk
):
    site = main_site(org_dk)
    day = open_day(site)
    appointment = book(make_client(org_dk), local(org_dk, day, 10))
    mine = get(client, f"/api/v1/appointments?start={day}&end={day}", counsellor).json()
    assert [a["id"] for a in mine["results"]] == [str(appointment.uuid)]
    assert mine["results"][0]["client_name"] == appointment.client.display_name
    assert AccessEvent.objects.filter(
        client=appointment.client, view="api_staff_appointments", channel="api"
    ).exists()
    theirs = get(
        client, f"/api/v1/appointments?staff={counsellor.username}&start={day}", manager
    ).json()
    assert theirs["staff"] == counsellor.username
    assert len(theirs["results"]) == 1
    # An outsider cannot ask about our counsellor, and sees their own (empty) days.
    hidden = get(client, f"/api/v1/appointments?staff={counsellor.username}", outsider)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "not_found")
    assert get(client, "/api/v1/appointments", outsider).json()["results"] == []
    too_long = get(
        client,
        f"/api/v1/appointments?start={day}&end={day + datetime.timedelta(days=80)}",
        counsellor,
    )
    assert (too_long.status_code, too_long.json()["code"]) == (422, "range_too_long")
    backwards = get(
        client,
        f"/api/v1/appointments?start={day}&end={day - datetime.timedelta(days=1)}",
        counsellor,
    )
    assert backwards.json()["code"] == "bad_range"
    edge = get(client, "/api/v1/appointments?start=9999-12-31", counsellor)
    assert (edge.status_code, edge.json()["code"]) == (422, "bad_range")
    nonsense = get(client, "/api/v1/appointments?start=9999-99-99", counsellor)
    assert (nonsense.status_code, nonsense.json()["code"]) == (422, "invalid_input")


def test_an_outsider_gets_404_for_our_clients_appointments_and_requests(
    client, book, dk_client, outsider, counsellor, org_dk, body
):
    appointment = book(dk_client, local(org_dk, open_day(main_site(org_dk), hour=13), 13))
    request = services.appointment_request_record(
        client=dk_client, actor=counsellor, kind="conversation"
    )
    for method, url, payload in (
        ("get", clients_url(dk_client), None),
        ("post", clients_url(dk_client), body),
        ("get", clients_url(dk_client, "appointment-requests"), None),
        ("post", clients_url(dk_client, "appointment-requests"), {"kind": "phone"}),
        ("get", f"/api/v1/appointments/{appointment.uuid}", None),
        ("post", f"/api/v1/appointments/{appointment.uuid}/move", {"starts_at": body["starts_at"]}),
        (
            "post",
            f"/api/v1/appointments/{appointment.uuid}/cancel",
            {"cancelled_by": "client", "with_notice": True, "reason": "x"},
        ),
        ("post", f"/api/v1/appointments/{appointment.uuid}/attended", {}),
        ("post", f"/api/v1/appointments/{appointment.uuid}/no-show", {}),
        ("post", f"/api/v1/appointment-requests/{request.uuid}/withdraw", {"reason": "x"}),
    ):
        response = (
            get(client, url, outsider) if method == "get" else post(client, url, outsider, payload)
        )
        assert response.status_code == 404, (url, response.content)
        assert response.json()["code"] == "not_found"
    appointment.refresh_from_db()
    assert appointment.status == "booked"
    assert AppointmentRequest.objects.get(pk=request.pk).status == "open"


def test_a_peer_worker_is_forbidden(client, dk_client, org_dk, make_staff, body):
    peer = make_staff(org_dk, Role.PEER_WORKER)
    assert get(client, clients_url(dk_client), peer).status_code == 403
    assert post(client, clients_url(dk_client), peer, body).status_code == 403
    assert get(client, "/api/v1/appointments", peer).status_code == 403
