"""APT-1: a staff member, a room or a client is never double-booked: overlapping bookings
and moves onto an occupied slot are refused with their codes and write nothing; touching
slots are fine; a cancelled appointment frees its slot. Two bookings of one slot at the same
moment end in one appointment and one refusal (row locks on PostgreSQL, BEGIN IMMEDIATE on
SQLite)."""

from __future__ import annotations

import datetime
import random
import threading
import time
from typing import Any

import pytest
from django.db import OperationalError, connection, connections

from bedring.accounts import services as account_services
from bedring.appointments import services
from bedring.appointments.models import Appointment, AppointmentStatus, Room
from bedring.core.errors import DomainError
from bedring.core.roles import Role
from bedring.rules.loader import load_pack
from tests.conftest import client_maker

from .conftest import local, main_site, open_day
from .test_booking import refused


@pytest.fixture
def slot(org_dk) -> datetime.datetime:
    return local(org_dk, open_day(main_site(org_dk), hour=10, minutes=120), 10)


def test_the_staff_member_is_not_double_booked(book, make_client, org_dk, counsellor, slot):
    book(make_client(org_dk), slot)
    half = datetime.timedelta(minutes=30)
    for start, minutes in ((slot, 60), (slot + half, 60), (slot - half, 45)):
        error = refused(
            "staff_double_booked",
            services.appointment_book,
            client=make_client(org_dk),
            actor=counsellor,
            staff=counsellor,
            site=main_site(org_dk),
            kind="conversation",
            starts_at=start,
            minutes=minutes,
        )
        assert error.status == 409
        assert error.details["starts_at"] == slot.isoformat()


def test_touching_appointments_are_not_a_clash(book, make_client, org_dk, slot):
    book(make_client(org_dk), slot)
    book(make_client(org_dk), slot + datetime.timedelta(hours=1))
    book(make_client(org_dk), slot - datetime.timedelta(minutes=30), minutes=30)
    assert Appointment.objects.filter(on=slot.date()).count() == 3


def test_the_room_is_not_double_booked(book, make_client, make_staff, org_dk, room, slot):
    book(make_client(org_dk), slot, room=room)
    nurse = make_staff(org_dk, Role.NURSE)
    error = refused(
        "room_double_booked",
        services.appointment_book,
        client=make_client(org_dk),
        actor=nurse,
        staff=nurse,
        site=main_site(org_dk),
        room=room,
        kind="nurse",
        starts_at=slot + datetime.timedelta(minutes=15),
        minutes=30,
    )
    assert error.field == "room"
    other = Room.objects.get(site=main_site(org_dk), slug="samtalerum-2")
    book(make_client(org_dk), slot, staff=nurse, kind="nurse", room=other)


def test_the_client_is_not_double_booked(book, dk_client, make_staff, org_dk, slot):
    book(dk_client, slot)
    doctor = make_staff(org_dk, Role.DOCTOR)
    refused(
        "client_double_booked",
        services.appointment_book,
        client=dk_client,
        actor=doctor,
        staff=doctor,
        site=main_site(org_dk),
        kind="doctor",
        starts_at=slot,
        minutes=30,
    )


def test_a_move_onto_an_occupied_slot_is_refused(
    book, make_client, make_staff, org_dk, counsellor, room, slot
):
    book(make_client(org_dk), slot, room=room)
    nurse = make_staff(org_dk, Role.NURSE)
    later = book(make_client(org_dk), slot + datetime.timedelta(hours=1))
    refused(
        "staff_double_booked",
        services.appointment_move,
        appointment=later,
        actor=counsellor,
        starts_at=slot + datetime.timedelta(minutes=30),
        minutes=60,
        keep_room=True,
    )
    theirs = book(
        make_client(org_dk), slot + datetime.timedelta(hours=1), staff=nurse, kind="nurse"
    )
    refused(
        "room_double_booked",
        services.appointment_move,
        appointment=theirs,
        actor=nurse,
        starts_at=slot,
        minutes=30,
        room=room,
    )
    later.refresh_from_db()
    assert later.starts_at == slot + datetime.timedelta(hours=1)
    # The appointment does not clash with itself: a longer appointment in its own slot.
    services.appointment_move(
        appointment=later,
        actor=counsellor,
        starts_at=slot + datetime.timedelta(hours=1),
        minutes=90,
        keep_room=True,
    )


def test_a_cancelled_appointment_frees_the_slot(book, make_client, org_dk, counsellor, room, slot):
    first = book(make_client(org_dk), slot, room=room)
    services.appointment_cancel(
        appointment=first,
        actor=counsellor,
        cancelled_by="client",
        with_notice=True,
        reason="Cannot come.",
    )
    second = book(make_client(org_dk), slot, room=room)
    assert second.status == AppointmentStatus.BOOKED
    assert Appointment.objects.filter(starts_at=slot).count() == 2


def test_a_staff_member_is_one_person_across_organisations(
    book, dk_client, make_client, org_no, counsellor, slot
):
    """A counsellor working in two organisations has one calendar."""
    account_services.membership_add(user=counsellor, organisation=org_no, roles=[Role.COUNSELLOR])
    book(dk_client, slot)
    no_client = make_client(org_no)
    error = refused(
        "staff_double_booked",
        services.appointment_book,
        client=no_client,
        actor=counsellor,
        staff=counsellor,
        site=main_site(org_no),
        kind="conversation",
        starts_at=slot,
        minutes=30,
        confirm_outside_hours=True,
    )
    # The clash is in another organisation: its times only, no client, no id.
    assert set(error.details) == {"starts_at", "ends_at"}


@pytest.mark.django_db(transaction=True)
def test_two_bookings_of_one_slot_at_the_same_moment_end_in_one():
    """Each thread has its own connection; they start together at a barrier. On PostgreSQL
    the staff member's row lock makes the second wait for the first's commit and then see
    its appointment; SQLite serialises writers (its shared in-memory test database answers
    "locked" at once, so the attempt is made again, as the busy timeout would)."""
    organisation = load_pack("sonderborg")
    make = client_maker(random.Random(5))
    staff = account_services.staff_create(
        username="race-counsellor",
        password="a-long-test-password-1",
        first_name="Race",
        last_name="Counsellor",
        organisation=organisation,
        roles=[Role.COUNSELLOR],
    )
    clients = [make(organisation), make(organisation)]
    site = main_site(organisation)
    start = local(organisation, open_day(site), 10)
    barrier = threading.Barrier(2)
    outcomes: dict[int, Any] = {}
    sqlite = connection.vendor == "sqlite"

    def attempt(number: int) -> None:
        try:
            barrier.wait(timeout=10)
            for _try in range(200):
                try:
                    services.appointment_book(
                        client=clients[number],
                        actor=staff,
                        staff=staff,
                        site=site,
                        kind="conversation",
                        starts_at=start + datetime.timedelta(minutes=15 * number),
                        minutes=60,
                    )
                except OperationalError as exc:
                    if not (sqlite and "locked" in str(exc)):
                        raise
                    time.sleep(0.01)
                else:
                    break
            else:
                raise AssertionError("the database stayed locked")
            outcomes[number] = "booked"
        except DomainError as exc:
            outcomes[number] = exc.code
        except Exception as exc:  # reported by the assertion below
            outcomes[number] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["booked", "staff_double_booked"], outcomes
    assert Appointment.objects.filter(staff=staff).count() == 1
