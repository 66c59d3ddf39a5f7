"""SCH-4, APT-1: a staff member's appointments are in their iCalendar feed (through
bedring.core.feeds) with the kind and the place, never the client; the feed's query count
does not grow with them. Rooms come from the service packs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from bedring.appointments import services
from bedring.appointments.models import Room
from bedring.catalogue.calendar_feed import calendar_secret_rotate
from bedring.core.feeds import feed_sources
from bedring.rules.loader import PackError, load_pack, read_pack

from .conftest import local, main_site, open_day


def feed(http, secret: str) -> Calendar:
    response = http.get(reverse("catalogue:calendar_feed", kwargs={"secret": secret}))
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def test_appointments_contribute_to_the_feed():
    assert any(source.__module__ == "bedring.appointments.selectors" for source in feed_sources())


def test_my_appointments_are_in_my_feed_without_the_client(
    client, book, dk_client, counsellor, org_dk, room, make_staff
):
    day = open_day(main_site(org_dk), minutes=4 * 60)
    mine = book(dk_client, local(org_dk, day, 10), room=room, kind="home_visit")
    cancelled = book(dk_client, local(org_dk, day, 13))
    services.appointment_cancel(
        appointment=cancelled,
        actor=counsellor,
        cancelled_by="client",
        with_notice=True,
        reason="Ill.",
    )
    secret = calendar_secret_rotate(user=counsellor)
    events = {str(e["uid"]): e for e in feed(client, secret).walk("VEVENT")}
    event = events[f"appointment-{mine.uuid}@bedring"]
    assert event.decoded("dtstart") == local(org_dk, day, 10)
    assert str(event.decoded("dtstart").tzinfo) == "Europe/Copenhagen"
    assert event.decoded("dtend") == local(org_dk, day, 11)
    assert str(event["summary"]) == "Appointment: Home visit"
    assert str(event["location"]) == f"{main_site(org_dk).name}, {room.name}"
    assert str(event["url"]).endswith(reverse("appointments:detail", args=[mine.uuid]))
    assert str(events[f"appointment-{cancelled.uuid}@bedring"]["status"]) == "CANCELLED"
    text = client.get(reverse("catalogue:calendar_feed", kwargs={"secret": secret})).content
    for personal in (dk_client.code, dk_client.first_name, dk_client.last_name, "Ill."):
        assert personal.encode() not in text
    # A colleague's feed does not have them.
    other = make_staff(org_dk, "nurse")
    assert feed(client, calendar_secret_rotate(user=other)).walk("VEVENT") == []


def test_the_feed_costs_the_same_queries_for_1_or_8_appointments(
    client, book, make_client, counsellor, org_dk
):
    secret = calendar_secret_rotate(user=counsellor)
    day = open_day(main_site(org_dk))
    book(make_client(org_dk), local(org_dk, day, 8), confirm_outside_hours=True)
    url = reverse("catalogue:calendar_feed", kwargs={"secret": secret})
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for hour in range(9, 16):
        book(make_client(org_dk), local(org_dk, day, hour), confirm_outside_hours=True)
    with CaptureQueriesContext(connection) as many:
        assert len(feed(client, secret).walk("VEVENT")) == 8
    assert len(many) == len(few)


def test_rooms_come_from_the_pack_and_reloading_changes_nothing(org_dk):
    site = main_site(org_dk)
    assert set(Room.objects.filter(site=site).values_list("name", flat=True)) == {
        "Samtalerum 1",
        "Samtalerum 2",
        "Lægekonsultation",
    }
    before = list(Room.objects.filter(site=site).values_list("pk", "name", "updated_at"))
    load_pack("sonderborg")
    assert list(Room.objects.filter(site=site).values_list("pk", "name", "updated_at")) == before


def test_a_room_taken_out_of_a_pack_is_kept_inactive(org_dk):
    site = main_site(org_dk)
    services.rooms_load(site=site, rooms=[("samtalerum-1", "Samtalerum 1 (stort)")])
    rooms = {r.slug: r for r in Room.objects.filter(site=site)}
    assert rooms["samtalerum-1"].name == "Samtalerum 1 (stort)"
    assert not rooms["konsultation"].is_active
    services.rooms_load(site=site, rooms=[("konsultation", "Lægekonsultation")])
    assert Room.objects.get(site=site, slug="konsultation").is_active


def test_a_pack_with_a_room_twice_is_refused(tmp_path):
    pack = tmp_path / "rooms.yaml"
    pack.write_text(
        "organisation: {slug: t, name: T, jurisdiction: DK, language: da}\n"
        "sites:\n"
        "  - slug: main\n"
        "    name: Main\n"
        "    kind: main\n"
        "    rooms:\n"
        "      - {slug: a, name: A}\n"
        "      - {slug: a, name: B}\n",
        encoding="utf-8",
    )
    with pytest.raises(PackError, match="room slugs must be unique; repeated: a"):
        read_pack(pack)
