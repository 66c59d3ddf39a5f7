"""APT-1, APT-2 pages: the client's appointments tab and overview panel, booking (with the
opening-hours warning), moving, cancelling, attended / no-show, requests, and a staff
member's day and week. Who may see what, that a refused form shows the reason (422) and
writes nothing, the access log, and bounded query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bedring.appointments import services
from bedring.appointments.models import Appointment, AppointmentRequest
from bedring.audit.models import AccessEvent
from bedring.core import clock
from bedring.core.roles import Role

from .conftest import local, main_site, open_day


def tab(client) -> str:
    return reverse("appointments:client", args=[client.uuid])


def book_url(client) -> str:
    return reverse("appointments:book", args=[client.uuid])


def form_data(organisation, staff, day, hour=10, **extra) -> dict[str, str]:
    data = {
        "kind": "conversation",
        "staff": staff.username,
        "site": str(main_site(organisation).uuid),
        "room": "",
        "on": day.isoformat(),
        "start": f"{hour:02d}:00",
        "minutes": "60",
        "note": "",
        "request": "",
    }
    data.update(extra)
    return data


def test_the_tab_and_the_overview_show_the_upcoming_appointments(
    as_user, book, dk_client, counsellor, org_dk
):
    day = open_day(main_site(org_dk))
    appointment = book(dk_client, local(org_dk, day, 10))
    http = as_user(counsellor)
    page = http.get(tab(dk_client))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-testid="upcoming-{appointment.uuid}"' in html
    assert 'aria-current="page">Appointments</a>' in html
    assert 'data-testid="book-appointment"' in html
    assert AccessEvent.objects.filter(client=dk_client, view="appointments").exists()
    overview = http.get(reverse("web:client_detail", args=[dk_client.uuid])).content.decode()
    assert 'data-testid="appointments-panel"' in overview
    assert f'data-testid="upcoming-{appointment.uuid}"' in overview
    assert "10:00–11:00" in overview


def test_book_from_the_form(as_user, dk_client, counsellor, org_dk, room):
    day = open_day(main_site(org_dk))
    http = as_user(counsellor)
    form = http.get(book_url(dk_client))
    assert form.status_code == 200
    assert 'data-testid="book-form"' in form.content.decode()
    response = http.post(
        book_url(dk_client), form_data(org_dk, counsellor, day, room=str(room.uuid)), follow=True
    )
    assert response.status_code == 200
    appointment = Appointment.objects.get(client=dk_client)
    assert (appointment.on, appointment.room, appointment.booked_by) == (day, room, counsellor)
    assert appointment.starts_at == local(org_dk, day, 10)
    assert "The appointment is booked for" in response.content.decode()


def test_a_refused_booking_shows_the_reason_and_writes_nothing(
    as_user, book, make_client, dk_client, counsellor, org_dk
):
    day = open_day(main_site(org_dk))
    book(make_client(org_dk), local(org_dk, day, 10))
    http = as_user(counsellor)
    response = http.post(book_url(dk_client), form_data(org_dk, counsellor, day))
    assert response.status_code == 422
    assert "already has an appointment from 10:00 to 11:00" in response.content.decode()
    assert not Appointment.objects.filter(client=dk_client).exists()
    past = http.post(
        book_url(dk_client),
        form_data(org_dk, counsellor, clock.today(org_dk) - datetime.timedelta(days=1)),
    )
    assert past.status_code == 422
    assert "cannot start in the past" in past.content.decode()
    bad = http.post(book_url(dk_client), form_data(org_dk, counsellor, day, minutes="600"))
    assert "at most 8 hours" in bad.content.decode()
    assert not Appointment.objects.filter(client=dk_client).exists()


def test_outside_the_opening_hours_the_form_warns_and_books_when_confirmed(
    as_user, dk_client, counsellor, org_dk
):
    day = open_day(main_site(org_dk))
    http = as_user(counsellor)
    data = form_data(org_dk, counsellor, day, hour=19)
    warned = http.post(book_url(dk_client), data)
    assert warned.status_code == 422
    html = warned.content.decode()
    assert 'data-testid="outside-hours"' in html
    assert "outside the opening hours of Sønderborg Misbrugscenter" in html
    assert not Appointment.objects.filter(client=dk_client).exists()
    booked = http.post(book_url(dk_client), {**data, "confirm_outside_hours": "1"})
    assert booked.status_code == 302
    assert Appointment.objects.get(client=dk_client).outside_hours


def test_move_cancel_and_outcome_from_the_pages(as_user, book, dk_client, counsellor, org_dk):
    site = main_site(org_dk)
    day = open_day(site, minutes=4 * 60)
    appointment = book(dk_client, local(org_dk, day, 10))
    http = as_user(counsellor)
    detail = http.get(reverse("appointments:detail", args=[appointment.uuid]))
    assert detail.status_code == 200
    assert 'data-testid="move"' in detail.content.decode()
    assert http.get(reverse("appointments:move", args=[appointment.uuid])).status_code == 200
    moved = http.post(
        reverse("appointments:move", args=[appointment.uuid]),
        form_data(org_dk, counsellor, day, hour=11),
    )
    assert moved.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == local(org_dk, day, 11)
    cancel = reverse("appointments:cancel", args=[appointment.uuid])
    no_reason = http.post(cancel, {"cancel-cancelled_by": "client", "cancel-notice": "with"})
    assert no_reason.status_code == 422
    appointment.refresh_from_db()
    assert appointment.status == "booked"
    done = http.post(
        cancel,
        {"cancel-cancelled_by": "client", "cancel-notice": "without", "cancel-reason": "Ill."},
    )
    assert done.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.status, appointment.with_notice) == ("cancelled", False)
    # Attended / no-show: refused before the start (the message says why), saved after it.
    upcoming = book(dk_client, local(org_dk, day, 13))
    early = http.post(
        reverse("appointments:outcome", args=[upcoming.uuid]), {"outcome": "attended"}
    )
    assert early.status_code == 422
    assert "has not started yet" in early.content.decode()
    started = book(
        dk_client,
        clock.now() - datetime.timedelta(minutes=30),
        confirm_outside_hours=True,
        at=clock.now() - datetime.timedelta(days=2),
    )
    done = http.post(reverse("appointments:outcome", args=[started.uuid]), {"outcome": "no_show"})
    assert done.status_code == 302
    started.refresh_from_db()
    assert started.status == "no_show"


def test_record_and_book_a_request(
    as_user, sandnes, no_client, psychologist, no_counsellor, episode_for
):
    episode_for(no_client)
    http = as_user(no_counsellor)
    response = http.post(
        reverse("appointments:request_add", args=[no_client.uuid]),
        {"request-kind": "psychologist", "request-note": ""},
        follow=True,
    )
    due = clock.today(sandnes) + datetime.timedelta(days=7)
    assert "Book an appointment by" in response.content.decode()
    request = AppointmentRequest.objects.get(client=no_client)
    assert request.offer_due_on == due
    page = http.get(tab(no_client)).content.decode()
    assert f'data-testid="request-{request.uuid}"' in page
    form = http.get(book_url(no_client) + f"?request={request.uuid}").content.decode()
    assert f'value="{request.uuid}"' in form
    day = open_day(main_site(sandnes))
    booked = http.post(
        book_url(no_client),
        form_data(
            sandnes, psychologist, day, kind="psychologist", minutes="45", request=str(request.uuid)
        ),
    )
    assert booked.status_code == 302, booked.content.decode()
    request.refresh_from_db()
    assert request.status == "booked"
    # The worklist no longer lists it; before booking, it linked to the client's requests.
    worklist = http.get(reverse("pathway:worklist") + "?scope=all").content.decode()
    assert 'data-testid="worklist-appointment-offer"' not in worklist


def test_the_worklist_links_an_open_offer_deadline_to_booking(
    as_user, sandnes, no_client, no_counsellor, episode_for
):
    episode_for(no_client)
    services.appointment_request_record(client=no_client, actor=no_counsellor, kind="psychologist")
    worklist = as_user(no_counsellor).get(reverse("pathway:worklist") + "?scope=all")
    html = worklist.content.decode()
    assert 'data-testid="worklist-appointment-offer"' in html
    assert "An appointment within 7 days of the request." in html


def test_withdraw_a_request(as_user, sandnes, no_client, no_counsellor):
    request = services.appointment_request_record(
        client=no_client, actor=no_counsellor, kind="psychologist"
    )
    http = as_user(no_counsellor)
    url = reverse("appointments:request_withdraw", args=[request.uuid])
    http.post(url, {"withdraw-reason": ""})
    request.refresh_from_db()
    assert request.status == "open"
    http.post(url, {"withdraw-reason": "Not needed."})
    request.refresh_from_db()
    assert request.status == "withdrawn"


def test_an_outsider_gets_404_everywhere_a_client_or_appointment_is_named(
    as_user, book, dk_client, outsider, org_dk
):
    appointment = book(dk_client, local(org_dk, open_day(main_site(org_dk)), 10))
    request = services.appointment_request_record(
        client=dk_client, actor=appointment.staff, kind="conversation"
    )
    http = as_user(outsider)
    for url in (
        tab(dk_client),
        book_url(dk_client),
        reverse("appointments:detail", args=[appointment.uuid]),
        reverse("appointments:move", args=[appointment.uuid]),
    ):
        assert http.get(url).status_code == 404, url
    for url in (
        reverse("appointments:cancel", args=[appointment.uuid]),
        reverse("appointments:outcome", args=[appointment.uuid]),
        reverse("appointments:request_add", args=[dk_client.uuid]),
        reverse("appointments:request_withdraw", args=[request.uuid]),
    ):
        assert http.post(url, {}).status_code == 404, url
    # Nor may they look at the counsellor's days.
    day_url = reverse("appointments:day") + f"?staff={appointment.staff.username}"
    assert http.get(day_url).status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_roles_without_client_records_see_no_appointments(as_user, org_dk, make_staff, dk_client):
    for role in (Role.PEER_WORKER, Role.DROPIN_WORKER, Role.ADMINISTRATOR):
        http = as_user(make_staff(org_dk, role))
        assert http.get(reverse("appointments:day")).status_code == 403
        assert http.get(tab(dk_client)).status_code == 403


def test_my_day_and_a_colleagues_day_and_week(
    as_user, book, make_client, counsellor, manager, org_dk, make_staff
):
    site = main_site(org_dk)
    day = open_day(site)
    mine = book(make_client(org_dk), local(org_dk, day, 10))
    nurse = make_staff(org_dk, Role.NURSE)
    theirs = book(make_client(org_dk), local(org_dk, day, 10), staff=nurse, kind="nurse")
    http = as_user(counsellor)
    own = http.get(reverse("appointments:day") + f"?on={day.isoformat()}").content.decode()
    assert f'data-testid="entry-{mine.uuid}"' in own
    assert f'data-testid="entry-{theirs.uuid}"' not in own
    assert mine.client.display_name in own
    assert "My appointments" in own
    assert 'data-testid="book-appointment"' in own
    # The clients on the page are logged as seen.
    assert AccessEvent.objects.filter(client=mine.client, view="appointments_day").exists()
    # A manager looks at the nurse's day and week.
    look = as_user(manager)
    theirs_day = look.get(
        reverse("appointments:day") + f"?staff={nurse.username}&on={day.isoformat()}"
    ).content.decode()
    assert f'data-testid="entry-{theirs.uuid}"' in theirs_day
    assert f"Appointments of {nurse.get_full_name()}" in theirs_day
    week = day - datetime.timedelta(days=day.weekday())
    label = f"{week:%G-W%V}"
    week_page = look.get(reverse("appointments:week") + f"?staff={nurse.username}&week={label}")
    assert f'data-testid="entry-{theirs.uuid}"' in week_page.content.decode()
    # A bad day or week shows today's; an unknown colleague is 404.
    assert http.get(reverse("appointments:day") + "?on=٢٠٢٦-١١-٢٣").status_code == 200
    assert http.get(reverse("appointments:day") + "?on=9999-12-31").status_code == 200
    assert http.get(reverse("appointments:week") + "?week=9999-W52").status_code == 200
    assert http.get(reverse("appointments:day") + "?staff=nobody").status_code == 404


def test_book_from_the_day_view_finds_the_client_first(as_user, dk_client, counsellor, org_dk):
    day = open_day(main_site(org_dk))
    http = as_user(counsellor)
    found = http.get(
        reverse("appointments:book_start"),
        {"q": dk_client.last_name, "staff": counsellor.username, "on": day.isoformat()},
    )
    assert found.status_code == 200
    html = found.content.decode()
    assert f'data-testid="book-for-{dk_client.uuid}"' in html
    assert f"staff={counsellor.username}&amp;on={day.isoformat()}" in html
    assert AccessEvent.objects.filter(client=dk_client, view="appointment_book_search").exists()
    form = http.get(book_url(dk_client) + f"?staff={counsellor.username}&on={day.isoformat()}")
    assert f'value="{day.isoformat()}"' in form.content.decode()


def _count(http, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("view", ["day", "week"])
def test_the_day_and_week_views_cost_the_same_queries_for_2_or_12_appointments(
    as_user, book, make_client, counsellor, org_dk, view
):
    day = open_day(main_site(org_dk))
    monday = day - datetime.timedelta(days=day.weekday())
    url = reverse(f"appointments:{view}") + (
        f"?on={day.isoformat()}" if view == "day" else f"?week={monday:%G-W%V}"
    )
    http = as_user(counsellor)
    for hour in (9, 10):
        book(make_client(org_dk), local(org_dk, day, hour), confirm_outside_hours=True)
    http.get(url)
    few = _count(http, url)
    for minute in range(0, 300, 30):
        book(
            make_client(org_dk),
            local(org_dk, day, 11) + datetime.timedelta(minutes=minute),
            minutes=30,
            confirm_outside_hours=True,
        )
    assert Appointment.objects.filter(staff=counsellor).count() == 12
    assert _count(http, url) == few


def test_the_client_pages_cost_the_same_queries_for_1_or_60_appointments(
    as_user, book, make_client, counsellor, org_dk
):
    http = as_user(counsellor)
    short, long = make_client(org_dk), make_client(org_dk)
    start = clock.now() - datetime.timedelta(days=90)

    def history(client, n: int, hour: int) -> None:
        for i in range(n):
            at = start + datetime.timedelta(days=i, hours=hour)
            book(client, at, confirm_outside_hours=True, at=at - datetime.timedelta(days=1))

    history(short, 1, hour=4)
    history(long, 60, hour=0)
    for url in (tab, lambda c: reverse("web:client_detail", args=[c.uuid])):
        assert _count(http, url(long)) == _count(http, url(short))
    assert _count(http, tab(long) + "?page=2") == _count(http, tab(short))


def test_a_request_booked_meanwhile_and_a_move_of_a_cancelled_appointment_are_refused(
    as_user, book, sandnes, no_client, psychologist, no_counsellor, dk_client, counsellor, org_dk
):
    request = services.appointment_request_record(
        client=no_client, actor=no_counsellor, kind="psychologist"
    )
    day = open_day(main_site(sandnes))
    services.appointment_book(
        client=no_client,
        actor=psychologist,
        staff=psychologist,
        site=main_site(sandnes),
        kind="psychologist",
        starts_at=local(sandnes, day, 9),
        minutes=45,
        request=request,
    )
    http = as_user(no_counsellor)
    data = form_data(
        sandnes, psychologist, day, hour=11, kind="psychologist", request=str(request.uuid)
    )
    again = http.post(book_url(no_client), data)
    assert again.status_code == 422
    assert "already has an appointment or was withdrawn" in again.content.decode()
    garbage = http.post(book_url(no_client), {**data, "request": "not-a-uuid"})
    assert "another client" in garbage.content.decode()
    assert Appointment.objects.filter(client=no_client).count() == 1

    appointment = book(dk_client, local(org_dk, open_day(main_site(org_dk)), 10))
    services.appointment_cancel(
        appointment=appointment,
        actor=counsellor,
        cancelled_by="client",
        with_notice=True,
        reason="Ill.",
    )
    moved = as_user(counsellor).post(
        reverse("appointments:move", args=[appointment.uuid]),
        form_data(org_dk, counsellor, appointment.on, hour=11),
    )
    assert moved.status_code == 409
    assert "Only a booked appointment can be moved." in moved.content.decode()
